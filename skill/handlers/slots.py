"""Reading slots: the heard value of any slot, AMAZON.DATE as a local date, AMAZON.TIME as minutes after midnight."""
import re
from datetime import date

from ask_sdk_core.handler_input import HandlerInput

#: AMAZON.TIME's parts of the day, at the same hours core.time_phrases uses for "morning", "evening"...
PARTS_OF_DAY = {"MO": 9 * 60, "AF": 15 * 60, "EV": 19 * 60, "NI": 20 * 60}
_CLOCK = re.compile(r"T?(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
_DAY = re.compile(r"(\d{4}|XXXX)-(\d{2})-(\d{2})")
_TIME_PART = re.compile(r"T\d.*$")  # "2026-11-24T18:00" keeps its date; "PRESENT_REF" keeps its T
_WEEKEND = re.compile(r"(\d{4})-W(\d{1,2})-WE")


def slot_value(handler_input: HandlerInput, name: str) -> str | None:
    """The heard value of slot `name` in this intent request, or None when it was not filled."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slot = (intent.slots or {}).get(name) if intent is not None else None
    return slot.value if slot is not None else None


def minute_of_day(value: str | None) -> int | None:
    """"18:00", "T18:00", "06:30:00" or a part of day ("EV") as minutes after midnight; None otherwise."""
    text = (value or "").strip().upper()
    if text.lstrip("T") in PARTS_OF_DAY:
        return PARTS_OF_DAY[text.lstrip("T")]
    match = _CLOCK.fullmatch(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])


def local_day(value: str | None, today: date) -> date | None:
    """A single day from an AMAZON.DATE value; None for ranges (weeks, months) and anything unreadable."""
    text = _TIME_PART.sub("", (value or "").strip().upper())
    if text == "PRESENT_REF":
        return today
    if match := _WEEKEND.fullmatch(text):
        return _saturday(int(match[1]), int(match[2]))
    match = _DAY.fullmatch(text)
    if not match:
        return None
    if match[1] == "XXXX":
        return _next_month_day(int(match[2]), int(match[3]), today)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if abs((day - today).days) <= 366 else None  # also keeps date arithmetic far from year 9999


def _saturday(year: int, week: int) -> date | None:
    """The Saturday of ISO week `week` ("this weekend")."""
    try:
        return date.fromisocalendar(year, week, 6)
    except ValueError:
        return None


def _next_month_day(month: int, day: int, today: date) -> date | None:
    """The next such month and day from today (today counts), for dates said without a year."""
    for year in range(today.year, today.year + 9):  # far enough to reach the next Feb 29
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None

