"""Setbacks: HARD DAY / "we had a setback" notes a dated setback for the partner who said it. Nothing is
erased by it (answers, promises, wins all stay); the reply is gentle and offers a day without questions
(the per-person pause, lifted by itself a day later); the day shows in that partner's trend as an event.

When a partner's own moods, setbacks and weekly ratings have been going down for several weeks, a couples
counsellor is suggested to them once, with the safety lines, and not again for COUNSELLOR_QUIET. This is
the one counsellor rule (the weekly summary no longer has its own). Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.models import Awaiting, CheckIn, CounsellorSuggestion, Partner, Setback, TextKind
from core.safety import as_text, resources_for
from core.services import outbox, personal_settings, ratings
from core.services.couples import clear_awaited, expect_reply
from core.words import texts

PAUSE_FOR = timedelta(days=1)
OFFER_MINUTES = 60  # how long "Reply YES to pause your questions for a day" waits
COUNSELLOR_QUIET = timedelta(days=30)
WEEKS = 4  # the decline is read over this many weeks
MOOD_DROP = 0.25  # per week, on the 1-5 mood scale
RATING_DROP = 0.5  # per week, on the 0-10 scale


@dataclass(frozen=True)
class Noted:
    """A setback noted (`already`: one was noted today), and whether a day's pause can be offered."""

    setback: Setback
    already: bool
    can_pause: bool


def note_hard_day(session: Session, partner: Partner, source_id: str, now: datetime, by_text: bool = False
                  ) -> Noted:
    """Note today's setback (once a day; a retried source id notes nothing more). By text, a YES in the next
    hour pauses the questions for a day."""
    today = local_time.local_date(now, partner.couple.timezone)
    found = session.scalar(select(Setback).where(Setback.partner_id == partner.id, Setback.local_date == today))
    already = found is not None
    if found is None:
        found = Setback(partner_id=partner.id, local_date=today, source_id=source_id, created_at=now)
        try:
            with session.begin_nested():
                session.add(found)
        except IntegrityError:
            found, already = session.scalar(select(Setback).where(
                Setback.partner_id == partner.id, Setback.local_date == today)), True
    can_pause = not partner.paused
    if by_text and can_pause:
        expect_reply(partner, Awaiting.SETBACK_PAUSE, now, ref=found.id, minutes=OFFER_MINUTES)
    return Noted(found, already, can_pause)


def days_of(session: Session, partner: Partner) -> list[date]:
    """The days this partner noted a setback, oldest first: their own, shown only to them as dated events."""
    return list(session.scalars(select(Setback.local_date).where(Setback.partner_id == partner.id)
                                .order_by(Setback.local_date)))


def pause_for_a_day(session: Session, partner: Partner, now: datetime) -> datetime | None:
    """YES to the offer: this partner's questions pause until this time tomorrow (their PAUSE, lifted by
    itself); None when they had already paused (their own PAUSE is never lifted for them)."""
    if partner.awaiting == Awaiting.SETBACK_PAUSE:
        clear_awaited(partner)
    if partner.paused:
        return None
    today = local_time.local_date(now, partner.couple.timezone)
    setback = session.scalar(select(Setback).where(Setback.partner_id == partner.id, Setback.local_date == today))
    if setback is None:
        return None
    personal_settings.set_paused(session, partner, True)
    setback.pause_until = now + PAUSE_FOR
    session.flush()
    return setback.pause_until


def decline_offer(partner: Partner) -> None:
    """NO to the offer: nothing changes."""
    if partner.awaiting == Awaiting.SETBACK_PAUSE:
        clear_awaited(partner)


def resume_due(session: Session, now: datetime, limit: int = 100) -> int:
    """Lift the day's pauses that have run out (a RESUME before then already lifted it); returns how many."""
    due = list(session.scalars(select(Setback).where(Setback.pause_until <= now).order_by(Setback.id)
                               .limit(limit).with_for_update(skip_locked=True)))
    for setback in due:
        partner = session.get(Partner, setback.partner_id)
        if partner is not None and partner.erased_at is None:
            personal_settings.set_paused(session, partner, False)
        setback.pause_until = None
    session.flush()
    return len(due)


