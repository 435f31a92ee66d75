"""The hourly small-wins pass reads what wins are made of for a whole batch of couples at once: the number of
statements does not grow with the couples looked at, and each couple's wins are its own (one couple's
answers or promises never count towards another's)."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event, select

from core import local_time
from core.models import CheckIn, Partner, Promise, PromiseState, SmallWin
from core.services import promises, small_wins
from core.words import texts

LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles


def phones(n: int) -> tuple[str, str]:
    return f"+1415555{2 * n:04d}", f"+1415555{2 * n + 1:04d}"


def answer(world, partner_ids, first: date, days: int) -> None:
    with world.tx() as session:
        for pid in partner_ids:
            couple_id = session.get(Partner, pid).couple_id
            for n in range(days):
                day = first + timedelta(days=n)
                session.add(CheckIn(partner_id=pid, couple_id=couple_id, local_date=day, question_id="q",
                                    channel="sms", text=f"answer {n}", source_id=f"{pid}-{day}",
                                    created_at=local_time.at_minute(day, 12 * 60, LA)))


def keep(world, partner_id: int, count: int, state=PromiseState.KEPT, start=0) -> None:
    with world.tx() as session:
        partner = session.get(Partner, partner_id)
        for n in range(start, start + count):
            promise = promises.make_promise(session, partner, f"call {n}", MONDAY + timedelta(hours=2 + n), LA,
                                            MONDAY - timedelta(days=1))
            promises.settle(session, partner, promise, state, MONDAY - timedelta(hours=20 - n))


def statements_of_one_pass(world, limit: int) -> tuple[int, int]:
    """(couples handled, statements sent) of one pass over at most `limit` due couples."""
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(world.runtime.engine, "before_cursor_execute", listener)
    try:
        with world.tx() as session:
            handled = small_wins.plan_wins(session, MONDAY, limit=limit)
    finally:
        event.remove(world.runtime.engine, "before_cursor_execute", listener)
    return handled, len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT"))])


def test_statements_per_pass_do_not_grow_with_the_couples(make_world):
    world = make_world(MONDAY)
    for n in range(30):
        pair = world.couple(LA, phones(n))
        answer(world, pair, date(2026, 11, 20), 3)
        keep(world, pair[n % 2], 1 + n % 2)  # a promise or two kept: no milestone, nothing to celebrate

    few, many = statements_of_one_pass(world, 3), statements_of_one_pass(world, 100)

    assert (few[0], many[0]) == (3, 27)
    assert few[1] == many[1] <= 6  # couples, their partners, answer days, settled promises, the next checks


def test_each_couples_wins_are_its_own(make_world):
    world = make_world(MONDAY)
    pair = world.couple(LA, phones(1))
    both_week = pair[0]
    answer(world, pair, date(2026, 11, 17), 7)  # Tue to Mon: a full week, both of them
    one_sided = world.couple(LA, phones(2))
    answer(world, one_sided[:1], date(2026, 11, 17), 7)  # only one of them: no win
    kept_pair = world.couple(LA, phones(3))
    kept = kept_pair[0]
    keep(world, kept, 3)
    broken_run = world.couple(LA, phones(4))
    keep(world, broken_run[0], 2)
    keep(world, broken_run[1], 1, PromiseState.MISSED, start=5)  # the latest settled was missed

    with world.tx() as session:
        assert small_wins.plan_wins(session, MONDAY) == 4

    with world.runtime.sessions() as session:
        won = {row.couple_id: row.key for row in session.scalars(select(SmallWin))}
        couple_of = lambda pid: session.get(Partner, pid).couple_id  # noqa: E731
        first_kept = min(session.scalars(select(Promise.id).where(Promise.promiser_id == kept)))
        assert won == {couple_of(both_week): "every-day:2026-11-17:7", couple_of(kept): f"kept-row:{first_kept}:3"}
    bodies = {m.partner_id: m.body for m in world.messages(kind="small_win")}
    assert bodies[both_week] == texts.small_win("You've both answered every day this week.")
    assert bodies[kept] == texts.small_win("3 promises kept in a row between you.")
    assert set(bodies) == set(pair) | set(kept_pair)
