"""A trend you can believe: once a week each partner may rate, privately and in seconds, how safe, how
trusting and how connected they feel (0-10, RATE 6 5 7 or by voice).

The ratings are their owner's alone: never shown to the partner, never compared, never counted anywhere the
partner sees. One score is never judged; the trend is read by direction over several weeks (at least
MIN_RATINGS ratings) and said in plain words, with the owner's setbacks as dated events on the way, not as
failures. Nothing here commits.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput
from core.models import Partner, Setback, WeeklyRating

SCALE = range(0, 11)
DIMENSIONS = ("safe", "trusting", "connected")
MIN_RATINGS = 3  # fewer ratings than this say nothing about a direction
SPAN_WEEKS = 6  # the trend looks this many weeks back
RISE = 1.5  # a change over the span this large (on the 0-10 scale) is a direction, smaller is steady
#: How each dimension is said: "your sense of safety has risen".
SAID = {"safe": "your sense of safety", "trusting": "your trust", "connected": "your sense of connection"}
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@dataclass(frozen=True)
class Trend:
    """The owner's trend: `directions` (dimension -> risen | steady | dipped) once there are enough ratings,
    over `weeks` weeks; `rated` ratings so far in the span; `setbacks`: their hard days in it."""

    rated: int
    weeks: int = 0
    directions: dict[str, str] = field(default_factory=dict)
    setbacks: tuple[date, ...] = ()

    def words(self) -> str:
        """Plain words, for text and voice alike."""
        parts = [self._direction_words()]
        if self.setbacks:
            parts.append(_setback_words(self.setbacks))
        return " ".join(parts)

    def _direction_words(self) -> str:
        if not self.directions:
            left = MIN_RATINGS - self.rated
            return (f"After {MIN_RATINGS} weekly ratings I can tell you which way things are going; "
                    f"{left} more to go.")
        span = f"over the last {NUMBERS.get(self.weeks, self.weeks)} weeks"
        groups = {d: [SAID[k] for k in DIMENSIONS if self.directions[k] == d] for d in ("risen", "steady", "dipped")}
        clauses = []
        for direction, verb in (("risen", "risen"), ("steady", "held steady"), ("dipped", "dipped a little")):
            names = groups[direction]
            if names:
                have = "has" if len(names) == 1 else "have"
                clauses.append(f"{_join(names)} {have} {verb}")
        sentence = f"{span.capitalize()}, {_join(clauses)}."
        return sentence[0].upper() + sentence[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _setback_words(days: tuple[date, ...]) -> str:
    said = [f"{d.strftime('%b')} {d.day}" for d in days[-2:]]
    if len(days) == 1:
        return f"You noted a hard day on {said[0]}: part of the road, not a failure."
    many = f"{len(days)} hard days, the latest on {said[-1]}" if len(days) > 2 else f"hard days on {_join(said)}"
    return f"You noted {many}: part of the road, not a failure."


@dataclass(frozen=True)
class Rated:
    """A rating kept (`replaced`: it took the place of this week's earlier one) and the owner's trend."""

    replaced: bool
    trend: Trend


def is_rating(value: object) -> bool:
    """A whole number from 0 to 10 (a bool is not one)."""
    return type(value) is int and value in SCALE


def rate(session: Session, partner: Partner, safe: int, trusting: int, connected: int, source_id: str,
         now: datetime) -> Rated:
    """Keep this week's rating (a second one the same week replaces it); a retried source id keeps nothing new."""
    if not all(is_rating(v) for v in (safe, trusting, connected)):
        raise InvalidInput("ratings go from 0 to 10", "bad_rating")
    week = this_week(partner, now)
    if session.scalar(select(WeeklyRating.id).where(WeeklyRating.source_id == source_id)) is not None:
        return Rated(False, trend(session, partner, now))
    earlier = session.scalar(select(WeeklyRating).where(WeeklyRating.partner_id == partner.id,
                                                        WeeklyRating.week_of == week))
    if earlier is not None:
        earlier.safe, earlier.trusting, earlier.connected, earlier.source_id = safe, trusting, connected, source_id
    else:
        try:
            with session.begin_nested():
                session.add(WeeklyRating(partner_id=partner.id, week_of=week, safe=safe, trusting=trusting,
                                         connected=connected, source_id=source_id, created_at=now))
        except IntegrityError:  # the same partner rated twice at once: the first stands
            pass
    session.flush()
    return Rated(earlier is not None, trend(session, partner, now))


def this_week(partner: Partner, now: datetime) -> date:
    """The Monday of the partner's local week."""
    return local_time.week_start(local_time.local_date(now, partner.couple.timezone))


def ratings_since(session: Session, partner: Partner, start: date) -> list[WeeklyRating]:
    """The partner's own ratings from the week of `start`, oldest first."""
    return list(session.scalars(select(WeeklyRating).where(
        WeeklyRating.partner_id == partner.id, WeeklyRating.week_of >= start).order_by(WeeklyRating.week_of)))


def trend(session: Session, partner: Partner, now: datetime) -> Trend:
    """The owner's trend over the last SPAN_WEEKS weeks, with their setbacks in it."""
    week = this_week(partner, now)
    start = week - timedelta(weeks=SPAN_WEEKS - 1)
    rows = ratings_since(session, partner, start)
    setbacks = tuple(session.scalars(select(Setback.local_date).where(
        Setback.partner_id == partner.id, Setback.local_date >= start).order_by(Setback.local_date)))
    if len(rows) < MIN_RATINGS:
        return Trend(len(rows), setbacks=setbacks)
    weeks = (rows[-1].week_of - rows[0].week_of).days // 7 + 1
    directions = {name: _direction([(r.week_of, getattr(r, name)) for r in rows]) for name in DIMENSIONS}
    return Trend(len(rows), weeks, directions, setbacks)


def slope(points: list[tuple[date, float]]) -> float:
    """The change per week of (day, value) points, as the median of the slopes between every two of them
    (Theil-Sen): one unusual week moves it little, so no single score decides the direction."""
    pairs = [(b - a) / ((db - da).days / 7) for i, (da, a) in enumerate(points) for db, b in points[i + 1:]
             if db != da]
    if not pairs:
        return 0.0
    pairs.sort()
    middle = len(pairs) // 2
    return pairs[middle] if len(pairs) % 2 else (pairs[middle - 1] + pairs[middle]) / 2


def _direction(points: list[tuple[date, int]]) -> str:
    """risen | steady | dipped: the fitted change across the span, never one week's score."""
    change = slope(points) * max(1.0, (points[-1][0] - points[0][0]).days / 7)
    return "risen" if change >= RISE else "dipped" if change <= -RISE else "steady"


def weekly_averages(session: Session, partner: Partner, start: date) -> list[tuple[date, float]]:
    """(week, mean of the three) for each week rated from `start`: for the setbacks' decline rule only."""
    return [(r.week_of, (r.safe + r.trusting + r.connected) / 3) for r in ratings_since(session, partner, start)]
