"""The planner: finds due work in the couples table and queues texts (the daily question by SMS, the weekly
check-in with the week's figures), in each couple's own time zone.

Each plan_* call handles one batch of due couples, claimed with FOR UPDATE SKIP LOCKED so a second
scheduler on PostgreSQL skips them, queues texts under unique idempotency keys (a replay queues nothing
new), advances the couple's next_*_at and returns how many couples it handled. The caller commits, and
calls again while a full batch came back. What is still useful after downtime is sent; what is stale is
skipped with a log line; a couple that fails is logged and moved on, so it never blocks the others, and
is tried again a few minutes later (its next_*_at advances only once its texts are queued).
"""
import functools
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from core import local_time
from core.models import Channel, Couple, NudgeSchedule, Partner, Setback, TextKind
from core.services import checkins, outbox, planning_rows, questions, setbacks, summary, weekly_checkin
from core.services.weekly_checkin import next_weekly  # noqa: F401  (the planner's weekly clock, re-exported)
from core.words import texts
from prompts.bank import load_bank
from prompts.daily import choose_question

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
    """Text the day's question to partners who have not heard or answered it; advance next_question_at.
    The batch is planned together, in a few statements (planning_rows); if one of them fails, its couples are
    planned again one by one, so a bad row delays only its own couple."""
    bank = bank or load_bank()
    couples = planning_rows.claim_due(session, Couple.next_question_at <= now, limit)
    if not couples:
        return 0
    try:
        with session.begin_nested():
            next_at, one_by_one = _questions_together(session, couples, now, bank)
    except Exception:  # a statement for the whole batch failed: nothing of it was kept
        log.warning("planning %d couples' questions together failed; planning them one by one", len(couples),
                    exc_info=True)
        next_at, one_by_one = {}, [couple.id for couple in couples]
    for couple in _couples(session, one_by_one):
        next_at[couple.id] = _plan_question(session, couple, now, bank)
    planning_rows.set_next_question_at(session, next_at)
    return len(couples)


def _plan_question(session: Session, couple: Couple, now: datetime, bank) -> datetime:
    """One couple's question, planned on its own; returns its next next_question_at."""
    day = _last_day_at(couple, couple.question_minute, now, step=1)
    _skipped(couple, "daily question", couple.next_question_at, day - timedelta(days=1))
    if _guarded(couple, "daily question", _question, session, couple, day, now, bank):
        return local_time.at_minute(day + timedelta(days=1), couple.question_minute, couple.timezone)
    return now + RETRY_AFTER  # not queued: the day's question is tried again soon (it gives up once stale)


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


# ---- the day's question for a batch of couples at once ------------------------------------------------------
# The same decisions as plan_questions' one-couple path (_plan_question, _question, questions.todays_question,
# outbox.queue, questions.mark_heard), made on plain rows read for the whole batch in one statement each:
# the partners, stored prompts, histories, heard marks and answers; then the prompts, texts and heard marks
# are stored with one insert each. tests/scheduler/test_planner_batch.py checks the two paths agree.

