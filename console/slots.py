"""Slot types as the console hears them: a regex that finds a value, and Alexa's normal form for it.

AMAZON.DATE becomes "2026-11-24" and AMAZON.TIME "18:00", read with the project's own time rules
(core.time_phrases), so "at six" means the same thing by voice as it does by text; "this evening" is Alexa's "EV".
AMAZON.PhoneNumber takes digits or digit words ("oh", "double seven") and gives the digits, as Alexa does.
AMAZON.FirstName takes one word that is not a common English word.
"""
import re
from datetime import datetime

from core import local_time
from core.time_phrases import split_task_and_time

_HOURS = "one two three four five six seven eight nine ten eleven twelve".split()
_NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty").split()
_MINUTES = {"oh five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
            "forty five": 45, "fifty": 50}
_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTH = ("january|february|march|april|may|june|july|august|september|october|november|december"
          "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_AP = r"[ap]\.?\s?m\.?"

DATE = (rf"(?:today|tonight|tomorrow|(?:(?:next|this|coming)\s+)?(?:{_WEEKDAY})"
        rf"|(?:{_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH}))")
TIME = (rf"(?:noon|midday|midnight|\d{{1,2}}(?::[0-5]\d)?(?:\s*{_AP})?"
        rf"|(?:{'|'.join(_HOURS)})(?:\s+(?:{'|'.join(_MINUTES)}))?(?:\s+o'?clock)?(?:\s*{_AP})?)")
NUMBER = rf"(?:\d{{1,3}}|{'|'.join(_NUMBERS)})"
#: Alexa's values for the parts of the day ("this evening" -> "EV").
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
PART_OF_DAY = r"(?:(?:this|in\s+the|the)\s+)?(?:morning|afternoon|evening|night)"
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIGIT = rf"(?:\d+|{'|'.join(_DIGIT_WORDS)})"
PHONE = rf"(?:\+?(?:(?:double|triple)\s+)?{_DIGIT}(?:[\s-]+(?:(?:double|triple)\s+)?{_DIGIT})*)"
FIRST_NAME = r"(?:[a-z][a-z'-]*)"
PHRASE = r"(?:.+?)"

#: Common English words that Alexa's first-name catalogue does not hold, so a name slot never takes them.
NOT_NAMES = set("""a an the hi hello hey yes no ok okay stop cancel help quit exit thanks thank please what why
how when where who music weather news time today tomorrow tonight promise promises question answer summary me
you it this that nothing something everything play pause resume open start sorry good bad fine great tired
done finished here there now again back in out up down on off all still just really actually not never
ready busy home safe scared afraid new leaving speaking talking gone over through well sure right wrong
my your our their his her its we they he she i am is are was were be been being have has had do did does
and or but so if then than to of for from with without about at by as into onto after before
check kept keep missed move cancel delete skip pass link set sign log call text tell send invite add
private privately honest honestly weekly week day daily mood number phone partner wife husband girlfriend
boyfriend someone somebody anyone everyone nobody trust builder alexa echo""".split())

PATTERNS = {"AMAZON.DATE": DATE, "AMAZON.TIME": rf"(?:{TIME}|{PART_OF_DAY})", "AMAZON.NUMBER": NUMBER,
            "AMAZON.FirstName": FIRST_NAME, "AMAZON.PhoneNumber": PHONE}


def pattern_for(slot_type: str) -> str:
    """The regex (no groups) that a value of `slot_type` must match; free text for other types."""
    return PATTERNS.get(slot_type, PHRASE)


def is_free(slot_type: str) -> bool:
    """Phrase-like types whose captures count against a sample's specificity."""
    return slot_type not in ("AMAZON.DATE", "AMAZON.TIME", "AMAZON.NUMBER", "AMAZON.PhoneNumber")


def normalize(slot_type: str, spoken: str, now: datetime, tz: str) -> str | None:
    """Alexa's value for what was said, or None when it is not a value of that type."""
    spoken = " ".join(spoken.split())
    reader = _READERS.get(slot_type)
    return reader(spoken, now, tz) if reader else (spoken or None)


def _date(spoken: str, now: datetime, tz: str) -> str | None:
    """ "tomorrow" -> "2026-11-24" in the device's time zone."""
    rest, instant = split_task_and_time(spoken, tz, now)
    if instant is None or rest:
        return None
    return local_time.local_date(instant, tz).isoformat()


def _time(spoken: str, now: datetime, tz: str) -> str | None:
    """ "six", "6 pm", "5:30", "noon" -> "HH:MM" (a bare 1-7 is evening, as for texts); "this evening" -> "EV"."""
    part = re.fullmatch(PART_OF_DAY, spoken.lower())
    if part:
        return PARTS_OF_DAY[spoken.lower().split()[-1]]
    rest, instant = split_task_and_time(f"at {_digits(spoken)}", tz, now)
    if instant is None or rest:
        return None
    return local_time.local_now(instant, tz).strftime("%H:%M")


def _digits(spoken: str) -> str:
    """ "six thirty pm" -> "6:30 pm", "seven o'clock" -> "7", so core.time_phrases reads it."""
    text = re.sub(r"\s+o'?clock\b", "", spoken.lower())
    match = re.match(rf"({'|'.join(_HOURS)})(?:\s+({'|'.join(_MINUTES)}))?\b(.*)", text)
    if not match:
        return text
    hour = _HOURS.index(match[1]) + 1
    minutes = f":{_MINUTES[match[2]]:02d}" if match[2] else ""
    return f"{hour}{minutes}{match[3]}"


def _number(spoken: str, now: datetime, tz: str) -> str | None:
    """ "four" or "4" -> "4"."""
    word = spoken.lower()
    if word.isdigit():
        return str(int(word))
    return str(_NUMBERS.index(word)) if word in _NUMBERS else None


def _first_name(spoken: str, now: datetime, tz: str) -> str | None:
    """One word that could be a name, capitalised the way Alexa returns it."""
    word = spoken.lower()
    if not re.fullmatch(FIRST_NAME, word) or word in NOT_NAMES or _looks_like_a_verb_or_adverb(word):
        return None
    return word.capitalize()


def _phone(spoken: str, now: datetime, tz: str) -> str | None:
    """ "five five five oh one double two", "555-0122" -> "5550122": the digits, 7 to 15 of them."""
    words, digits, repeat = spoken.lower().replace("-", " ").replace("+", " ").split(), [], 1
    for word in words:
        if word in ("double", "triple"):
            repeat = 2 if word == "double" else 3
            continue
        digit = word if word.isdigit() else _DIGIT_WORDS.get(word)
        if digit is None:
            return None
        digits.append(digit * repeat if len(digit) == 1 else digit)
        repeat = 1
    number = "".join(digits)
    return number if 7 <= len(number) <= 15 else None


def _looks_like_a_verb_or_adverb(word: str) -> bool:
    """ "scaring", "answered", "really": word forms no first-name catalogue holds."""
    return (len(word) > 5 and word.endswith("ing")) or (len(word) > 5 and word.endswith("ed")) \
        or (len(word) > 4 and word.endswith("ly"))


_READERS = {"AMAZON.DATE": _date, "AMAZON.TIME": _time, "AMAZON.NUMBER": _number, "AMAZON.FirstName": _first_name,
            "AMAZON.PhoneNumber": _phone}
