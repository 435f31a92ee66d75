"""Turn an inbound SMS body into a Command. Pure: no I/O, no clock, never raises.

`Command(name, args)`: `args` is a tuple whose fields FIELDS[name] names, read with `cmd.get("value")`:
    join(name)  invite(phone, name)  yes()  no()  question()  mood(value)  promise(rest)  promises()
    kept(number)  missed(number)  cancel(number, words)  move(number, words, when)  thinking()  share()  summary()  time(value "HH:MM")  quiet(start, end)
    tz(zone)  pause()  resume()  link(code)  help()  help_more()  stop()  start()  delete()  number(value)
    safety()  undo()  private(text)  share_it()  thinking_texts(on)  role(said)  skip()  tell()  thanks()  login()
    answer(text)  empty()
    weekly(day, time, said)  focus_promise(when)  rate(safe, trusting, connected, said)  trend()  hard_day()
    pact(action, number, text)  agree(number)  apology()  apology_send()  apology_redo(number)  apology_cancel()
    not_ready()   (issue 13: the trust pact and the guided apology; see the end of this module)
An answer's text is what was said without a leading "my answer is" (the words the skill asks for).
A keyword counts only as the first word and only when what follows it parses; a keyword alone gives
None for its fields (so the caller can explain the format). Everything else is an `answer`, because
most texts reply to the day's question and mistaking one for a command loses it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.time_phrases import parse_clock

FIELDS: dict[str, tuple[str, ...]] = {
    "join": ("name",), "invite": ("phone", "name"), "yes": (), "no": (), "question": (), "mood": ("value",),
    "promise": ("rest",), "promises": (), "kept": ("number",), "missed": ("number",),
    "cancel": ("number", "words"), "move": ("number", "words", "when"), "thinking": (),
    "share": (), "summary": (), "time": ("value",), "quiet": ("start", "end"), "tz": ("zone",), "pause": (),
    "resume": (), "link": ("code",), "help": (), "help_more": (), "stop": (), "start": (), "delete": (), "number": ("value",),
    "answer": ("text",), "empty": (), "safety": (), "undo": (), "private": ("text",), "share_it": (),
    "answer": ("text",), "empty": (), "thinking_texts": ("on",), "role": ("said",), "skip": (), "tell": (),
    "thanks": (),
    # Weekly ritual (issue 13)
    "weekly": ("day", "time", "said"), "focus_promise": ("when",), "rate": ("safe", "trusting", "connected", "said"),
    "trend": (), "hard_day": (),
    "thanks": (), "login": (),
}


@dataclass(frozen=True)
class Command:
    """A parsed text: a name from FIELDS and its positional args."""

    name: str
    args: tuple = ()

    def get(self, field: str):
        """One arg by its FIELDS name, e.g. Command("mood", (4,)).get("value") == 4."""
        return self.args[FIELDS[self.name].index(field)]


# Twilio answers these itself (exact word only), so we must agree with it exactly.
_STOP = {"stop", "stopall", "unsubscribe", "end", "quit", "cancel", "optout", "revoke"}
_START = {"start", "unstop"}
_PHRASES = {
    "yes": "y|yes|yeah|yea|ya|yep|yup|ok|okay|k|kk|sure|alright|yes sure",
    "no": "n|no|nope|nah|not now",
    "question": "q|question|the question|todays question|whats the question|what is the question|"
                "whats todays question|what is todays question|question of the day|send the question|"
                "wheres my question|wheres my question today|wheres todays question|where is my question|"
                "where is todays question|what is my question today|whats my question today|whats my question|"
                "i didnt get my question|i didnt get a question today",
    "promises": "my promises|list promises|list my promises|show promises|show my promises",
    "thinking": "thinking|thinking of you|thinking about you|thinking of u",
    "summary": "weekly summary|my summary",
    "missed": "i missed it|i missed my promise|missed my promise|i didnt keep my promise|i didnt keep it|"
              "i broke my promise|i let it slip|i didnt do it|i forgot|i forgot my promise",
    "delete": "delete my data|delete data|delete my account|delete account|delete all my data",
    # Natural forms of a few commands, and the care keywords (issue 11)
    "share": "what did my partner say|what did they say|what did he say|what did she say|what did my partner answer"
             "|whats their answer|show me their answer",
    "share_it": "share it|yes share it|ok share it|please share it",
    "safety": "safety|sos|i need help now|i dont feel safe|i do not feel safe|i am not safe|im not safe|"
              "not safe|i feel unsafe|im in danger|i am in danger|im scared for my safety",
    "undo": "undo|undo that|undo my answer|undo answer|take back my answer|take it back|take my answer back"
            "|delete my answer|remove my answer",
    "skip": "skip|skip it|skip this|skip this one|skip question|skip this question|skip the question|"
            "different question|a different question|another question|new question|next question",
    "tell": "tell|tell them|tell him|tell her|tell my partner|let them know|let him know|let her know",
    "role": "change my role|my role",
    # Weekly ritual (issue 13): the weekly check-in, the private trend, and a setback said plainly
    "weekly": "weekly check in|weekly checkin|our weekly check in|the weekly check in|my weekly check in|"
              "lets do our weekly check in|lets do the weekly check in|start our weekly check in|"
              "start the weekly check in|do our weekly check in|weekly check in please|continue weekly check in",
    "trend": "trend|my trend|show my trend|whats my trend|what is my trend|my ratings|show my ratings|how am i doing",
    "hard_day": "hard day|a hard day|hard day today|i had a hard day|im having a hard day|i am having a hard day|"
                "having a hard day|its been a hard day|today was a hard day|today is a hard day|its a hard day|"
                "we had a setback|we had a hard day|had a setback|i had a setback|setback|a setback|"
                "we hit a setback|rough day|i had a rough day|hard week|its been a hard week",
    "help_more": "help 2|help2|help two|more help|help more|more commands|other commands|help page 2",
    # The couple's page (web/): a one-time sign-in link
    "login": "login|log in|log me in|sign in|signin|sign me in|send me a link|send me the link|my page|our page|"
             "link to my page|link to our page|web link|website",
}
_PHRASE_NAMES = {phrase: name for name, text in _PHRASES.items() for phrase in text.split("|")}
_BARE = {"share": "share", "summary": "summary", "pause": "pause", "resume": "resume", "unpause": "resume",
         "help": "help", "info": "help", "promises": "promises", "question": "question"}
_TAIL = set("me my it this the a all everything reminders reminder messages texts notifications for now while "
            "bit again answer answers week up".split())
_POLITE = re.compile(r"\b(?:please|pls|plz|thanks|thx|thank\s+you)\b", re.IGNORECASE)
_NOT_NAMES = {"me", "us", "you", "in", "the", "our", "my", "a", "with"}  # "join us for dinner" is an answer
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_HEART = ("[\u2764\u2763\u2665\U0001F48C\U0001F493\U0001F495-\U0001F49F\U0001F5A4\U0001F90D\U0001F90E"
          "\U0001F9E1\U0001FA75-\U0001FA77\U0001F618\U0001F60D\U0001F63B\U0001F970]")
_HEARTS = re.compile(rf"(?:\s|<3|{_HEART}\uFE0F?(?:\u200D[\U0001F525\U0001FA79]\uFE0F?)?)+")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200d\u2060\ufeff]+")
_HEAD = re.compile(r"([a-z]+)\b[\s:,.!#-]*(.*)", re.IGNORECASE | re.ASCII | re.DOTALL)
_ANSWER_PREFIX = re.compile(r"^(?:my\s+answer\b(?:\s+is\b)?|answer(?:\s+is\b|\s*:))\s*[:,.\-\u2013\u2014]*\s*",
                            re.IGNORECASE)
_THANKS = re.compile(r"\s*(?:thanks|thank\s*you|thx|ty)(?:\s+(?:so\s+much|a\s+lot|babe|love))?[\s!.]*",
                     re.IGNORECASE)
_PHONE = re.compile(r"(\+?[0-9(][0-9\s().-]{5,}[0-9])(.*)", re.DOTALL)


def parse_command(body: str) -> Command:
    """Parse one inbound SMS body; anything that is not clearly a command is an answer."""
    text = (body or "").strip()
    if not _INVISIBLE.sub("", text):
        return Command("empty")
    return _whole(text) or _keyword(text) or _pact_phrase(text) or Command("answer", (_answer(text),))


def _answer(text: str) -> str:
    """The answer itself: "My answer is: X" gives "X" (a prefix with nothing after it is kept as sent)."""
    rest = _ANSWER_PREFIX.sub("", text, count=1).strip()
    return rest or text


def _whole(text: str) -> Command | None:
    """Commands recognised from the whole message: opt-outs, hearts, a bare number, fixed phrases."""
    squashed = re.sub(r"[\W_]+", "", text.casefold())
    if squashed in _STOP or squashed in _START:
        return Command("stop" if squashed in _STOP else "start")
    if _asks_to_stop(_words(text)):
        return Command("stop")
    if _HEARTS.fullmatch(text):
        return Command("thinking")
    if re.fullmatch(r"\?+", text) or re.fullmatch(r"\U0001F44D[\U0001F3FB-\U0001F3FF]?\s*", text):
        return Command("help" if text.startswith("?") else "yes")
    if _THANKS.fullmatch(text):
        return Command("thanks")
    number = re.fullmatch(r"#?\s*([0-9]{1,2})[\s.!)]*", text)
    if number:
        return Command("number", (int(number[1]),))
    return _phrase(_words(text))


def _asks_to_stop(words: list[str]) -> bool:
    """ "stop please", "please stop texting me": honoured like STOP, because the person clearly wants it."""
    return bool(words) and words[0] in _STOP and len(words) <= 4 and all(w in _STOP_TAIL for w in words[1:])


_STOP_TAIL = {"please", "now", "texting", "messaging", "texts", "messages", "me", "it", "all", "thanks"}


def _words(text: str) -> list[str]:
    """Lower-case words without apostrophes, emoji, punctuation or politeness."""
    return re.findall(r"[a-z0-9]+", _POLITE.sub(" ", text.casefold().replace("'", "").replace("\u2019", "")))


_ASKS_PARTNER = re.compile(r"what did [a-z]+(?: [a-z]+)? (?:say|answer|write|reply)(?: today)?")


def _phrase(words: list[str]) -> Command | None:
    """A fixed phrase ("what's the question") or a no-arg keyword plus only filler ("pause for now")."""
    if _ASKS_PARTNER.fullmatch(" ".join(words)):
        return Command("share")  # "what did sam say?"
    name = _PHRASE_NAMES.get(" ".join(words))
    if name is None and words and words[0] in _BARE and all(w in _TAIL for w in words[1:]):
        name = _BARE[words[0]]
    return Command(name, (None,) * len(FIELDS[name])) if name else None


def _keyword(text: str) -> Command | None:
    """A leading keyword whose arguments parse, e.g. "MOOD 4", "kept #2", "quiet 9pm-8am"."""
    text = re.sub(r"^(?:please|pls|plz)\b[\s,.!:]*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^time[\s-]+zone\b", "timezone", text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:i\s+)?promise\s+(?:to\s+|that\s+i\s*(?:will|'ll)\s+)", "promise ", text, flags=re.IGNORECASE)
    focus = _FOCUS.match(text)
    if focus:  # PROMISE IT <when>: the weekly check-in's focus becomes a promise
        return Command("focus_promise", (focus[1].strip() or None,))
    head = _HEAD.match(text)
    entry = _KEYWORDS.get(head[1].lower()) if head else None
    if entry is None:
        return None
    rest = head[2].strip()
    args = entry[1]("" if _is_bare(rest) else rest)
    return Command(entry[0], args) if args is not None else None


def _is_bare(rest: str) -> bool:
    """Nothing after the keyword but punctuation, emoji and politeness."""
    return not re.sub(r"[\W_]+", "", _POLITE.sub("", rest.casefold()))


def _name(rest: str) -> tuple[str | None] | None:
    """A person's name of one to three words ("Alex", "Mary Ann"), without trailing punctuation or emoji."""
    if not rest:
        return (None,)
    words = _POLITE.sub(" ", re.sub(r"[^\w\s'\u2019.-]", " ", rest)).split()
    words = [w.strip(".-'\u2019") for w in words]
    if not 1 <= len(words) <= 3 or words[0].lower() in _NOT_NAMES:
        return None
    if not all(re.fullmatch(r"[^\W\d_][\w'\u2019.-]*", w) for w in words):
        return None
    return (" ".join(words)[:40],)