def _questions_together(session: Session, couples: list, now: datetime, bank) -> tuple[dict, list[int]]:
    """Plan the batch (planning_rows.CoupleRow, partners loaded); returns ({couple id: next
    next_question_at}, ids to plan one by one instead)."""
    next_at, one_by_one, asked = {}, [], []  # asked: (couple row, day, today)
    times = _TimesMemo(now)
    planning_rows.load_partners(session, couples)
    for couple in couples:
        try:
            day, today, following = times.of(couple)
            if times.local_date(couple.next_question_at, couple.timezone) <= day - timedelta(days=1):
                _skipped(couple, "daily question", couple.next_question_at, day - timedelta(days=1))
            asked.append((couple, day, today))
            next_at[couple.id] = following
        except Exception:  # one couple's bad data (a time zone that no longer exists) must not stop the rest
            log.exception("couple %s: daily question failed; trying again in %d minutes", couple.id,
                          RETRY_AFTER // timedelta(minutes=1))
            next_at[couple.id] = now + RETRY_AFTER
    questions_of = _todays_questions(session, asked, now, bank, one_by_one)
    wanted = [(p.id, day) for couple, day, _ in asked for p in couple.partners]
    heard, answered = planning_rows.heard(session, wanted), planning_rows.answered(session, wanted)
    drafts, marks = [], []
    for couple, day, today in asked:
        question = questions_of.get(couple.id)
        if question is None:
            continue
        for partner in couple.partners:
            if not partner.can_text or (partner.id, day) in heard or (partner.id, day) in answered:
                continue
            due, expires, respect_quiet = times.window(partner, day)
            if partner.paused or now >= expires:
                log.info("partner %s: daily question of %s skipped (%s)", partner.id, day,
                         "paused" if partner.paused else "stale: their quiet hours or the next day had begun")
                continue
            drafts.append(dict(partner_id=partner.id, to_phone=partner.phone,
                               body=_daily_question_text(questions.wording(question, partner), question.tip),
                               kind=TextKind.DAILY_QUESTION, idempotency_key=f"daily-question:{partner.id}:"
                               f"{day.isoformat()}", send_after=due, expires_at=expires, respect_quiet=respect_quiet))
            marks.append(dict(partner_id=partner.id, local_date=today, channel=Channel.SMS, at=now))
    planning_rows.queue_texts(session, drafts, now)
    planning_rows.mark_heard(session, marks)
    for couple_id in one_by_one:
        next_at.pop(couple_id, None)
    return next_at, one_by_one


def _todays_questions(session: Session, asked: list, now: datetime, bank, one_by_one: list[int]) -> dict:
    """Each asked couple's question of its local date, as questions.todays_question gives it: the stored one,
    else chosen by the rule (the couple's history, age and roles, as questions._choose) and stored (if another
    server stored one first, theirs stands). A stored id the bank no longer has is left to the one-couple
    path (added to `one_by_one`), which replaces it."""
    stored = planning_rows.stored_prompts(session, ((couple.id, today) for couple, _, today in asked))
    missing = {couple.id: (couple, today) for couple, _, today in asked if (couple.id, today) not in stored}
    chosen = {}
    histories = planning_rows.histories(session, {couple_id: today for couple_id, (_, today) in missing.items()})
    for couple_id, history in histories.items():
        couple, today = missing[couple_id]
        chosen[couple_id] = choose_question(bank, history, f"{couple_id}:{today.isoformat()}",
                                            age_days=questions.age_days(couple, today),
                                            roles=questions.roles_of(couple)).id
    stored_here = planning_rows.insert_prompts(session, [
        dict(couple_id=c, local_date=missing[c][1], question_id=q, created_at=now) for c, q in chosen.items()])
    if stored_here != set(chosen):  # another server stored some first: theirs stand
        stored.update(planning_rows.stored_prompts(session, ((c, missing[c][1]) for c in chosen
                                                             if c not in stored_here)))
    found = {}
    for couple, _, today in asked:
        question_id = chosen[couple.id] if couple.id in stored_here else stored.get((couple.id, today))
        if question_id in bank:
            found[couple.id] = bank.by_id(question_id)
        else:
            one_by_one.append(couple.id)
    return found


@functools.lru_cache(maxsize=1024)
def _daily_question_text(words: str, tip: str) -> str:
    """texts.daily_question, kept per wording: a batch asks for the same few hundred again and again."""
    return texts.daily_question(words, tip)


class _TimesMemo:
    """A couple's day and next question time at `now` depend only on its time zone and question minute, and a
    partner's question window also on their quiet hours, which most people share: worked out once each."""

    def __init__(self, now: datetime):
        self.now, self._days, self._windows, self._dates = now, {}, {}, {}

    def of(self, couple) -> tuple:
        """(day, today, next question time) as plan_questions computes them."""
        key = (couple.timezone, couple.question_minute)
        if key not in self._days:
            day = _last_day_at(couple, couple.question_minute, self.now, step=1)
            self._days[key] = (day, local_time.local_date(self.now, couple.timezone),
                               local_time.at_minute(day + timedelta(days=1), couple.question_minute, couple.timezone))
        return self._days[key]

    def window(self, partner, day: date) -> tuple:
        """question_window(partner, day)."""
        key = (partner.couple.timezone, partner.couple.question_minute, partner.quiet_start, partner.quiet_end, day)
        if key not in self._windows:
            self._windows[key] = question_window(partner, day)
        return self._windows[key]

    def local_date(self, moment: datetime, tz: str) -> date:
        if (moment, tz) not in self._dates:
            self._dates[moment, tz] = local_time.local_date(moment, tz)
        return self._dates[moment, tz]


def _couples(session: Session, ids: list[int]) -> list[Couple]:
    """These couples as ORM objects with their partners, for the one-couple path (already locked)."""
    if not ids:
        return []
    return list(session.scalars(select(Couple).where(Couple.id.in_(ids)).order_by(Couple.id)
                                .options(selectinload(Couple.partners))))
