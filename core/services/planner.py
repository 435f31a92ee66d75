"""The planner: finds due work in the couples table and queues texts (the daily question by SMS, the weekly
check-in with the week's figures), in each couple's own time zone.

Each plan_* call handles one batch of due couples, claimed with FOR UPDATE SKIP LOCKED so a second
scheduler on PostgreSQL skips them, queues texts under unique idempotency keys (a replay queues nothing
new), advances the couple's next_*_at and returns how many couples it handled. The caller commits, and
calls again while a full batch came back. What is still useful after downtime is sent; what is stale is
skipped with a log line; a couple that fails is logged and moved on, so it never blocks the others, and
is tried again a few minutes later (its next_*_at advances only once its texts are queued).
"""
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from core import local_time
from core.models import Channel, Couple, NudgeSchedule, Partner, Setback, TextKind
from core.services import checkins, outbox, questions, setbacks, summary, weekly_checkin
from core.services.weekly_checkin import next_weekly  # noqa: F401  (the planner's weekly clock, re-exported)
from core.words import texts

log = logging.getLogger(__name__)

SUNDAY, SUMMARY_MINUTE = 6, 18 * 60  # the default weekly check-in time: Sunday 18:00 local (Couple.weekly_*)
SUMMARY_STALE = timedelta(days=1)  # a weekly text that reaches Monday morning still reads well; later, it does not
RETRY_AFTER = timedelta(minutes=5)  # a couple whose planning failed (a database error) is tried again then
FIRST_SUMMARY_AFTER = timedelta(days=3)  # a first "week" of a few hours says nothing


def anything_due(session: Session, now: datetime) -> bool:
    """Whether any planner has work at `now` (a question, a summary or a summary date to set, a
    thinking-about-you moment): one statement on three indexes, so an idle tick costs one round trip."""
    due = (exists().where(Couple.next_question_at <= now), exists().where(Couple.next_summary_at <= now),
           exists().where(Couple.next_summary_at.is_(None)),
           exists().where(NudgeSchedule.active, NudgeSchedule.next_at <= now),
           # Weekly ritual (issue 13): small wins to look for, and a setback's day of pause to lift.
           exists().where(or_(Couple.next_win_check_at.is_(None), Couple.next_win_check_at <= now)),
           exists().where(Setback.pause_until <= now))
    return bool(session.scalar(select(or_(*due))))


def plan_questions(session: Session, now: datetime, limit: int = 100, bank=None) -> int:
    """Text the day's question to partners who have not heard or answered it; advance next_question_at."""
    couples = _claim_due(session, Couple.next_question_at <= now, limit)
    for couple in couples:
        day = _last_day_at(couple, couple.question_minute, now, step=1)
        _skipped(couple, "daily question", couple.next_question_at, day - timedelta(days=1))
        if _guarded(couple, "daily question", _question, session, couple, day, now, bank):
            couple.next_question_at = local_time.at_minute(day + timedelta(days=1), couple.question_minute,
                                                          couple.timezone)
        else:  # not queued: the day's question is tried again soon (it gives up by itself once stale)
            couple.next_question_at = now + RETRY_AFTER
    return len(couples)


def question_window(partner: Partner, day: date) -> tuple[datetime, datetime, bool]:
    """When `day`'s question is due for `partner`, until when it is worth sending, and whether quiet hours
    apply. It expires at the partner's own quiet start (or midnight); a shared question time inside their
    quiet hours is the couple's agreed time (each partner is told when it changes) and is sent at that
    time, until midnight."""
    couple, tz = partner.couple, partner.couple.timezone
    due = local_time.at_minute(day, couple.question_minute, tz)
    midnight = local_time.at_minute(day + timedelta(days=1), 0, tz)
    chosen_in_quiet = partner.in_quiet_hours(due)
    if chosen_in_quiet or partner.quiet_start == partner.quiet_end:
        return due, midnight, not chosen_in_quiet
    return due, min(midnight, local_time.next_at_minute(due, partner.quiet_start * 60, tz)), True


def _question(session: Session, couple: Couple, day: date, now: datetime, bank) -> None:
    """Queue `day`'s question for each partner who needs it, unless they paused or their day passed."""
    _, question = questions.todays_question(session, couple, now, bank)
    for partner in couple.partners:
        if not partner.can_text or questions.has_heard(session, partner, day) \
                or checkins.has_answered(session, partner, day):
            continue
        due, expires, respect_quiet = question_window(partner, day)
        if partner.paused or now >= expires:
            log.info("partner %s: daily question of %s skipped (%s)", partner.id, day,
                     "paused" if partner.paused else "stale: their quiet hours or the next day had begun")
            continue
        body = texts.daily_question(questions.wording(question, partner), question.tip)
        outbox.queue(session, partner, outbox.Draft(
            body, TextKind.DAILY_QUESTION, f"daily-question:{partner.id}:{day.isoformat()}", send_after=due,
            expires_at=expires, respect_quiet=respect_quiet), now)
        questions.mark_heard(session, partner, Channel.SMS, now)