def _invite(rest: str) -> tuple[str | None, str | None] | None:
    """A phone number as typed (7-15 digits) and an optional name after it."""
    if not rest:
        return (None, None)
    named_first = re.match(r"([^\W\d_][^\d+(]*?)\s+(\+?[0-9(][0-9\s().-]{5,}[0-9])\s*$", rest)
    if named_first:  # "invite Sam 415-555-0102"
        rest = f"{named_first[2]} {named_first[1]}"
    match = _PHONE.match(rest)
    if not match or not 7 <= len(re.sub(r"[^0-9]", "", match[1])) <= 15:
        return None
    name = _name(match[2].strip()) or (None,)
    return (match[1].strip(), name[0])


def _mood(rest: str) -> tuple[int | None] | None:
    """A mood as digits or a word ("4", "4/5", "five"); a decimal gives None so the caller asks again."""
    if not rest or re.match(r"[0-9]+[.,][0-9]", rest):
        return (None,)
    match = re.match(rf"([0-9]{{1,3}}|{'|'.join(_NUMBER_WORDS)})\b", rest, re.IGNORECASE | re.ASCII)
    if not match:
        return None
    word = match[1].lower()
    return (int(word) if word.isdigit() else _NUMBER_WORDS.index(word),)


def _ordinal(rest: str) -> tuple[int | None] | None:
    """Which promise: "2", "#2", "number 2", "promise 2"; nothing means the caller picks."""
    if not rest:
        return (None,)
    match = re.match(r"(?:promise\s*)?(?:no\.?|number|#)?\s*([0-9]{1,3})\b", rest, re.IGNORECASE)
    return (int(match[1]),) if match else None


