"""Simulated time: move the clock forward in steps and run the scheduler's pass at each one, so every text
goes out at its own time (a reminder at 17:30, its follow-up at 18:30), not all at the end."""
import re
from datetime import datetime, time, timedelta

from core import local_time
from core.time_phrases import split_task_and_time
from devkit.stepping import step_to
from scheduler import jobs
from scheduler.__main__ import HOUSEKEEPING_SECONDS

HOUSEKEEPING = timedelta(seconds=HOUSEKEEPING_SECONDS)
MAX_STEP = timedelta(minutes=15)  # between due times the scheduler still looks every quarter hour
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"([a-z]{3,9})\.?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)
_DELTA = re.compile(r"\+\s*(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)


def parse_target(spec: str, now: datetime, tz: str) -> datetime | None:
    """"+3h", "+30m", "+1d2h" from now; "fri 18:45", "monday 9am" (the next such weekday at that time, today
    if still to come); or a local time like "18:30", "tomorrow 19:00" (a time of day already past means
    tomorrow). None when unreadable or not in the future."""
    spec = spec.strip()
    delta = _DELTA.fullmatch(spec)
    if delta and any(delta.groups()):
        weeks, days, hours, minutes = (int(g or 0) for g in delta.groups())
        return now + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    if not spec or spec.startswith("+"):
        return None
    weekday = _weekday_target(spec, now, tz)
    if weekday is not None:
        return weekday
    rest, target = split_task_and_time(spec, tz, now)
    return target if target is not None and not rest and target > now else None


def next_weekday_at(now: datetime, tz: str, weekday: int, hour: int, minute: int) -> datetime:
    """The next local `weekday` (0 = Monday) at hour:minute after `now`: today when that is still to come,
    else the coming one (a week on when it is that weekday already)."""
    today = local_time.local_date(now, tz)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    target = local_time.local_to_utc(datetime.combine(day, time(hour, minute)), tz)
    return target if target > now else local_time.local_to_utc(datetime.combine(day + timedelta(days=7),
                                                                               time(hour, minute)), tz)


def _weekday_target(spec: str, now: datetime, tz: str) -> datetime | None:
    """ "fri 18:45", "Friday at 6:45pm", "mon 9am" as the next such moment; None when it is not that form."""
    match = _WEEKDAY.fullmatch(spec)
    weekday = match and next((n for n, name in enumerate(WEEKDAYS) if name.startswith(match[1].lower())), None)
    hour_minute = match and _hour_minute(match)
    return None if weekday is None or not hour_minute else next_weekday_at(now, tz, weekday, *hour_minute)


def _hour_minute(match: re.Match) -> tuple[int, int] | None:
    """(hour, minute) of "18:45", "6:30pm", "9am"; None out of range, or for a bare "6" (morning or evening?)."""
    hour, minute, half = int(match[2]), int(match[3] or 0), (match[4] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[3] is None:
        return None
    return (hour, minute) if hour < 24 and minute < 60 else None


def show(instant: datetime, tz: str) -> str:
    """Local day and time, e.g. "Mon 09:00"."""
    return local_time.local_now(instant, tz).strftime("%a %H:%M")


def advance(world, target: datetime) -> int:
    """Step the clock to `target`, stopping at each due time (and at least every MAX_STEP) to run a pass."""
    return step_to(world.clock, target, world.runtime.sessions, lambda: run_pass(world), MAX_STEP)


def run_pass(world) -> None:
    """One scheduler pass at the clock's time, the same one `python -m scheduler --once` runs (plan what is
    due into the outbox, then dispatch), plus the hourly housekeeping round when an hour has gone by."""
    jobs.run_once(world.runtime, world.dispatcher)
    if world.clock() - world.tidied >= HOUSEKEEPING:
        jobs.tidy(world.runtime, world.dispatcher)
        world.tidied = world.clock()
