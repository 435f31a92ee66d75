"""Simulated time: move the clock forward in steps and run the scheduler's pass at each one, so every text
goes out at its own time (a reminder at 17:30, its follow-up at 18:30), not all at the end."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core import local_time
from core.models import Couple, NudgeSchedule, OutboundMessage
from core.time_phrases import split_task_and_time
from scheduler import jobs
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
    return local_time.local_now(instant, tz).strftime("%a %H:%M")


def advance(world, target: datetime) -> int:
    """Step the clock to `target`, stopping at each due time (and at least every MAX_STEP) to run a pass."""
    passes = 0
    while world.clock() < target:
        now = world.clock()
        due = next_due(world, now)
        world.clock.set(min(target, now + MAX_STEP, due or target))
        run_pass(world)
        passes += 1
    return passes


def next_due(world, now: datetime) -> datetime | None:
    """The soonest time after `now` at which the scheduler has something to do, from our own tables."""
    queries = [select(func.min(OutboundMessage.send_after)).where(OutboundMessage.state == "queued",
                                                                  OutboundMessage.send_after > now),
               select(func.min(Couple.next_question_at)).where(Couple.next_question_at > now),
               select(func.min(Couple.next_summary_at)).where(Couple.next_summary_at > now),
               select(func.min(NudgeSchedule.next_at)).where(NudgeSchedule.active, NudgeSchedule.next_at > now)]
    with world.runtime.sessions() as session:
        times = [session.scalar(query) for query in queries]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def run_pass(world) -> None:
    """One scheduler pass at the clock's time, the same one `python -m scheduler --once` runs (plan what is
    due into the outbox, then dispatch), plus the hourly housekeeping round when an hour has gone by."""
    jobs.run_once(world.runtime, world.dispatcher)
    if world.clock() - world.tidied >= HOUSEKEEPING:
        jobs.tidy(world.runtime, world.dispatcher)
        world.tidied = world.clock()