def _time(rest: str) -> tuple[str | None] | None:
    """A daily time as "HH:MM"; something clock-like that is not a time gives None."""
    if not rest:
        return (None,)
    if not re.match(r"(?:at\s+)?(?:[0-9]|noon\b|midnight\b)", rest, re.IGNORECASE):
        return None
    clock = parse_clock(rest)
    return (f"{clock[0]:02d}:{clock[1]:02d}" if clock else None,)


def _quiet(rest: str) -> tuple[int | None, int | None] | None:
    """Quiet hours (start hour, end hour) from "21-8", "9pm-8am", "21:00 - 08:00"; (None, None) if garbled."""
    rest = re.sub(r"^hours?\b[\s:]*", "", rest, flags=re.IGNORECASE)
    if not rest:
        return (None, None)
    if not re.match(r"[0-9]|noon\b|midnight\b", rest, re.IGNORECASE):
        return None
    match = re.match(r"(.+?)\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b|\btill\b)\s*(.+)", rest, re.IGNORECASE)
    start, end = (parse_clock(match[1]), parse_clock(match[2])) if match else (None, None)
    return (start[0], end[0]) if start and end else (None, None)


def _on_off(rest: str) -> tuple[bool | None] | None:
    """THINKING OFF / THINKING ON (also STOP / START, NO / YES); anything else is not this command."""
    word = _POLITE.sub("", rest).strip(" .!,").casefold()
    if word in ("off", "stop", "no", "none", "pause"):
        return (False,)
    if word in ("on", "start", "yes", "again", "resume"):
        return (True,)
    return None


