"""Small wins: concrete, specific celebrations when they happen, at most one a day per couple.

A win is told to both partners by text, in couple-level words ("You've both answered every day this week"),
never with a streak to lose, never about what was missed, never one partner against the other. Each win
has a key, celebrated once; `celebrate` is the one way in (the weekly check-in and the trust pact call it
for their own wins; `plan_wins` looks for the others on the scheduler's clock). Nothing here commits.
"""
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core import local_time
from core.models import CheckIn, Couple, Partner, Promise, PromiseState, SmallWin, TextKind, Visibility
from core.services import outbox
from core.words import texts

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=1)  # how often a couple's wins are looked for
EVERY_DAY_RUN = 7  # "every day this week": a run of days both answered, celebrated at each full week
KEPT_MILESTONES = (3, 5, 10, 20, 50)
LOOK_BACK_DAYS = 56

# What a batch of couples' wins are read from, one statement each (built once, with bound parameters).
ANSWER_DAYS = (select(CheckIn.partner_id, CheckIn.local_date).distinct()
               .where(CheckIn.partner_id.in_(bindparam("ids", expanding=True)),
                      CheckIn.local_date >= bindparam("start"), CheckIn.text.is_not(None),
                      CheckIn.visibility == Visibility.SHARED))
_RANKED = (select(Partner.couple_id, Promise.id, Promise.state,
                  func.row_number().over(partition_by=Partner.couple_id,
                                         order_by=(Promise.resolved_at.desc(), Promise.id.desc())).label("n"))
           .join(Partner, Partner.id == Promise.promiser_id)
           .where(Partner.couple_id.in_(bindparam("ids", expanding=True)),
                  Promise.state.in_((PromiseState.KEPT, PromiseState.MISSED)), Promise.resolved_at.is_not(None))
           .subquery())
LATEST_SETTLED = (select(_RANKED.c.couple_id, _RANKED.c.id, _RANKED.c.state)
                  .where(_RANKED.c.n <= bindparam("most")).order_by(_RANKED.c.couple_id, _RANKED.c.n))


@dataclass(frozen=True)
class Win:
    """A win to celebrate: its key (once per couple) and its words."""

    key: str
    words: str


def weekly_together(check_in_id: int) -> Win:
    """Both partners answered the week's check-in."""
    return Win(f"weekly:{check_in_id}", "You both made time for your weekly check-in.")


def pact_agreement(agreement_id: int) -> Win:
    """A new agreement in the couple's pact (for core.services.pact to celebrate)."""
    return Win(f"pact:{agreement_id}", "A new agreement in your pact, made together.")


def every_day(first_day: date, days: int) -> Win:
    """Both answered every day for `days` days (a whole number of weeks) from `first_day`."""
    weeks = days // EVERY_DAY_RUN
    said = "every day this week" if weeks == 1 else f"every day for {weeks} weeks"
    return Win(f"every-day:{first_day.isoformat()}:{days}", f"You've both answered {said}.")


def kept_in_a_row(first_promise_id: int, count: int) -> Win:
    """`count` promises kept in a row, between them."""
    return Win(f"kept-row:{first_promise_id}:{count}", f"{count} promises kept in a row between you.")


def celebrate(session: Session, couple: Couple, win: Win, now: datetime) -> bool:
    """Tell both partners about `win`, unless it was celebrated before or the couple had a win today (a
    unique key and a unique day decide, also between processes). True when it was celebrated."""
    today = local_time.local_date(now, couple.timezone)
    taken = session.scalar(select(SmallWin.id).where(SmallWin.couple_id == couple.id, or_(
        SmallWin.key == win.key, SmallWin.local_date == today)).limit(1))
    if taken is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SmallWin(couple_id=couple.id, key=win.key, local_date=today, created_at=now))
    except IntegrityError:
        return False
    for partner in couple.partners:
        if partner.can_text:
            outbox.queue(session, partner, outbox.Draft(
                texts.small_win(win.words), TextKind.SMALL_WIN, f"small-win:{partner.id}:{win.key}",
                expires_at=now + timedelta(days=1)), now)
    return True


