"""Promise intake, written once for voice and text: what was said (a task, a day, a time, in a zone, at `now`)
becomes a stored promise, its reminder time and the words to confirm both, or the reason no reminder can go.

Voice passes the slots it heard (`take_spoken`); SMS passes the words after PROMISE (`take_texted`). Both
then only render the Intake. Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from core import local_time
from core.models import Partner, Promise
from core.services import promises
from core.time_phrases import split_task_and_said_time
from core.words.times import describe_local, describe_near

TOO_SOON = "too_soon"  # Intake.no_reminder: the promise is due too soon for a useful reminder


@dataclass(frozen=True)
class Intake:
    """What a channel needs to confirm a promise. `promise` is None when no time could be read from the words
    (then `task` is what was understood, to ask "when?"). `no_reminder` is None when a reminder goes, else
    TOO_SOON or the texting refusal (Partner.text_refusal: no_phone, opted_out, phone_invalid, no_consent).
    `clock_moved` says the time asked does not exist that day (clocks spring forward) and the first time that
    does was taken."""

    task: str
    promise: Promise | None = None
    due_words: str | None = None
    reminder_at: datetime | None = None
    reminder_words: str | None = None
    no_reminder: str | None = None
    clock_moved: bool = False


def due_at(day: date | None, minute_of_day: int, tz: str, now: datetime) -> tuple[datetime, bool]:
    """The UTC instant of a day and time said in `tz` (with no day, a time already past means tomorrow), and
    whether a spring-forward gap moved it (local_time.local_to_utc moves it to the gap's end)."""
    today = local_time.local_now(now, tz).replace(tzinfo=None)
    wall = datetime.combine(day or today.date(), time(minute_of_day // 60, minute_of_day % 60))
    if day is None and wall <= today:
        wall += timedelta(days=1)
    return _instant(wall, tz)


def take_spoken(session: Session, promiser: Partner, task: str, day: date | None, minute_of_day: int, tz: str,
                now: datetime, source_id: str | None = None) -> Intake:
    """A promise from voice slots: the task, an optional local day and the minute after midnight."""
    due, moved = due_at(day, minute_of_day, tz, now)
    return _take(session, promiser, task, due, moved, tz, now, source_id)


def take_texted(session: Session, promiser: Partner, words: str, tz: str, now: datetime,
                source_id: str | None = None) -> Intake:
    """A promise from free words ("call mom tomorrow 6pm"); without a readable time, only the task comes back."""
    task, said = split_task_and_said_time(words, tz, now)
    if said is None:
        return Intake(task)
    due, moved = (said.instant, False) if said.instant else _instant(said.local, tz)
    return _take(session, promiser, task, due, moved, tz, now, source_id)


def reminder_plan(promiser: Partner, promise: Promise, now: datetime) -> tuple[datetime | None, str | None]:
    """When the promise's reminder text goes, or None and why not (a texting refusal, or TOO_SOON)."""
    refusal = promiser.text_refusal()
    if refusal:
        return None, refusal
    at = promises.reminder_time(promise, now)
    return at, None if at else TOO_SOON


def _take(session: Session, promiser: Partner, task: str, due: datetime, moved: bool, tz: str, now: datetime,
          source_id: str | None) -> Intake:
    """Store the promise (once per source id; InvalidInput for a past or far time) and describe it."""
    promise = promises.make_promise(session, promiser, task, due, tz, now, source_id=source_id)
    at, why_not = reminder_plan(promiser, promise, now)
    words = describe_near(at, promise.due_at, promise.timezone, now) if at else None
    return Intake(promise.text, promise, describe_local(promise.due_at, promise.timezone, now), at, words, why_not,
                  moved)


def _instant(wall: datetime, tz: str) -> tuple[datetime, bool]:
    """A naive wall-clock time in `tz` as UTC, and whether it had to move (it fell in a spring-forward gap)."""
    instant = local_time.local_to_utc(wall, tz)
    return instant, local_time.local_now(instant, tz).replace(tzinfo=None) != wall
