"""The SMS command parser against real phrasings, including answers that merely look like commands."""
import pytest
from hypothesis import given, settings, strategies as st

from sms.commands import FIELDS, Command, parse_command

C = Command

PHRASINGS = [
    # join / invite
    ("JOIN Alex", C("join", ("Alex",))),
    ("join alex!", C("join", ("alex",))),
    ("Join Mary Ann 😊", C("join", ("Mary Ann",))),
    ("join", C("join", (None,))),
    ("JOIN Ty", C("join", ("Ty",))),
    ("please join alex", C("join", ("alex",))),
    ("join us for dinner tonight", C("answer", ("join us for dinner tonight",))),
    ("INVITE +1 415 555 0100 Sam", C("invite", ("+1 415 555 0100", "Sam"))),
    ("invite (415) 555-0100 sam", C("invite", ("(415) 555-0100", "sam"))),
    ("invite 4155550100", C("invite", ("4155550100", None))),
    ("INVITE", C("invite", (None, None))),
    ("invite her to dinner", C("answer", ("invite her to dinner",))),
    ("invite Sam 415-555-0102", C("invite", ("415-555-0102", "Sam"))),  # the name first
    ("I promise to book the restaurant for Saturday", C("promise", ("book the restaurant for Saturday",))),
    ("what did sam say?", C("share")), ("What did my partner say", C("share")),
    ("where's my question today?", C("question")), ("I didn't get my question", C("question")),
    # care: safety, undo, private, share it
    ("SAFETY", C("safety")), ("I don't feel safe", C("safety")), ("sos", C("safety")),
    ("UNDO", C("undo")), ("take back my answer", C("undo")),
    ("PRIVATE I was tired today", C("private", ("I was tired today",))), ("private", C("private", (None,))),
    ("SHARE IT", C("share_it")), ("yes, share it", C("share_it")),
    # yes / no: short affirmatives alone only
    ("YES", C("yes")), ("y", C("yes")), ("yeah", C("yes")), ("Yep!", C("yes")), ("ok", C("yes")),
    ("Okay thanks", C("yes")), ("👍", C("yes")),
    ("Yes I did call her", C("answer", ("Yes I did call her",))),
    ("NO", C("no")), ("n", C("no")), ("nope.", C("no")), ("No thanks", C("no")),
    ("No way, that was the best day", C("answer", ("No way, that was the best day",))),
    # question
    ("Q", C("question")), ("QUESTION", C("question")), ("what's the question?", C("question")),
    ("What\u2019s today\u2019s question", C("question")), ("today's question", C("question")),
    ("question: why did you lie?", C("answer", ("question: why did you lie?",))),
    # mood
    ("MOOD 4", C("mood", (4,))), ("mood: 4/5", C("mood", (4,))), ("mood five", C("mood", (5,))),
    ("MOOD 9", C("mood", (9,))), ("MOOD", C("mood", (None,))), ("Mood?", C("mood", (None,))),
    (" mood 3 today was ok 😊 ", C("mood", (3,))), ("mood 4.5", C("mood", (None,))),
    ("Please mood 2", C("mood", (2,))),
    ("mood is low today", C("answer", ("mood is low today",))),
    # promises
    ("PROMISE call mom tomorrow at 6pm", C("promise", ("call mom tomorrow at 6pm",))),
    ("promise: to be home by 7", C("promise", ("to be home by 7",))),
    ("promise", C("promise", ("",))),
    ("PROMISES", C("promises")), ("my promises", C("promises")), ("list promises", C("promises")),
    ("Show my promises please", C("promises")),
    ("KEPT", C("kept", (None,))), ("DONE 2", C("kept", (2,))), ("kept #2", C("kept", (2,))),
    ("done!", C("kept", (None,))), ("kept number 3", C("kept", (3,))),
    ("MISSED 1", C("missed", (1,))), ("missed", C("missed", (None,))),
    ("I didn't keep my promise", C("missed", (None,))), ("I let it slip", C("missed", (None,))),
    ("CANCEL 1", C("cancel", (1, None))), ("cancel my promise to call mom", C("cancel", (None, "call mom"))),
    ("cancel it", C("stop")), ("CANCEL", C("stop")),  # "cancel it" may mean the texts: honoured as STOP
    ("cancel culture is exhausting", C("answer", ("cancel culture is exhausting",))),
    ("MOVE 1 9pm", C("move", (1, None, "9pm"))), ("move it to tomorrow 7pm", C("move", (None, None, "tomorrow 7pm"))),
    ("move my promise to call mom to friday 6pm", C("move", (None, "call mom", "friday 6pm"))),
    ("move in together someday", C("answer", ("move in together someday",))),
    ("kept thinking about you all day", C("answer", ("kept thinking about you all day",))),
    ("missed you so much today", C("answer", ("missed you so much today",))),
    ("done with this conversation", C("answer", ("done with this conversation",))),
    # thinking of you
    ("THINKING", C("thinking")), ("thinking of you", C("thinking")), ("Thinking of you ❤️", C("thinking")),
    ("❤️", C("thinking")), ("❤", C("thinking")), ("💕", C("thinking")), ("😘", C("thinking")),
    ("❤️ 💕  💖", C("thinking")), ("<3", C("thinking")), ("❤️\u200d🔥", C("thinking")),
    ("💔", C("answer", ("💔",))), ("😊", C("answer", ("😊",))),
    ("I think we did well today", C("answer", ("I think we did well today",))),
    # share / summary / pause / resume / help
    ("SHARE", C("share")), ("share my answer", C("share")), ("summary", C("summary")),
    ("Summary please!", C("summary")), ("weekly summary", C("summary")),
    ("Share your feelings first, then I will", C("answer", ("Share your feelings first, then I will",))),
    ("PAUSE", C("pause")), ("pause for now", C("pause")), ("pause reminders please", C("pause")),
    ("RESUME", C("resume")), ("resume reminders", C("resume")), ("unpause", C("resume")),
    ("HELP", C("help")), ("INFO", C("help")), ("?", C("help")), ("help me", C("help")), ("HELP 2", C("help_more")), ("more help", C("help_more")),
    ("help me understand why you lied", C("answer", ("help me understand why you lied",))),
    # time / quiet / tz / link
    ("TIME 7pm", C("time", ("19:00",))), ("time 7:30 pm", C("time", ("19:30",))),
    ("time 19", C("time", ("19:00",))), ("time 19:30", C("time", ("19:30",))),
    ("time: 8am please", C("time", ("08:00",))), ("time at noon", C("time", ("12:00",))),
    ("TIME", C("time", (None,))), ("time 25", C("time", (None,))), ("time 13pm", C("time", (None,))),
    ("time together matters most", C("answer", ("time together matters most",))),
    ("QUIET 21-8", C("quiet", (21, 8))), ("quiet 9pm-8am", C("quiet", (21, 8))),
    ("quiet 21:00 - 08:00", C("quiet", (21, 8))), ("quiet hours 10pm to 7am", C("quiet", (22, 7))),
    ("quiet", C("quiet", (None, None))), ("quiet 25-99", C("quiet", (None, None))),
    ("quiet 9pm", C("quiet", (None, None))),
    ("quiet evening together", C("answer", ("quiet evening together",))),
    ("TZ America/Chicago", C("tz", ("America/Chicago",))), ("timezone london", C("tz", ("london",))),
    ("time zone: new york", C("tz", ("new york",))), ("tz", C("tz", (None,))),
    ("LINK 123456", C("link", ("123456",))), ("link 123 456", C("link", ("123456",))),
    ("link", C("link", (None,))), ("link up later?", C("answer", ("link up later?",))),
    # opt-out and opt-in: the exact word only, as Twilio does
    ("STOP", C("stop")), ("stop.", C("stop")), (" Stop! ", C("stop")), ("STOPALL", C("stop")),
    ("unsubscribe", C("stop")), ("END", C("stop")), ("quit", C("stop")), ("Cancel", C("stop")),
    ("OPT-OUT", C("stop")), ("optout", C("stop")), ("revoke", C("stop")),
    ("Stop worrying so much, I think we are fine",
     C("answer", ("Stop worrying so much, I think we are fine",))),
    ("the end", C("answer", ("the end",))),
    ("START", C("start")), ("unstop", C("start")),
    ("start over tomorrow?", C("answer", ("start over tomorrow?",))),
    # delete
    ("DELETE MY DATA", C("delete")), ("delete my data please", C("delete")),
    ("Delete my account.", C("delete")),
    ("delete that last message lol", C("answer", ("delete that last message lol",))),
    # a bare number answers a "Reply 1 to..." prompt
    ("1", C("number", (1,))), ("2", C("number", (2,))), (" #1 ", C("number", (1,))), ("3.", C("number", (3,))),
    ("100", C("answer", ("100",))),
    # everything else
    ("We talked for an hour and it felt good", C("answer", ("We talked for an hour and it felt good",))),
    ("  spaced out answer  ", C("answer", ("spaced out answer",))),
    # the answer is kept without the "my answer is" the skill teaches
    ("my answer is I felt heard", C("answer", ("I felt heard",))), ("My answer: patience", C("answer", ("patience",))),
    ("Answer: we laughed", C("answer", ("we laughed",))), ("my answer is - honesty", C("answer", ("honesty",))),
    ("my answer is", C("answer", ("my answer is",))), ("answer me honestly", C("answer", ("answer me honestly",))),
    ("my answers are short", C("answer", ("my answers are short",))),
    ("", C("empty")), ("   \n\t", C("empty")), ("\x00", C("empty")),
    ("THINKING OFF", C("thinking_texts", (False,))), ("thinking on", C("thinking_texts", (True,))),
    ("Thinking off please", C("thinking_texts", (False,))), ("thinking stop", C("thinking_texts", (False,))),
    ("thinking about you always", C("answer", ("thinking about you always",))),
    ("ROLE hurt", C("role", ("hurt",))), ("role: mostly repairing", C("role", ("mostly repairing",))),
    ("ROLE", C("role", (None,))), ("change my role", C("role", (None,))),
    ("SKIP", C("skip")), ("skip this one", C("skip")), ("a different question", C("skip")),
    ("another question please", C("skip")),
    ("TELL", C("tell")), ("tell them", C("tell")), ("let them know", C("tell")),
    ("thanks", C("thanks")), ("Thank you!", C("thanks")), ("THX", C("thanks")), ("thanks so much", C("thanks")),
    ("thanks for listening last night", C("answer", ("thanks for listening last night",))),
    # Weekly ritual (issue 13)
    ("WEEKLY", C("weekly", (None, None, False))), ("weekly check-in", C("weekly", (None, None, None))),
    ("let's do our weekly check in", C("weekly", (None, None, None))),
    ("WEEKLY sun 6pm", C("weekly", (6, "18:00", True))), ("weekly: Tuesday at 19:30", C("weekly", (1, "19:30", True))),
    ("weekly whenever", C("weekly", (None, None, True))), ("weekly summary", C("summary")),
    ("PROMISE IT tue 7pm", C("focus_promise", ("tue 7pm",))), ("make it a promise", C("focus_promise", (None,))),
    ("RATE 6 5 7", C("rate", (6, 5, 7, True))), ("rate 6/5/7", C("rate", (6, 5, 7, True))),
    ("rate seven six eight", C("rate", (7, 6, 8, True))), ("RATE", C("rate", (None, None, None, False))),
    ("rate 6 5", C("rate", (None, None, None, True))), ("rate 6.5 5 7", C("rate", (None, None, None, True))),
    ("TREND", C("trend")), ("how am I doing?", C("trend")),
    ("HARD DAY", C("hard_day")), ("we had a setback", C("hard_day")), ("Hard day, feeling low", C("hard_day")),
    ("today was hard because of work", C("answer", ("today was hard because of work",))),
    ("LOGIN", C("login")), ("log in please", C("login")), ("Sign in", C("login")), ("send me a link", C("login")),
    ("LINK 123 456", C("link", ("123456",))), ("login to see my page tonight", C("answer", ("login to see my page tonight",))),
    # the trust pact and the guided apology (issue 13)
    ("PACT", C("pact", ("list", None, None))), ("what's in our pact?", C("pact", (None, None, None))),
    ("PACT ADD we check in every evening", C("pact", ("add", None, "we check in every evening"))),
    ("Add to our pact: I tell you when plans change", C("pact", ("add", None, "I tell you when plans change"))),
    ("pact change 2 we check in most evenings", C("pact", ("change", 2, "we check in most evenings"))),
    ("PACT RETIRE 1", C("pact", ("retire", 1, None))), ("pact drop #3", C("pact", ("drop", 3, None))),
    ("PACT IDEAS", C("pact", ("ideas", None, None))), ("PACT 2", C("pact", ("show", 2, None))),
    ("PACT we check in", C("pact", ("how", None, None))),
    ("AGREE", C("agree", (None,))), ("agree 2", C("agree", (2,))), ("I agree with you", C("answer", ("I agree with you",))),
    ("APOLOGY", C("apology")), ("help me apologise", C("apology")), ("I want to say sorry", C("apology")),
    ("apology for being late", C("answer", ("apology for being late",))),
    ("SEND", C("apology_send")), ("send it", C("apology_send")), ("REDO 2", C("apology_redo", (2,))),
    ("redo step three", C("apology_redo", (3,))), ("REDO", C("apology_redo", (None,))),
    ("cancel my apology", C("apology_cancel")), ("NOT READY", C("not_ready")), ("I'm not ready yet", C("not_ready")),
    ("thank you", C("thanks")),
]


