"""Simulated time: move the clock forward in steps and run the scheduler's pass at each one, so every text
goes out at its own time (a reminder at 17:30, its follow-up at 18:30), not all at the end."""
import re
from datetime import datetime, timedelta

from core import timezones
from core.when import split_task_and_time
from devkit.stepping import step_to
from scheduler import passes
from scheduler.__main__ import HOUSEKEEPING_SECONDS

HOUSEKEEPING = timedelta(seconds=HOUSEKEEPING_SECONDS)
MAX_STEP = timedelta(minutes=15)  # between due times the scheduler still looks every quarter hour
_DELTA = re.compile(r"\+\s*(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)


def parse_target(spec: str, now: datetime, tz: str) -> datetime | None:
    """"+3h", "+30m", "+1d2h" from now; or a local time like "18:30", "tomorrow 19:00", "sunday 18:00"
    (a time of day already past means tomorrow). None when unreadable or not in the future."""
    spec = spec.strip()
    delta = _DELTA.fullmatch(spec)
    if delta and any(delta.groups()):
        weeks, days, hours, minutes = (int(g or 0) for g in delta.groups())
        return now + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    if not spec or spec.startswith("+"):
        return None
    rest, target = split_task_and_time(spec, tz, now)
    return target if target is not None and not rest and target > now else None


def show(instant: datetime, tz: str) -> str:
    """Local day and time, e.g. "Mon 09:00"."""
    return timezones.local_now(instant, tz).strftime("%a %H:%M")


def advance(world, target: datetime) -> int:
    """Step the clock to `target`, stopping at each due time (and at least every MAX_STEP) to run a pass."""
    return step_to(world.clock, target, world.runtime.sessions, lambda: run_pass(world), MAX_STEP)


def run_pass(world) -> None:
    """One scheduler pass at the clock's time, the same one `python -m scheduler --once` runs (plan what is
    due into the outbox, then dispatch), plus the hourly housekeeping round when an hour has gone by."""
    passes.run_once(world.runtime, world.dispatcher)
    if world.clock() - world.tidied >= HOUSEKEEPING:
        passes.tidy(world.runtime, world.dispatcher)
        world.tidied = world.clock()