def plan_wins(session: Session, now: datetime, limit: int = 100) -> int:
    """Look for each due couple's wins (hourly) and celebrate one; returns how many couples were handled.
    What the wins are read from is read for the whole batch at once (every couple is looked at each hour,
    so at 100,000 couples a statement per couple would be a query every few milliseconds all day)."""
    couples = list(session.scalars(
        select(Couple).where(or_(Couple.next_win_check_at.is_(None), Couple.next_win_check_at <= now))
        .order_by(Couple.id).limit(limit).with_for_update(skip_locked=True).options(selectinload(Couple.partners))))
    days = {}
    for couple in couples:
        try:
            days[couple.id] = local_time.local_date(now, couple.timezone)
        except Exception:  # one couple's bad data (a removed time zone) must not stop the others' wins
            log.exception("couple %s: small wins failed; looking again in an hour", couple.id)
    answered = _answer_days(session, couples, days)
    settled = _settled_states(session, list(days))
    for couple in couples:
        if couple.id in days:
            _celebrate_one(session, couple, find_wins(couple, days[couple.id], answered, settled.get(couple.id, ())),
                           now)
        couple.next_win_check_at = now + CHECK_EVERY
    return len(couples)


def _celebrate_one(session: Session, couple: Couple, wins: list[Win], now: datetime) -> None:
    """The first of `wins` not celebrated before (if the couple had none today), in its own savepoint."""
    if not wins:
        return
    try:
        with session.begin_nested():
            for win in wins:
                if celebrate(session, couple, win, now):
                    break
    except Exception:
        log.exception("couple %s: small wins failed; looking again in an hour", couple.id)


def find_wins(couple: Couple, today: date, answered: dict[int, set[date]],
              settled: Sequence[tuple[int, str]]) -> list[Win]:
    """The wins the couple has reached (each is celebrated once): days both answered, promises kept in a row.
    `answered`: each partner's days with a shared answer (at least the last LOOK_BACK_DAYS); `settled`: (id,
    state) of the couple's latest settled promises, newest first."""
    return [win for win in (_every_day(couple, today, answered), _kept_row(settled)) if win is not None]


def _every_day(couple: Couple, today: date, answered: dict[int, set[date]]) -> Win | None:
    """The run of days, up to today, on which both gave a shared answer: a win at each full week."""
    people = [p for p in couple.partners if p.erased_at is None]
    if len(people) != 2:
        return None
    start = today - timedelta(days=LOOK_BACK_DAYS)
    both = {day for day in set.intersection(*(answered.get(p.id, set()) for p in people)) if day >= start}
    day = today if today in both else today - timedelta(days=1)
    run = 0
    while day - timedelta(days=run) in both:
        run += 1
    if run and run % EVERY_DAY_RUN == 0:
        return every_day(day - timedelta(days=run - 1), run)
    return None


def _answer_days(session: Session, couples: list[Couple], days: dict[int, date]) -> dict[int, set[date]]:
    """Each living partner's local dates with a shared answer, from the earliest look-back of the batch on:
    one statement for the batch."""
    ids = [p.id for c in couples if c.id in days for p in c.partners if p.erased_at is None]
    if not ids:
        return {}
    start = min(days.values()) - timedelta(days=LOOK_BACK_DAYS)
    answered: dict[int, set[date]] = defaultdict(set)
    for partner_id, day in session.execute(ANSWER_DAYS, {"ids": ids, "start": start}):
        answered[partner_id].add(day)
    return answered


def _settled_states(session: Session, couple_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(id, state) of each couple's latest settled promises (as many as the biggest milestone needs, and one
    more), newest first: one statement for the batch; no promise's words are read."""
    if not couple_ids:
        return {}
    settled: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for couple_id, promise_id, state in session.execute(LATEST_SETTLED, {"ids": couple_ids,
                                                                         "most": max(KEPT_MILESTONES) + 1}):
        settled[couple_id].append((promise_id, state))
    return settled


def _kept_row(settled: Sequence[tuple[int, str]]) -> Win | None:
    """The latest settled promises of the couple, (id, state) newest first: kept ones in a row, at a
    milestone (the win's key names the first promise of the run, so each run is celebrated once)."""
    run = []
    for promise_id, state in settled:
        if state != PromiseState.KEPT:
            break
        run.append(promise_id)
    if len(run) in KEPT_MILESTONES:
        return kept_in_a_row(run[-1], len(run))
    return None