def _link(rest: str) -> tuple[str | None] | None:
    """A 4-10 digit linking code, spaces and dashes allowed ("123 456")."""
    if not rest:
        return (None,)
    match = re.match(r"([0-9][0-9 -]{2,14}[0-9])(?![0-9])", rest)
    digits = re.sub(r"[^0-9]", "", match[1]) if match else ""
    return (digits,) if 4 <= len(digits) <= 10 else None


_WHICH = re.compile(r"(?:(?:my|the|that|this)\s+)?(?:promise\s*)?(?:no\.?|number|#)?\s*(?P<n>[0-9]{1,3})\b"
                    r"|(?:(?:my|the|that|this)\s+)?promise\b(?:\s+to\b)?|it\b", re.IGNORECASE)


def _cancel(rest: str) -> tuple[int | None, str | None] | None:
    """CANCEL 2, "cancel my promise", "cancel my promise to call mom": which one, by number or by words."""
    if not rest:
        return None  # the bare word is Twilio's STOP, handled before keywords
    match = _WHICH.match(rest)
    if match is None:
        return None
    words = rest[match.end():].strip(" .,!") or None
    if match["n"]:
        return (int(match["n"]), None) if not words else None
    return (None, words)


def _move(rest: str) -> tuple[int | None, str | None, str | None] | None:
    """MOVE 1 9pm, "move it to 9pm", "move my promise to call mom to friday 6pm": which one, then when."""
    match = _WHICH.match(rest or "")
    if not rest:
        return (None, None, None)
    head, tail = (match["n"], rest[match.end():]) if match else (None, rest)
    parts = re.split(r"\s+(?:to|until|till|for)\s+(?=[^ ]*\s*$|(?:[0-9]|today|tonight|tomorrow|noon|midnight|"
                     r"mon|tue|wed|thu|fri|sat|sun|next|this|in\b|at\b))", " " + tail.strip(), maxsplit=1,
                     flags=re.IGNORECASE)
    if len(parts) == 2:
        words, when = parts[0].strip() or None, parts[1].strip()
    elif match:
        words, when = None, tail.strip(" ,.") or None
        when = re.sub(r"^(?:to|until|till|for)\s+", "", when or "", flags=re.IGNORECASE) or None
    else:
        return None
    if head and words:
        return None
    return (int(head) if head else None, words, when)