def plan_weekly(session: Session, now: datetime, limit: int = 100,
                revisit: weekly_checkin.Revisit | None = weekly_checkin.pact_revisit) -> int:
    """At each couple's weekly time (default Sunday evening), text each partner the weekly check-in's first
    question with the week's couple-level figures after it; first give new couples their first date."""
    fresh = _claim_due(session, Couple.next_summary_at.is_(None), limit)
    for couple in fresh:
        start = max(now, couple.created_at + FIRST_SUMMARY_AFTER)
        couple.next_summary_at = next_weekly(start, couple.weekly_day, couple.weekly_minute, couple.timezone)
    couples = _claim_due(session, Couple.next_summary_at <= now, limit)
    for couple in couples:
        day = _last_day_at(couple, couple.weekly_minute, now, step=7)
        _skipped(couple, "weekly check-in", couple.next_summary_at, day - timedelta(days=7))
        if _guarded(couple, "weekly check-in", _weekly, session, couple, day, now, revisit):
            couple.next_summary_at = local_time.at_minute(day + timedelta(days=7), couple.weekly_minute,
                                                         couple.timezone)
        else:
            couple.next_summary_at = now + RETRY_AFTER
    return len(fresh) + len(couples)


def _weekly(session: Session, couple: Couple, day: date, now: datetime, revisit) -> None:
    """Queue the weekly check-in for each partner who takes texts, unless they paused or it is a day late;
    a partner whose own trend has been declining is also offered a counsellor (setbacks, once a month)."""
    due = local_time.at_minute(day, couple.weekly_minute, couple.timezone)
    if now >= due + SUMMARY_STALE:
        log.info("couple %s: weekly check-in of %s skipped (stale)", couple.id, day)
        return
    weekly_checkin.open_week(session, couple, due, revisit)
    for partner in couple.partners:
        if not partner.can_text or partner.paused:
            continue
        sent_at = partner.quiet_hours_end(due) if partner.in_quiet_hours(due) else due
        asked = weekly_checkin.ask_by_text(session, partner, now, asked_at=sent_at)
        if asked is not None:
            figures = summary.weekly_summary(session, partner, due).text()  # the week that ended at `due`
            outbox.queue(session, partner, outbox.Draft(
                texts.weekly_checkin(asked.step, asked.words, figures), TextKind.WEEKLY_CHECKIN,
                f"weekly-checkin:{partner.id}:{day.isoformat()}", send_after=due, expires_at=due + SUMMARY_STALE), now)
        setbacks.suggest_counsellor(session, partner, now)


def _claim_due(session: Session, condition, limit: int) -> list[Couple]:
    """Up to `limit` matching couples, locked for this transaction; rows another planner holds are skipped."""
    return list(session.scalars(select(Couple).where(condition).order_by(Couple.id).limit(limit)
                                .with_for_update(skip_locked=True).options(selectinload(Couple.partners))))


def _last_day_at(couple: Couple, minute: int, now: datetime, step: int) -> date:
    """The latest local day (the couple's weekly day when step is 7) whose `minute` is at or before `now`:
    after downtime only the most recent occurrence can still be useful."""
    tz = couple.timezone
    day = local_time.local_date(now, tz)
    if step == 7:
        day -= timedelta(days=(day.weekday() - couple.weekly_day) % 7)
    return day if local_time.at_minute(day, minute, tz) <= now else day - timedelta(days=step)


def _skipped(couple: Couple, what: str, scheduled: datetime, last_stale: date) -> None:
    """Say which occurrences downtime made stale: they are never sent."""
    first = local_time.local_date(scheduled, couple.timezone)
    if first <= last_stale:
        log.info("couple %s: %s of %s to %s skipped (stale: the scheduler was not running)", couple.id, what,
                 first, last_stale)


def _guarded(couple: Couple, what: str, work, session: Session, *args) -> bool:
    """Run one couple's work in a savepoint; a failure is logged and rolled back, and the caller moves on.
    True when the work was done (its texts queued, or rightly skipped)."""
    try:
        with session.begin_nested():
            work(session, *args)
        return True
    except Exception:  # one couple's bad data must not stop every other couple's texts
        log.exception("couple %s: %s failed; trying again in %d minutes", couple.id, what,
                      RETRY_AFTER // timedelta(minutes=1))
        return False