@pytest.mark.parametrize(("body", "expected"), PHRASINGS, ids=[repr(body)[:40] for body, _ in PHRASINGS])
def test_phrasing(body, expected):
    assert parse_command(body) == expected


def test_table_is_broad():
    assert len(PHRASINGS) >= 80
    assert {expected.name for _, expected in PHRASINGS} == set(FIELDS)


def test_get_reads_args_by_field_name():
    command = parse_command("INVITE +1 415 555 0100 Sam")
    assert (command.get("phone"), command.get("name")) == ("+1 415 555 0100", "Sam")


def test_none_body_is_empty():
    assert parse_command(None) == C("empty")


_ODD_TEXT = st.one_of(
    st.text(),
    st.text(max_size=2000, min_size=1500),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.text(alphabet="❤️💕😘💔\u200d\ufe0f \x00\x07\r\n?#:/-.0123456789", max_size=30),
    st.builds(lambda k, t: f"{k} {t}", st.sampled_from(
        ["mood", "kept", "done", "missed", "time", "quiet", "link", "invite", "join", "tz", "promise", "MOOD"]),
        st.text(max_size=40)),
)


@settings(max_examples=400, deadline=None)
@given(_ODD_TEXT)
def test_never_raises_and_names_are_known(body):
    command = parse_command(body)
    assert command.name in FIELDS
    assert len(command.args) == len(FIELDS[command.name])