# Weekly ritual (issue 13): WEEKLY <day> <time>, RATE 6 5 7, HARD DAY ..., PROMISE IT <when>
_FOCUS = re.compile(r"^(?:make\s+)?(?:it\s+a\s+promise|promise\s+it)\b[\s,:.!-]*(.*)$", re.IGNORECASE | re.DOTALL)
_WEEKDAYS = {name: n for n, names in enumerate(("mon monday mondays", "tue tues tuesday tuesdays",
                                                 "wed weds wednesday wednesdays", "thu thur thurs thursday thursdays",
                                                 "fri friday fridays", "sat saturday saturdays",
                                                 "sun sunday sundays")) for name in names.split()}
_RATE_FILLER = set("safe safety trusting trust connected connection my this week is and i feel feeling".split())


def _weekly(rest: str) -> tuple[int | None, str | None, bool]:
    """WEEKLY alone (or "weekly check in") starts the check-in; WEEKLY sun 6pm sets its day and time;
    anything else after WEEKLY gives (None, None, True) so the caller explains the format."""
    if not rest or re.fullmatch(r"check[\s-]*in\W*|checkin\W*", rest, re.IGNORECASE):
        return (None, None, False)
    match = re.match(r"(?:on\s+|every\s+)?([a-z]+)\b[\s,]*(?:at\s+)?(.*)", rest, re.IGNORECASE | re.DOTALL)
    day = _WEEKDAYS.get(match[1].lower()) if match else None
    clock = parse_clock(match[2]) if match and match[2].strip() else None
    if day is None or clock is None:
        return (None, None, True)
    return (day, f"{clock[0]:02d}:{clock[1]:02d}", True)


def _rate(rest: str) -> tuple[int | None, int | None, int | None, bool]:
    """RATE 6 5 7 (also 6/5/7, "six five seven", "safe 6 trusting 5 connected 7"): three whole numbers;
    RATE alone or with words only shows the trend; anything else gives Nones so the caller explains."""
    tokens = re.findall(r"[0-9]+(?:[.,][0-9]+)?|[a-z]+", rest.casefold())
    values = [t for t in tokens if t not in _RATE_FILLER]
    if not any(t[0].isdigit() or t in _NUMBER_WORDS for t in values):
        return (None, None, None, False)
    if len(values) != 3 or not all(t.isdigit() or t in _NUMBER_WORDS for t in values):
        return (None, None, None, True)
    return (*(int(t) if t.isdigit() else _NUMBER_WORDS.index(t) for t in values), True)


_KEYWORDS = {
    "join": ("join", _name), "invite": ("invite", _invite), "mood": ("mood", _mood),
    "promise": ("promise", lambda rest: (rest,)), "kept": ("kept", _ordinal), "done": ("kept", _ordinal),
    "missed": ("missed", _ordinal), "cancel": ("cancel", _cancel), "move": ("move", _move),
    "reschedule": ("move", _move), "time": ("time", _time), "quiet": ("quiet", _quiet),
    "tz": ("tz", lambda rest: (rest or None,)), "timezone": ("tz", lambda rest: (rest or None,)),
    "link": ("link", _link), "private": ("private", lambda rest: (rest or None,)),
    "link": ("link", _link), "thinking": ("thinking_texts", _on_off), "role": ("role", lambda rest: (rest or None,)),
    "weekly": ("weekly", _weekly), "rate": ("rate", _rate),
    "hard": ("hard_day", lambda rest: () if re.match(r"(?:day|week)\b", rest, re.IGNORECASE) else None),
    "setback": ("hard_day", lambda rest: ()),
}


# --- Pact and apology (issue 13) -------------------------------------------------------------------------
# PACT [ADD words | CHANGE n words | RETIRE n | DROP n | IDEAS | n], AGREE [n], "add to our pact: ...",
# "what's in our pact"; APOLOGY / "help me apologise", SEND, REDO n, CANCEL APOLOGY, NOT READY (THANK YOU is
# the `thanks` command: the conversation gives it to a received apology first).
FIELDS.update({"pact": ("action", "number", "text"), "agree": ("number",), "apology": (), "apology_send": (),
               "apology_redo": ("number",), "apology_cancel": (), "not_ready": ()})
