"""The weekly summary: it encourages and never keeps score.

It speaks of the couple, not of each partner ("Together you answered on 9 days and kept 3 of 4
promises"), never sets one partner's numbers beside the other's, never mentions a promise that was not
kept, and names one concrete small win. The mood trend is each partner's own and only ever told to them.
Since issue 13 the weekly check-in (core.services.weekly_checkin) is the main weekly text and these figures
come after it; the counsellor suggestion has one rule, in core.services.setbacks.

The numbers: answer days are the days each partner gave a real (worded) answer, added up over both;
promises are those MADE in the week (created in it, not cancelled), and "kept" counts which of those
were kept. A partner's promise is quoted to the other only when its maker chose to tell them (TELL).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import local_time
from core.models import CheckIn, Partner, Promise, PromiseState, Visibility
from core.services.couples import other_partner
from core.words.segments import clip, fits
from core.words.tasks import for_author, for_partner

TASK_CHARS = 60  # a quoted task is clipped so the whole summary stays within two segments
HEADROOM = "x" * 32  # room for the text's heading ("Your week with Trust Builder: ")


@dataclass(frozen=True)
class CoupleWeek:
    """The couple's week: days answered (both partners added up), promises made in it and kept of those,
    and days on which both answered."""

    answer_days: int
    promises_made: int
    promises_kept: int
    shared_days: int


@dataclass(frozen=True)
class Summary:
    """The couple's last seven local days, as one partner hears them."""

    week: CoupleWeek
    small_win: str
    mood_trend: str | None
    together: bool  # two partners (else it speaks to one person)

    def text(self) -> str:
        """Plain words that read well aloud and fit a text of two segments."""
        parts = [_opening(self.week, self.together), self.small_win]
        with_mood = [*parts, self.mood_trend] if self.mood_trend else parts
        # The mood line gives way when the text would not fit two segments after its heading.
        return " ".join(with_mood if fits(HEADROOM + " ".join(with_mood)) else parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _opening(week: CoupleWeek, together: bool) -> str:
    """ "Together you answered on 9 days and kept 3 of 4 promises." A week without a kept promise says
    only that promises were made; a week without answers does not count them."""
    who = "Together you" if together else "You"
    pieces = []
    if week.answer_days:
        pieces.append(f"answered on {_plural(week.answer_days, 'day')}")
    if week.promises_kept and week.promises_kept == week.promises_made:
        pieces.append("kept the promise you made" if week.promises_made == 1
                      else f"kept all {week.promises_made} promises you made")
    elif week.promises_kept:
        pieces.append(f"kept {week.promises_kept} of {_plural(week.promises_made, 'promise')}")
    elif week.promises_made:
        pieces.append(f"made {_plural(week.promises_made, 'promise')}")
    if not pieces:
        return "A quiet week, and that's OK."
    return f"{who} {' and '.join(pieces)} this week."


def weekly_summary(session: Session, partner: Partner, now: datetime) -> Summary:
    """The last seven local days up to `now`, heard by `partner`."""
    end = local_time.local_date(now, partner.couple.timezone) + timedelta(days=1)
    start = end - timedelta(days=7)
    other = other_partner(partner)
    people = [p for p in (partner, other) if p is not None]
    week = couple_week(session, people, start, end)
    return Summary(week, small_win(session, partner, other, week, start, end),
                   mood_trend(session, partner, start, end), len(people) > 1)


def _bounds(partner: Partner, start: date, end: date) -> tuple[datetime, datetime]:
    tz = partner.couple.timezone
    return local_time.at_minute(start, 0, tz), local_time.at_minute(end, 0, tz)


def answer_days(session: Session, partner: Partner, start: date, end: date) -> set[date]:
    """Local dates in [start, end) on which `partner` gave a worded, shared answer (a mood alone is not one;
    private, held and unconfirmed words never count)."""
    return set(session.scalars(select(CheckIn.local_date).distinct().where(
        CheckIn.partner_id == partner.id, CheckIn.local_date >= start, CheckIn.local_date < end,
        CheckIn.text.is_not(None), CheckIn.visibility == Visibility.SHARED)))


def made_in(session: Session, partner: Partner, start: date, end: date) -> list[Promise]:
    """Promises `partner` made in [start, end) local days, not cancelled, oldest first."""
    lo, hi = _bounds(partner, start, end)
    return list(session.scalars(select(Promise).where(
        Promise.promiser_id == partner.id, Promise.created_at >= lo, Promise.created_at < hi,
        Promise.state != PromiseState.CANCELLED).order_by(Promise.created_at, Promise.id)))


def couple_week(session: Session, people: list[Partner], start: date, end: date) -> CoupleWeek:
    """The figures of the couple (one or two people) for local dates in [start, end)."""
    days = [answer_days(session, p, start, end) for p in people]
    made = [promise for p in people for promise in made_in(session, p, start, end)]
    kept = sum(1 for promise in made if promise.state == PromiseState.KEPT)
    shared = len(set.intersection(*days)) if len(days) == 2 else 0
    return CoupleWeek(sum(len(d) for d in days), len(made), kept, shared)


def _kept_in(session: Session, partner: Partner, start: date, end: date, told_only: bool) -> Promise | None:
    """The partner's latest promise kept in the week (only ones they told about, if `told_only`)."""
    lo, hi = _bounds(partner, start, end)
    query = select(Promise).where(Promise.promiser_id == partner.id, Promise.state == PromiseState.KEPT,
                                  Promise.resolved_at >= lo, Promise.resolved_at < hi)
    if told_only:
        query = query.where(Promise.wants_thanks.is_(True))
    return session.scalar(query.order_by(Promise.resolved_at.desc(), Promise.id.desc()).limit(1))


def small_win(session: Session, partner: Partner, other: Partner | None, week: CoupleWeek,
              start: date, end: date) -> str:
    """One concrete thing worth celebrating, however small: a kept promise by name (the other partner's
    only if they chose to tell), days you both answered, one answer, or a fresh start."""
    mine = _kept_in(session, partner, start, end, told_only=False)
    if mine is not None:
        return f"Small win: you kept your promise to {clip(for_author(mine.text), TASK_CHARS)}."
    theirs = _kept_in(session, other, start, end, told_only=True) if other is not None else None
    if theirs is not None:
        task = clip(for_partner(theirs.text, partner.display_name), TASK_CHARS)
        return f"Small win: {other.display_name} kept their promise to {task}."
    if week.shared_days:
        times = "" if week.shared_days == 1 else f" {week.shared_days} times"
        return f"Small win: you both answered on the same day{times}. That is what rebuilding looks like."
    if week.answer_days:
        return "Small win: you made time to answer. Every honest answer counts."
    return "This week is a fresh start: one honest answer today is enough."


def _mood_average(session: Session, partner: Partner, start: date, end: date) -> float | None:
    moods = [m for m in session.scalars(select(CheckIn.mood).where(  # moods are encrypted: averaged here
        CheckIn.partner_id == partner.id, CheckIn.local_date >= start, CheckIn.local_date < end)) if m is not None]
    return sum(moods) / len(moods) if moods else None


def mood_trend(session: Session, partner: Partner, start: date, end: date) -> str | None:
    """This partner's own moods this week against last week, in kind words; told only to them."""
    now_avg = _mood_average(session, partner, start, end)
    if now_avg is None:
        return None
    before = _mood_average(session, partner, start - timedelta(days=7), start)
    if before is None:
        return None  # nothing to compare with yet
    if abs(now_avg - before) < 0.5:
        return "Your own mood notes held steady this week."
    if now_avg > before:
        return "Your own mood notes were brighter than last week."
    return "Your own mood notes dipped a little this week; be gentle with yourself."

