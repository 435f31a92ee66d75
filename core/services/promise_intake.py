"""Promise intake, written once for voice and text: what was said (a task, a day, a time, in a zone, at `now`)
becomes a stored promise, its reminder time and the words to confirm both, or the reason no reminder can go.

Voice passes the slots it heard (`take_spoken`); SMS passes the words after PROMISE (`take_texted`). Both
then only render the Intake. Nothing here commits.
"""
import re
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


# How people say times out loud. AMAZON.TIME gives "09:00" for both "nine" and "nine AM", and "tonight" often
# lands in the date slot (as today) or in the task; the words below are read the way people mean them.
_PART_WORDS = re.compile(
    r"\b(?:(?P<tomorrow>tomorrow)\s+)?(?P<part>tonight|tonite|night|evening|afternoon|morning|after work|after dinner"
    r"|after lunch|before bed|before work)\b|\bthis\s+(?P<this>evening|afternoon|morning)\b"
    r"|\bin\s+the\s+(?P<inthe>evening|afternoon|morning)\b|\bat\s+(?P<atnight>night)\b", re.IGNORECASE)
#: A part of the day: whether an hour said in it is after noon, and the time when no hour was said.
PARTS = {"tonight": (True, 20 * 60), "tonite": (True, 20 * 60), "night": (True, 20 * 60),
         "evening": (True, 19 * 60), "afternoon": (True, 15 * 60), "morning": (False, 9 * 60),
         "after work": (True, 18 * 60), "after dinner": (True, 20 * 60), "after lunch": (True, 13 * 60),
         "before bed": (True, 21 * 60), "before work": (False, 7 * 60)}


@dataclass(frozen=True)
class SpokenTime:
    """What a spoken promise means: the task without its time words, the day (None: the next such time),
    the minute after midnight, and, when unsure (a morning hour said after it passed: tonight, or tomorrow
    morning?), `other`: the minute of the other reading, so the channel confirms before saving."""

    task: str
    day: date | None
    minute: int | None
    other: int | None = None


def read_spoken(task: str, day: date | None, minute: int | None, tz: str, now: datetime) -> SpokenTime:
    """Read "take out the trash tonight" + "09:00" as 9 PM today, "call mom after work" as 6 PM, and a bare
    hour the way people mean it: 1 to 7 in the afternoon or evening (1 to 5 checked); 8 to 11 in the morning when that is still
    ahead today or a day was said, else tonight, checked with the speaker (`other` is the morning reading)."""
    found = _PART_WORDS.search(task or "")
    part, tomorrow = None, False
    if found:
        part = (found["part"] or found["this"] or found["inthe"] or found["atnight"]).lower()
        tomorrow = bool(found["tomorrow"])
        task = _tidy(task[:found.start()] + " " + task[found.end():])
    today = local_time.local_date(now, tz)
    if tomorrow and day is None:
        day = today + timedelta(days=1)
    if part:
        after_noon, default = PARTS[part]
        if minute is None:
            return SpokenTime(task, day or today, default)
        if 60 <= minute < 12 * 60 and after_noon:
            minute += 12 * 60
        return SpokenTime(task, day or (today if part in ("tonight", "tonite") else None), minute)
    if minute is None or not 60 <= minute < 12 * 60:
        return SpokenTime(task, day, minute)
    if minute < 8 * 60:
        # Few mean 6 AM without saying so (texts read it so too); 1 to 5 could still be the small hours: ask.
        return SpokenTime(task, day, minute + 12 * 60, minute if minute < 6 * 60 else None)
    if day is not None and day != today:
        return SpokenTime(task, day, minute)  # "tomorrow at nine": the morning, as texts read it
    if _ahead(today, minute, tz, now):
        # Still ahead this morning: that, unless "today" (or "tonight", which Alexa sends as today) was said.
        return SpokenTime(task, day, minute, minute + 12 * 60 if day is not None else None)
    # The morning hour has passed: tonight, surely when "today" was said, else checked (or tomorrow morning?).
    return SpokenTime(task, day, minute + 12 * 60, None if day is not None else minute)


def _ahead(day: date | None, minute: int, tz: str, now: datetime) -> bool:
    return due_at(day, minute, tz, now)[0] > now


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.;:!-")
    return re.sub(r"(?:\s+\b(?:at|on|by|around|this|the|for|in)\b)+$", "", text, flags=re.IGNORECASE)


def move_spoken(session: Session, promiser: Partner, promise: Promise, day: date | None, minute_of_day: int,
                tz: str, now: datetime) -> Intake:
    """"Move it to nine PM": the same promise at a new local day and time (no day: its own day, or the next
    such time when that has passed), with its reminders planned again."""
    if day is None:
        day = local_time.local_date(promise.due_at, tz)
        if due_at(day, minute_of_day, tz, now)[0] <= now:
            day = None
    due, moved = due_at(day, minute_of_day, tz, now)
    return _moved(session, promiser, promise, due, moved, now)


def move_texted(session: Session, promiser: Partner, promise: Promise, words: str, tz: str, now: datetime) -> Intake:
    """MOVE 1 9pm / "move it to tomorrow 7pm"; without a readable time, only the task comes back."""
    _, said = split_task_and_said_time(words, tz, now)
    if said is None:
        return Intake(promise.text)
    due, moved = (said.instant, False) if said.instant else _instant(said.local, tz)
    return _moved(session, promiser, promise, due, moved, now)


def _moved(session: Session, promiser: Partner, promise: Promise, due: datetime, moved: bool,
           now: datetime) -> Intake:
    promises.move_promise(session, promiser, promise, due, now)
    at, why_not = reminder_plan(promiser, promise, now)
    words = describe_near(at, promise.due_at, promise.timezone, now) if at else None
    return Intake(promise.text, promise, describe_local(promise.due_at, promise.timezone, now), at, words, why_not,
                  moved)
