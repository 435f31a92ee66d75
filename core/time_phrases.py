"""Natural-language times people say or text for promises ("call mom tomorrow at 6pm", "in 2 hours").

Pure: no Flask, Twilio or Alexa. The time phrase is found with our own regexes and resolved with our own rules
(dateparser's search misses phrases, and its parse rolls "jun 12" said on June 12 to next year and "friday"
said on a Friday to next week). What is found is a wall-clock time in the couple's zone (naive, read with
core.local_time) or, for "in 2 hours", an absolute instant.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.local_time import as_utc, local_to_utc
from core.words.times import MONTHS as _MONTHS, WEEKDAYS as _WEEKDAYS

_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_NUM = r"[0-9]{1,2}|" + "|".join(_WORDS)
_AP = r"(?P<ap>[ap])\.?m\b\.?"
_AT = r"(?:\b(?:at|by|around)\s+|@\s*)?"
_PARTS = "morning|afternoon|evening|night"
_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")


def _rx(pattern: str) -> re.Pattern:
    """Compile a case-insensitive, ASCII-only pattern (so "ſix" or "fıve" cannot pose as number words)."""
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


_DURATION = _rx(rf"\bin\s+(?P<n>[0-9]{{1,3}}|an?|half\s+an?|{'|'.join(_WORDS)})\s+"
                r"(?P<unit>min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?)\b")
_MONTHDAY = _rx(rf"\b(?:on\s+)?(?:(?P<mon>{_MONTH})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?"
                rf"|(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MONTH}))\b")
_WEEKDAY = _rx(rf"\b(?:on\s+)?(?:(?P<mod>next|this|coming)\s+)?(?P<wd>{'|'.join(_WEEKDAYS)})"
               rf"(?:\s+(?P<part>{_PARTS}))?\b")
_RELDAY = _rx(rf"\b(?:(?P<day>today|tonight|tonite|tomorrow|tmrw|tmr)(?:\s+(?P<part>{_PARTS}))?"
              r"|this\s+(?P<part2>morning|afternoon|evening))\b")
_PART = _rx(r"\b(?:in\s+the\s+(?P<part>morning|afternoon|evening)|at\s+(?P<night>night))\b")
_CLOCKS = [
    _rx(rf"{_AT}(?<![0-9:.])\b(?P<h>{_NUM})(?:[:.](?P<m>[0-5][0-9]))?\s*{_AP}"),  # 6pm, 6:30 pm, six p.m.
    _rx(rf"{_AT}(?<![0-9:.])\b(?P<h>[0-9]{{1,2}}):(?P<m>[0-5][0-9])\b(?!:)"),  # 18:30, 6:30
    _rx(rf"(?:\b(?:at|by|around)\s+|@\s*)\b(?P<h>{_NUM})(?:\s*o'?clock)?\b(?![:.,]?[0-9%$])"),  # at six
    _rx(rf"\b(?P<h>{_NUM})\s*o'?clock\b"),  # six o'clock
    _rx(rf"{_AT}\b(?P<w>noon|midday|midnight)\b"),
]
_CLOCK_AT_START = _rx(rf"\s*(?:at\s+)?(?:(?P<w>noon|midday|midnight)"
                     rf"|(?P<h>[0-9]{{1,2}})(?:[:.](?P<m>[0-5][0-9]))?\s*(?:{_AP})?)(?![0-9:])")
_DEFAULT_HOUR = {None: 9, "today": 18, "morning": 9, "afternoon": 15, "evening": 19, "night": 20}


@dataclass(frozen=True)
class SaidTime:
    """A time found in words: the wall-clock time in the zone (`local`, naive) or, for a duration such as
    "in 2 hours", the absolute instant (`instant`, aware UTC)."""

    local: datetime | None = None
    instant: datetime | None = None


def split_task_and_said_time(text: str, tz: str, now: datetime) -> tuple[str, SaidTime | None]:
    """Split "call mom tomorrow at 6pm" into ("call mom", the time said), or (text, None)."""
    now = as_utc(now)
    local_now = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    scan = _Scan(text)
    delta = scan.take(_DURATION, _duration)
    if delta is not None and delta < timedelta(days=1):  # minutes and hours are absolute, not wall-clock
        return _tidy(scan.text), SaidTime(instant=now + delta)
    day, part = _day(scan, local_now.date(), delta)
    clock = scan.take_first(_CLOCKS, _clock)
    part = part or scan.take(_PART, lambda m: (m["part"] or m["night"]).lower())
    if day is None and clock is None and part is None:
        return text, None
    return _tidy(scan.text), SaidTime(local=_combine(day, clock, part, local_now))


def split_task_and_time(text: str, tz: str, now: datetime) -> tuple[str, datetime | None]:
    """Split "call mom tomorrow at 6pm" into ("call mom", the aware UTC instant), or (text, None)."""
    task, said = split_task_and_said_time(text, tz, now)
    if said is None:
        return task, None
    return task, said.instant or local_to_utc(said.local, tz)


def parse_clock(text: str) -> tuple[int, int] | None:
    """Read a leading clock time ("7pm", "7:30 pm", "19", "noon") as (hour, minute); no am/pm is 24-hour."""
    match = _CLOCK_AT_START.match(text)
    clock = _clock(match) if match else None
    return clock[:2] if clock else None


class _Scan:
    """Working copy of the text; found phrases are blanked with spaces so offsets stay valid."""

    def __init__(self, text: str):
        self.text = text

    def take(self, pattern: re.Pattern, convert):
        """Blank the first match that converts to a value and return that value (None if none do)."""
        for match in pattern.finditer(self.text):
            value = convert(match)
            if value is not None:
                start, end = match.span()
                self.text = self.text[:start] + " " * (end - start) + self.text[end:]
                return value
        return None

    def take_first(self, patterns: list[re.Pattern], convert):
        """Take with each pattern in turn until one finds something."""
        for pattern in patterns:
            value = self.take(pattern, convert)
            if value is not None:
                return value
        return None


def _day(scan: _Scan, today: date, delta: timedelta | None) -> tuple[date | None, str | None]:
    """Find the date phrase, most specific first; return the date and any part of day it names."""
    found = scan.take(_MONTHDAY, lambda m: _month_day(m, today))
    found = found or scan.take(_WEEKDAY, lambda m: _weekday(m, today))
    found = found or scan.take(_RELDAY, lambda m: _relday(m, today))
    if found:
        return found
    return (today + delta, None) if delta else (None, None)


def _month_day(match: re.Match, today: date) -> tuple[date, None] | None:
    """The next Dec 24 (today counts); None for dates that do not exist, such as Feb 30."""
    month = _MONTHS.index((match["mon"] or match["mon2"])[:3].lower()) + 1
    day = int(match["d"] or match["d2"])
    for year in (today.year, today.year + 1, today.year + 4):  # +4 reaches the next Feb 29
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate, None
    return None


def _weekday(match: re.Match, today: date) -> tuple[date, str | None]:
    """The coming weekday ("next" means the same); the same weekday means next week unless "this"."""
    ahead = (_WEEKDAYS.index(match["wd"].lower()) - today.weekday()) % 7
    if ahead == 0 and (match["mod"] or "").lower() != "this":
        ahead = 7
    return today + timedelta(days=ahead), (match["part"] or "").lower() or None


def _relday(match: re.Match, today: date) -> tuple[date, str | None]:
    """Today, tonight, tomorrow (morning...), this evening."""
    word = (match["day"] or "this").lower()
    part = (match["part"] or match["part2"] or "").lower() or None
    if word in ("tonight", "tonite"):
        return today, "night"
    if word.startswith("tm") or word == "tomorrow":
        return today + timedelta(days=1), part
    return today, part or ("today" if word == "today" else None)


def _duration(match: re.Match) -> timedelta | None:
    """"in 2 hours", "in half an hour", "in a week" as a timedelta."""
    raw = re.sub(r"\s+", " ", match["n"].lower())
    count = 0.5 if raw.startswith("half") else 1 if raw in ("a", "an") else _number(raw)
    unit = match["unit"].lower()
    if unit.startswith("h"):
        return timedelta(hours=count)
    if unit.startswith("m"):
        return timedelta(minutes=count)
    return timedelta(days=count * (7 if unit.startswith("w") else 1))


def _clock(match: re.Match) -> tuple[int, int, bool] | None:
    """Hour, minute and whether the hour may still be pm; None when the numbers are not a time of day."""
    groups = match.groupdict()
    if groups.get("w"):
        return (0, 0, False) if groups["w"].lower() == "midnight" else (12, 0, False)
    hour, minute, ap = _number(match["h"].lower()), int(groups.get("m") or 0), (groups.get("ap") or "").lower()
    if ap:
        return ((hour % 12) + (12 if ap == "p" else 0), minute, False) if 1 <= hour <= 12 else None
    return (hour, minute, not match["h"].startswith("0")) if hour <= 23 else None  # "06:30" is plainly 24-hour


def _combine(day: date | None, clock: tuple | None, part: str | None, local_now: datetime) -> datetime:
    """Build the local wall time; with no date, a time already past today means tomorrow."""
    hour, minute = _hour(*clock, part) if clock else (_DEFAULT_HOUR[part], 0)
    when = datetime.combine(day or local_now.date(), time(hour, minute))
    if day is None and when <= local_now:
        when += timedelta(days=1)
    return when


def _hour(hour: int, minute: int, maybe_pm: bool, part: str | None) -> tuple[int, int]:
    """Guess pm for a bare hour said for the afternoon/evening/night, or 1-7 outside the morning."""
    later = part in ("afternoon", "evening", "night") or (1 <= hour <= 7 and part != "morning")
    return (hour + 12 if maybe_pm and hour < 12 and later else hour), minute  # few mean 6 AM without saying so


def _number(word: str) -> int:
    """Digits or a number word (one..twelve) as an int."""
    return int(word) if word.isdigit() else _WORDS.index(word) + 1


def _tidy(text: str) -> str:
    """Drop the blanks and dangling little words left where the time phrase was, and a leading "to"."""
    text = re.sub(r"\s+", " ", text).strip(" ,.;:!-")
    text = re.sub(r"(?:\s+\b(?:at|on|by|around|this|next|the|for)\b)+$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^to\b\s*", "", text.strip(" ,.;:!-"), flags=re.IGNORECASE)
    return text.strip(" ,.;:!-")

