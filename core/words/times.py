"""How a time is said, by voice and by text: "6 PM", "5:30 PM", "today at 6 PM", "Friday at 9 AM", "Dec 24 at 9 AM"."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.local_time import as_utc

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def clock(minute_of_day: int) -> str:
    """The one clock formatter: "7 PM", "7:30 AM", "12 AM" for a minute after local midnight."""
    hour, minute = divmod(minute_of_day, 60)
    suffix = "AM" if hour < 12 else "PM"
    return f"{hour % 12 or 12}:{minute:02d} {suffix}" if minute else f"{hour % 12 or 12} {suffix}"


def describe_local(dt_utc: datetime, tz: str, now: datetime) -> str:
    """Say an instant in plain local words: "today at 6 PM", "Friday at 9 AM", "Dec 24 at 9 AM"."""
    zone = ZoneInfo(tz)
    local = as_utc(dt_utc).astimezone(zone)
    return f"{day_words(local.date(), as_utc(now).astimezone(zone).date())} at {clock(local.hour * 60 + local.minute)}"


def day_words(day: date, today: date) -> str:
    """Today / tomorrow / yesterday / a weekday within the week / "Dec 24" (plus the year when far off)."""
    ahead = (day - today).days
    if -1 <= ahead <= 1:
        return ("yesterday", "today", "tomorrow")[ahead + 1]
    if 2 <= ahead <= 6:
        return WEEKDAYS[day.weekday()].capitalize()
    year = f", {day.year}" if day.year != today.year and abs(ahead) > 183 else ""
    return f"{MONTHS[day.month - 1].capitalize()} {day.day}{year}"


def describe_near(dt_utc: datetime, anchor_utc: datetime, tz: str, now: datetime) -> str:
    """"at 5:30 PM" when `dt_utc` falls on `anchor_utc`'s local day (a reminder on the promise's day), else the
    whole describe_local ("tomorrow at 8 PM")."""
    zone = ZoneInfo(tz)
    local, anchor = as_utc(dt_utc).astimezone(zone), as_utc(anchor_utc).astimezone(zone)
    if local.date() == anchor.date():
        return f"at {clock(local.hour * 60 + local.minute)}"
    return describe_local(dt_utc, tz, now)
