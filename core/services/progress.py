"""The couple's page's charts, week by week, in the summary's spirit (core.services.summary): the partner's
OWN mood (never the other's), and the couple's figures, never one partner's beside the other's: days both
answered (summary.answer_days, the same rule), and promises kept. Nothing is scored; a missed promise is
not counted anywhere."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import local_time
from core.models import CheckIn, Partner, Promise, PromiseState
from core.services.couples import other_partner
from core.services.history import week_start
from core.services.summary import answer_days

WEEKS = 12


@dataclass(frozen=True)
class WeekPoint:
    """One week (Monday `start`): the partner's own average mood (None without mood notes), the days both
    answered, and the promises the couple kept in it."""

    start: date
    mood: float | None
    both_days: int
    kept: int


@dataclass(frozen=True)
class Mark:
    """A dated mark on the charts (a setback someone noted), drawn as a line, never counted."""

    day: date
    label: str


def weekly(session: Session, partner: Partner, now: datetime, weeks: int = WEEKS) -> list[WeekPoint]:
    """The last `weeks` weeks up to this one, oldest first."""
    tz = partner.couple.timezone
    today = local_time.local_date(now, tz)
    first = week_start(today) - timedelta(weeks=weeks - 1)
    end = today + timedelta(days=1)
    moods = _moods(session, partner, first, end)
    both = _both_days(session, partner, first, end)
    kept = _kept(session, partner, first, end)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    return [WeekPoint(s, _average(moods.get(s)), both.get(s, 0), kept.get(s, 0)) for s in starts]


def _average(values: list[int] | None) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _moods(session: Session, partner: Partner, start: date, end: date) -> dict[date, list[int]]:
    by_week: dict[date, list[int]] = {}
    for day, mood in session.execute(select(CheckIn.local_date, CheckIn.mood).where(
            CheckIn.partner_id == partner.id, CheckIn.local_date >= start, CheckIn.local_date < end,
            CheckIn.mood.is_not(None))):
        if mood is not None:
            by_week.setdefault(week_start(day), []).append(mood)
    return by_week


def _both_days(session: Session, partner: Partner, start: date, end: date) -> dict[date, int]:
    other = other_partner(partner)
    if other is None:
        return {}
    together = answer_days(session, partner, start, end) & answer_days(session, other, start, end)
    counts: dict[date, int] = {}
    for day in together:
        counts[week_start(day)] = counts.get(week_start(day), 0) + 1
    return counts


def _kept(session: Session, partner: Partner, start: date, end: date) -> dict[date, int]:
    tz = partner.couple.timezone
    people = [p.id for p in partner.couple.partners]
    counts: dict[date, int] = {}
    for (resolved,) in session.execute(select(Promise.resolved_at).where(
            Promise.promiser_id.in_(people), Promise.state == PromiseState.KEPT,
            Promise.resolved_at >= local_time.at_minute(start, 0, tz),
            Promise.resolved_at < local_time.at_minute(end, 0, tz))):
        week = week_start(local_time.local_date(resolved, tz))
        counts[week] = counts.get(week, 0) + 1
    return counts
