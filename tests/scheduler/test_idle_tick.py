"""The idle tick: `planner.anything_due` says whether any planner has work, so a tick with nothing due
makes one query instead of a transaction per planner; it must never hide due work."""
from datetime import timedelta

from sqlalchemy import event, select

from core.models import Couple, NudgeSchedule
from core.services import planner
from scheduler import jobs
from tests.scheduler.test_dispatch import LA, MONDAY, PHONES


def test_nothing_due_is_one_statement_and_each_kind_of_due_work_is_seen(make_world):
    world = make_world(MONDAY)
    world.couple(LA, PHONES)
    world.tick()  # the new couple's first summary date and today's question are planned
    with world.tx() as session:
        assert not planner.anything_due(session, world.clock())
        couple = session.scalars(select(Couple)).one()
        question_at, summary_at = couple.next_question_at, couple.next_summary_at

    statements = []
    event.listen(world.runtime.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert jobs.plan(world.runtime) == {"questions": 0, "weekly": 0, "nudges": 0, "wins": 0, "setbacks": 0}
    assert len([s for s in statements if not s.startswith("BEGIN")]) == 1  # SQLite: BEGIN IMMEDIATE too

    with world.tx() as session:
        assert planner.anything_due(session, question_at)
        assert planner.anything_due(session, summary_at)
        session.scalars(select(Couple)).one().next_summary_at = None
        assert planner.anything_due(session, world.clock())
        session.rollback()
    with world.tx() as session:
        session.add(NudgeSchedule(partner_id=1, window_start=600, window_end=660, active=True,
                                  next_at=world.clock() + timedelta(minutes=5)))
    with world.tx() as session:
        assert not planner.anything_due(session, world.clock())
        assert planner.anything_due(session, world.clock() + timedelta(minutes=5))