_PACT_PHRASES = {
    "pact": "our pact|the pact|my pact|our trust pact|show our pact|show me our pact|show the pact|whats in our pact|"
            "what is in our pact|whats in the pact|whats our pact|what is our pact|read our pact|list our pact",
    "apology": "apologize|apologise|help me apologize|help me apologise|i want to apologize|i want to apologise|"
               "i need to apologize|i need to apologise|i want to say sorry|help me say sorry|write an apology|"
               "start an apology|i want to write an apology|help me write an apology",
    "apology_send": "send|send it|send my apology|send the apology|send apology|send it anyway|send it now",
    "apology_cancel": "cancel apology|cancel my apology|cancel the apology|delete my apology|delete the apology|"
                      "scrap the apology|discard my apology",
    "not_ready": "not ready|not ready yet|im not ready|i am not ready|im not ready yet|i am not ready yet",
}
_PHRASE_NAMES.update({phrase: name for name, text in _PACT_PHRASES.items() for phrase in text.split("|")})
_STEP_WORDS = {"one": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3}


def _pact(rest: str) -> tuple[str, int | None, str | None]:
    """PACT alone lists; ADD words, CHANGE n words, RETIRE n, DROP n, IDEAS, a number; anything else: how."""
    if not rest:
        return ("list", None, None)
    if match := re.fullmatch(r"(?:add|propose|new)\b[\s:,.-]*(.*)", rest, re.IGNORECASE | re.DOTALL):
        return ("add", None, match[1].strip() or None)
    if match := re.fullmatch(r"(?:change|edit|update|reword)\s*#?\s*([0-9]{1,2})?\b[\s:,.-]*(.*)", rest,
                             re.IGNORECASE | re.DOTALL):
        return ("change", int(match[1]) if match[1] else None, match[2].strip() or None)
    for action, words in (("retire", "retire|remove|end"), ("drop", "drop|decline|withdraw")):
        if match := re.fullmatch(rf"(?:{words})\s*#?\s*([0-9]{{1,2}})?[\s.!]*", rest, re.IGNORECASE):
            return (action, int(match[1]) if match[1] else None, None)
    if re.fullmatch(r"(?:ideas?|suggestions?|examples?)[\s.!?]*", rest, re.IGNORECASE):
        return ("ideas", None, None)
    if match := re.fullmatch(r"#?\s*([0-9]{1,2})[\s.!]*", rest):
        return ("show", int(match[1]), None)
    return ("how", None, None)


def _agree(rest: str) -> tuple[int | None] | None:
    """AGREE, AGREE 2, "agree to 2"; "agree with you" is not this command (it may be an answer)."""
    if not rest:
        return (None,)
    match = re.fullmatch(r"(?:to\s+)?(?:#|number\s+|no\.?\s*)?\s*([0-9]{1,2})[\s.!]*", rest, re.IGNORECASE)
    return (int(match[1]),) if match else None


def _redo(rest: str) -> tuple[int | None] | None:
    """REDO 2, "redo step two"; REDO alone asks which."""
    if not rest:
        return (None,)
    match = re.fullmatch(r"(?:step\s*)?#?\s*(one|two|three|[0-9])[\s.!]*", rest, re.IGNORECASE)
    return (_STEP_WORDS.get(match[1].lower(), 0),) if match else None


_KEYWORDS.update({
    "pact": ("pact", _pact), "agree": ("agree", _agree), "agreed": ("agree", _agree), "redo": ("apology_redo", _redo),
    "apology": ("apology", lambda rest: () if not rest else None),
})
_ADD_TO_PACT = re.compile(r"(?:please\s+)?(?:can\s+we\s+|could\s+we\s+|let'?s\s+|i'?d\s+like\s+to\s+|i\s+want\s+to\s+)?"
                          r"(?:add|put)\s+(?:this\s+|one\s+)?(?:to|in|into)\s+(?:our|the|my)\s+(?:trust\s+)?pact\b"
                          r"[\s:,.-]*(.*)", re.IGNORECASE | re.DOTALL)


def _pact_phrase(text: str) -> Command | None:
    """"add to our pact: we check in every evening" proposes it, like PACT ADD."""
    match = _ADD_TO_PACT.fullmatch(text.replace("\u2019", "'"))
    return Command("pact", ("add", None, match[1].strip() or None)) if match else None
