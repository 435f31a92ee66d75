"""What a partner may look back on, day by day and week by week, under the same sharing rules as the day
itself (core.services.checkins): their own answers, moods and private reflections (held answers marked as
still kept to themselves); their partner's words only on days both answered, only answers the partner
shared, never an answer to a gentle question. Today's partner answer is revealed through
checkins.reveal_partner_answer, so seeing it here ends UNDO exactly as hearing it would.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core import local_time
from core.models import CheckIn, DailyPrompt, GentleQuestion, Partner, Promise, PromiseState, Visibility
from core.services import checkins
from core.services.couples import other_partner
from core.services.questions import GENTLE_IDS, OWN_ANSWER, SHARED_ANSWER, wording
from prompts.bank import load_bank

#: What the writer sees of their own check-ins (pending and replaced ones have no words to show).
MINE = (Visibility.SHARED, Visibility.HELD, Visibility.PRIVATE)
PAGE_WEEKS = 4


@dataclass(frozen=True)
class Entry:
    """One thing this partner wrote or noted: `kind` is answer | held | private | mood; `gentle` for an
    answer to a gentle question (theirs alone, like a private one)."""

    kind: str
    text: str | None
    mood: int | None
    at: datetime
    gentle: bool = False


@dataclass
class Day:
    """One local day: the question this partner was asked, what they wrote, and their partner's answer
    when both answered (`theirs`); `partner_answered` only says that they did (never what)."""

    day: date
    question: str | None = None
    mine: list[Entry] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)
    answered: bool = False
    partner_answered: bool = False

    @property
    def both(self) -> bool:
        return self.answered and self.partner_answered


@dataclass(frozen=True)
class Week:
    """Monday to Sunday (local dates), newest day first."""

    start: date
    days: list[Day]

    @property
    def both_days(self) -> int:
        return sum(1 for d in self.days if d.both)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def weeks(session: Session, partner: Partner, now: datetime, before: date | None = None,
          count: int = PAGE_WEEKS) -> list[Week]:
    """`count` weeks ending with the week before `before` (default: up to today), newest first; only days
    with something on them are listed."""
    today = local_time.local_date(now, partner.couple.timezone)
    end = min(before or today + timedelta(days=1), today + timedelta(days=1))
    start = week_start(end - timedelta(days=1)) - timedelta(weeks=count - 1)
    days = days_between(session, partner, start, end, today, now)
    by_week: dict[date, list[Day]] = {}
    for day in sorted(days.values(), key=lambda d: d.day, reverse=True):
        by_week.setdefault(week_start(day.day), []).append(day)
    return [Week(s, by_week[s]) for s in sorted(by_week, reverse=True)]


def days_between(session: Session, partner: Partner, start: date, end: date, today: date,
                 now: datetime) -> dict[date, Day]:
    """Local dates in [start, end) with a check-in of either partner, as `partner` may see them."""
    days: dict[date, Day] = {}
    for check_in in _mine(session, partner, start, end):
        day = days.setdefault(check_in.local_date, Day(check_in.local_date))
        day.mine.append(_entry(check_in))
        day.answered |= check_in.visibility in OWN_ANSWER and check_in.text is not None \
            and check_in.question_id not in GENTLE_IDS
    other = other_partner(partner)
    if other is not None:
        _add_partner(session, partner, other, start, end, days, today, now)
    _add_questions(session, partner, start, end, days)
    return days


def _in_range(partner_param: str):
    return (CheckIn.partner_id == bindparam(partner_param), CheckIn.local_date >= bindparam("start"),
            CheckIn.local_date < bindparam("end"))


# Built once with bound parameters (every page load runs them; building a select costs more than running it).
MINE_IN_RANGE = select(CheckIn).where(*_in_range("me"), CheckIn.visibility.in_(MINE),
                                      CheckIn.text.is_not(None) | CheckIn.mood.is_not(None)) \
    .order_by(CheckIn.created_at, CheckIn.id)
THEIR_SHARED = (CheckIn.text.is_not(None), CheckIn.visibility.in_(SHARED_ANSWER), CheckIn.question_id.not_in(GENTLE_IDS))
THEIR_DAYS = select(CheckIn.local_date).distinct().where(*_in_range("them"), *THEIR_SHARED)
THEIR_WORDS = select(CheckIn).where(CheckIn.partner_id == bindparam("them"), *THEIR_SHARED,
                                    CheckIn.local_date.in_(bindparam("days", expanding=True))) \
    .order_by(CheckIn.created_at, CheckIn.id)
PROMPTS = select(DailyPrompt.local_date, DailyPrompt.question_id).where(
    DailyPrompt.couple_id == bindparam("couple"), DailyPrompt.local_date >= bindparam("start"),
    DailyPrompt.local_date < bindparam("end"))
GENTLE = select(GentleQuestion.local_date, GentleQuestion.question_id).where(
    GentleQuestion.partner_id == bindparam("me"), GentleQuestion.local_date >= bindparam("start"),
    GentleQuestion.local_date < bindparam("end"))


def _mine(session: Session, partner: Partner, start: date, end: date) -> list[CheckIn]:
    return list(session.scalars(MINE_IN_RANGE, {"me": partner.id, "start": start, "end": end}))


def _entry(check_in: CheckIn) -> Entry:
    if check_in.text is None:
        return Entry("mood", None, check_in.mood, check_in.created_at)
    kind = {Visibility.HELD: "held", Visibility.PRIVATE: "private"}.get(check_in.visibility, "answer")
    return Entry(kind, check_in.text, check_in.mood, check_in.created_at, check_in.question_id in GENTLE_IDS)


def _add_partner(session, partner, other, start, end, days, today, now) -> None:
    """The partner's shared answers, read only for days this partner answered too (checkins' rule); on
    other days only the fact that the partner answered, from a query that reads no words."""
    answered_dates = set(session.scalars(THEIR_DAYS, {"them": other.id, "start": start, "end": end}))
    for day in answered_dates:
        days.setdefault(day, Day(day)).partner_answered = True
    both = sorted(d for d in answered_dates if days[d].answered and d != today)
    for check_in in session.scalars(THEIR_WORDS, {"them": other.id, "days": both}) if both else ():
        days[check_in.local_date].theirs.append(check_in.text)
    if today in answered_dates and days[today].answered:
        reveal = checkins.reveal_partner_answer(session, partner, now)  # marks it seen, like SHARE does
        days[today].theirs = [reveal.text] if reveal.status == "both" and reveal.text else []


def _add_questions(session: Session, partner: Partner, start: date, end: date, days: dict[date, Day]) -> None:
    """Each day's question in this partner's words (their gentle one, on a day they got one)."""
    bank = load_bank()
    bounds = {"start": start, "end": end}
    asked = dict(session.execute(PROMPTS, {"couple": partner.couple_id, **bounds}).all())
    asked.update(session.execute(GENTLE, {"me": partner.id, **bounds}).all())
    for day, question_id in asked.items():
        if day in days and question_id in bank:
            question = bank.by_id(question_id)
            days[day].question = question.text if question_id in GENTLE_IDS else wording(question, partner)


@dataclass(frozen=True)
class PromiseLists:
    """This partner's own promises (open, kept, missed: the last SETTLED_DAYS of settled ones), and those
    their partner kept and chose to tell them about."""

    open: list
    kept: list
    missed: list
    told: list


SETTLED_DAYS = 56


def promise_lists(session: Session, partner: Partner, now: datetime) -> PromiseLists:
    """The promises page: one query for this partner's own, one for what the other chose to tell."""
    since = now - timedelta(days=SETTLED_DAYS)
    own = list(session.scalars(select(Promise).where(
        Promise.promiser_id == partner.id, Promise.state != PromiseState.CANCELLED,
        (Promise.state == PromiseState.OPEN) | (Promise.resolved_at >= since)).order_by(Promise.due_at)))
    other = other_partner(partner)
    told = list(session.scalars(select(Promise).where(
        Promise.promiser_id == other.id, Promise.state == PromiseState.KEPT, Promise.wants_thanks.is_(True),
        Promise.resolved_at >= since).order_by(Promise.resolved_at.desc()))) if other else []
    by = lambda state: [p for p in own if p.state == state]  # noqa: E731
    return PromiseLists(by(PromiseState.OPEN), by(PromiseState.KEPT)[::-1], by(PromiseState.MISSED)[::-1], told)
