"""The weekly summary: check-ins by each partner, promises made and kept, one small win; no guilt."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import local_time
from core.models import CheckIn, Partner, Promise, PromiseState, Visibility
from core.services.couples import other_partner


@dataclass(frozen=True)
class WeekFigures:
    """One partner's week: days checked in, promises made, kept and missed."""

    name: str
    check_in_days: int
    promises_made: int
    promises_kept: int
    promises_missed: int


@dataclass(frozen=True)
class Summary:
    """The couple's last seven local days, seen by one partner."""

    you: WeekFigures
    partner: WeekFigures | None
    small_win: str
    declining: bool

    def text(self) -> str:
        """Plain words that read well aloud and fit a text of two segments."""
        parts = [_line("You", self.you)]
        if self.partner:
            parts.append(_line(self.partner.name, self.partner))
        parts.append(self.small_win)
        if self.declining:
            parts.append("It has been a harder few weeks; a couples counsellor can help you both get unstuck.")
        return " ".join(parts)


def _line(who: str, week: WeekFigures) -> str:
    days = f"{week.check_in_days} day{'s' if week.check_in_days != 1 else ''}"
    return f"{who} checked in on {days} this week{_promise_words(week)}."


def _promise_words(week: WeekFigures) -> str:
    """Kept promises are counted; a week with none kept is not dwelt on."""
    if not week.promises_made:
        return ""
    made = f"made {week.promises_made} promise{'s' if week.promises_made != 1 else ''}"
    if not week.promises_kept:
        return f" and {made}"
    return f", {made} and kept {week.promises_kept}"


def weekly_summary(session: Session, partner: Partner, now: datetime) -> Summary:
    """The last seven local days up to `now` for `partner` and their partner, with a trend check."""
    end = local_time.local_date(now, partner.couple.timezone) + timedelta(days=1)
    start = end - timedelta(days=7)
    other = other_partner(partner)
    you = figures(session, partner, start, end)
    theirs = figures(session, other, start, end) if other and other.phone else None
    return Summary(you, theirs, small_win(you, theirs), is_declining(session, partner, other, end))


def figures(session: Session, partner: Partner, start: date, end: date) -> WeekFigures:
    """Counts for local dates in [start, end)."""
    days = session.scalar(select(func.count(func.distinct(CheckIn.local_date))).where(
        CheckIn.partner_id == partner.id, CheckIn.local_date >= start, CheckIn.local_date < end,
        CheckIn.visibility == Visibility.SHARED))  # private, held and unconfirmed words never count
    lo = local_time.at_minute(start, 0, partner.couple.timezone)
    hi = local_time.at_minute(end, 0, partner.couple.timezone)
    states = session.execute(select(Promise.state, func.count()).where(
        Promise.promiser_id == partner.id, Promise.due_at >= lo, Promise.due_at < hi)
        .group_by(Promise.state)).all()
    counts = dict(states)
    made = sum(counts.values()) - counts.get(PromiseState.CANCELLED, 0)
    return WeekFigures(partner.display_name, days or 0, made, counts.get(PromiseState.KEPT, 0),
                       counts.get(PromiseState.MISSED, 0))


def small_win(you: WeekFigures, theirs: WeekFigures | None) -> str:
    """One thing worth celebrating, however small."""
    both = theirs is not None and you.check_in_days and theirs.check_in_days
    if theirs and min(you.check_in_days, theirs.check_in_days) >= 5:
        return "Small win: you both showed up almost every day. That is what rebuilding looks like."
    if you.promises_kept:
        return f"Small win: {you.promises_kept} kept promise{'s' if you.promises_kept > 1 else ''}. Keep them small and keep them."
    if both:
        return "Small win: you both made time to answer this week."
    if you.check_in_days:
        return "Small win: you showed up this week. Every answer counts."
    return "This week is a fresh start: one honest answer today is enough."


def is_declining(session: Session, partner: Partner, other: Partner | None, end: date) -> bool:
    """Three weeks in a row of fewer check-ins and more missed promises (the counsellor line)."""
    weeks = [_week_score(session, partner, other, end - timedelta(days=7 * k)) for k in (2, 1, 0)]
    checkins = [w[0] for w in weeks]
    missed = [w[1] for w in weeks]
    fewer = checkins[0] > checkins[1] > checkins[2]
    more_missed = missed[0] <= missed[1] <= missed[2] and missed[2] > missed[0]
    return fewer and more_missed


def _week_score(session: Session, partner: Partner, other: Partner | None, end: date) -> tuple[int, int]:
    start = end - timedelta(days=7)
    people = [p for p in (partner, other) if p is not None]
    weeks = [figures(session, p, start, end) for p in people]
    return sum(w.check_in_days for w in weeks), sum(w.promises_missed for w in weeks)