# The counsellor suggestion ---------------------------------------------------------------------------

def declining(session: Session, partner: Partner, now: datetime) -> bool:
    """Over the last WEEKS weeks: at least two of the partner's own signals (moods, setbacks, ratings) going
    down and none going up. Each signal needs three weeks of its own data to say anything."""
    today = local_time.local_date(now, partner.couple.timezone)
    start = today - timedelta(weeks=WEEKS) + timedelta(days=1)
    signals = [_mood_signal(session, partner, start, today), _setback_signal(session, partner, today),
               _rating_signal(session, partner, start)]
    return signals.count(-1) >= 2 and 1 not in signals


def _weekly(points: list[tuple[date, float]], start: date) -> list[tuple[date, float]]:
    """Average the points within each week from `start` (a week with none is left out)."""
    buckets: dict[int, list[float]] = {}
    for day, value in points:
        buckets.setdefault((day - start).days // 7, []).append(value)
    return [(start + timedelta(weeks=k), sum(v) / len(v)) for k, v in sorted(buckets.items())]


def _signal(points: list[tuple[date, float]], drop: float) -> int | None:
    if len(points) < 3:
        return None
    change = ratings.slope(points)
    return -1 if change <= -drop else 1 if change >= drop else 0


def _mood_signal(session: Session, partner: Partner, start: date, today: date) -> int | None:
    rows = session.execute(select(CheckIn.local_date, CheckIn.mood).where(  # moods are encrypted: read here
        CheckIn.partner_id == partner.id, CheckIn.local_date >= start, CheckIn.local_date <= today)).all()
    return _signal(_weekly([(d, m) for d, m in rows if m is not None], start), MOOD_DROP)


def _setback_signal(session: Session, partner: Partner, today: date) -> int | None:
    """More hard days in the last two weeks than in the two before, and at least two: going down."""
    days = list(session.scalars(select(Setback.local_date).where(
        Setback.partner_id == partner.id, Setback.local_date > today - timedelta(weeks=WEEKS))))
    recent = sum(1 for d in days if d > today - timedelta(weeks=2))
    earlier = len(days) - recent
    if recent >= 2 and recent > earlier:
        return -1
    return 1 if earlier >= 2 and recent < earlier else 0


def _rating_signal(session: Session, partner: Partner, start: date) -> int | None:
    return _signal(ratings.weekly_averages(session, partner, local_time.week_start(start)), RATING_DROP)


def counsellor_due(session: Session, partner: Partner, now: datetime) -> bool:
    """The suggestion is due: the partner's trend declines, and they were not told in the last month."""
    last = session.scalar(select(CounsellorSuggestion.at).where(CounsellorSuggestion.partner_id == partner.id)
                          .order_by(CounsellorSuggestion.at.desc()).limit(1))
    if last is not None and last > now - COUNSELLOR_QUIET:
        return False
    return declining(session, partner, now)


def suggest_counsellor(session: Session, partner: Partner, now: datetime, by_text: bool = True) -> bool:
    """Suggest a couples counsellor when due, once: by text (queued, with the safety lines) or, with
    by_text False, for the caller to say aloud. True when it is suggested now."""
    if not counsellor_due(session, partner, now):
        return False
    session.add(CounsellorSuggestion(partner_id=partner.id, at=now))
    if by_text and partner.can_text:
        lines = as_text(resources_for(partner.phone, None))
        for n, body in enumerate(texts.counsellor_note(lines)):
            outbox.queue(session, partner, outbox.Draft(
                body, TextKind.CARE_NOTE, f"counsellor:{partner.id}:{now.isoformat()}:{n}",
                expires_at=now + timedelta(days=2)), now)
    session.flush()
    return True

