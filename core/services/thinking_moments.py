""""Thinking about you" moments on a schedule: a daily window and weekdays (e.g. 12:00-16:00 on weekdays).

At a random minute in the window (the same minute for a partner and day however often it is computed) the
sender is asked "Want to tell Sam you're thinking of them? Reply 1 to send": only their reply sends it, as a
hand-sent text with the same limits. Nothing is ever sent in someone's name without them (a care rule: no
automated affection). The recipient's consent, pause, THINKING OFF and quiet hours are respected.
"""
import hashlib
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput
from core.models import Awaiting, NudgeSchedule, Partner, TextKind
from core.services import outbox
from core.words import texts
from core.services.couples import awaited, expect_reply, other_partner

log = logging.getLogger(__name__)

LAST_MINUTE = 24 * 60 - 1  # windows end by 23:59: one day each, never across midnight
OFFER_REPLY_MINUTES = 120  # how long a bare "1" still means "yes, send it"
CATCH_UP_DAYS = 8  # after downtime, look this far back for the latest occurrence (more than a week)


def set_nudge_schedule(session: Session, partner: Partner, window_start_min: int, window_end_min: int,
                       weekdays_mask: int, now: datetime) -> NudgeSchedule:
    """Create or replace the partner's schedule (minutes after local midnight; bit 0 of the mask is Monday)."""
    if not 0 <= window_start_min < window_end_min <= LAST_MINUTE:
        raise InvalidInput("the window must start before it ends, within one day", "bad_window")
    if not 0 < weekdays_mask < 1 << 7:
        raise InvalidInput("choose at least one day of the week", "bad_weekdays")
    schedule = _schedule_of(session, partner) or NudgeSchedule(partner_id=partner.id)
    schedule.window_start, schedule.window_end = window_start_min, window_end_min
    schedule.weekdays, schedule.active = weekdays_mask, True
    schedule.next_at = next_nudge_at(schedule, partner.couple.timezone, now)
    session.add(schedule)
    session.flush()
    return schedule


def stop_nudge_schedule(session: Session, partner: Partner) -> bool:
    """Turn the partner's schedule off; False when there was none running."""
    schedule = _schedule_of(session, partner)
    if schedule is None or not schedule.active:
        return False
    schedule.active, schedule.next_at = False, None
    session.flush()
    return True


def nudge_minute(partner_id: int, day: date, window_start: int, window_end: int) -> int:
    """A minute in [start, end), random-looking but fixed for the partner and day (a replay picks it again)."""
    digest = hashlib.sha256(f"nudge:{partner_id}:{day.isoformat()}".encode()).digest()
    return window_start + int.from_bytes(digest[:8], "big") % (window_end - window_start)


def next_nudge_at(schedule: NudgeSchedule, tz: str, after: datetime) -> datetime | None:
    """The first chosen moment strictly after `after`, on a chosen weekday (DST-safe via local minutes)."""
    first = local_time.local_date(after, tz)
    for offset in range(8):
        day = first + timedelta(days=offset)
        if schedule.weekdays >> day.weekday() & 1:
            minute = nudge_minute(schedule.partner_id, day, schedule.window_start, schedule.window_end)
            at = local_time.at_minute(day, minute, tz)
            if at > after:
                return at
    return None


def plan_nudges(session: Session, now: datetime, limit: int = 100) -> int:
    """Offer each due thinking-about-you moment to its sender, then move the schedule to its next one."""
    schedules = list(session.scalars(
        select(NudgeSchedule).where(NudgeSchedule.active, NudgeSchedule.next_at <= now)
        .order_by(NudgeSchedule.id).limit(limit).with_for_update(skip_locked=True)))
    for schedule in schedules:
        sender = session.get(Partner, schedule.partner_id)
        tz = sender.couple.timezone
        moment = _latest(schedule, tz, now)
        try:
            with session.begin_nested():
                _nudge(session, sender, schedule, moment, now)
        except Exception:  # one partner's bad data must not stop everyone else's
            log.exception("partner %s: thinking-about-you moment failed; skipped this time", sender.id)
        schedule.next_at = next_nudge_at(schedule, tz, now)
    return len(schedules)


def _latest(schedule: NudgeSchedule, tz: str, now: datetime) -> datetime:
    """The most recent chosen moment at or before `now` (after downtime only that one can still be useful)."""
    moment, following = schedule.next_at, next_nudge_at(schedule, tz, max(schedule.next_at,
                                                                            now - timedelta(days=CATCH_UP_DAYS)))
    while following is not None and following <= now:
        moment, following = following, next_nudge_at(schedule, tz, following)
    return moment


def _nudge(session: Session, sender: Partner, schedule: NudgeSchedule, moment: datetime, now: datetime) -> None:
    """One moment: skip it when stale, paused or the partner cannot receive; else offer it to the sender."""
    tz = sender.couple.timezone
    day = local_time.local_date(moment, tz)
    window_end = local_time.at_minute(day, schedule.window_end, tz)
    recipient = other_partner(sender)
    # A sender who said STOP has left texting: nothing more goes out in their name either.
    reason = ("stale" if now >= window_end else "paused" if sender.paused
              else "sender has stopped texts" if not sender.can_text
              else "partner cannot receive texts" if recipient is None or not recipient.can_text
              else "partner paused or turned thinking texts off" if recipient.paused or not recipient.takes_thinking
              else None)
    if reason:
        log.info("partner %s: thinking-about-you moment of %s skipped (%s)", sender.id, day, reason)
    else:
        _offer(session, sender, recipient, day, moment, window_end, now)


def _offer(session: Session, sender: Partner, recipient: Partner, day: date, moment: datetime,
           window_end: datetime, now: datetime) -> None:
    """Ask the sender; their "1" (handled by the SMS side) sends it. One offer a day, so n is 1."""
    if awaited(sender, now) not in (None, Awaiting.NUDGE_OFFER):
        # Another question (a Y/N confirmation) is waiting for their reply; a "1" must not be misread.
        log.info("partner %s: thinking-about-you offer of %s skipped (a reply is awaited)", sender.id, day)
        return
    _, created = outbox.queue(session, sender, outbox.Draft(
        texts.nudge_offer(recipient.display_name), TextKind.NUDGE_OFFER,
        f"nudge-offer:{sender.id}:{day.isoformat()}:1", send_after=moment, expires_at=window_end), now)
    if created:
        expect_reply(sender, Awaiting.NUDGE_OFFER, now, minutes=OFFER_REPLY_MINUTES)



def _schedule_of(session: Session, partner: Partner) -> NudgeSchedule | None:
    return session.scalar(select(NudgeSchedule).where(NudgeSchedule.partner_id == partner.id))
