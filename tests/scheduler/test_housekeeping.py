"""Housekeeping: expired codes removed, old message bodies redacted (keys and states kept), interrupted
sends accounted for; and the jobs as APScheduler calls them."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.models import OutboundMessage, PairingCode, Partner
from core.services import housekeeping, linking, outbox
from scheduler import jobs
from scheduler.__main__ import build_scheduler

MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
LA = "America/Los_Angeles"


@pytest.fixture
def world(make_world):
    made = make_world(MONDAY)
    made.couple(LA, ("+14155550161", "+14155550162"))
    return made


def queue(world, key: str, state: str, age_days: int) -> None:
    with world.tx() as session:
        message, _ = outbox.queue(session, session.get(Partner, 1), outbox.Draft(f"words {key}", "thinking", key),
                                  world.clock())
        message.state, message.created_at = state, world.clock() - timedelta(days=age_days)


def test_old_finished_texts_lose_their_words_and_keep_their_key(world):
    queue(world, "old-sent", "sent", 91)
    queue(world, "old-expired", "expired", 200)
    queue(world, "recent", "delivered", 89)
    queue(world, "old-but-waiting", "queued", 91)
    with world.tx() as session:
        linking.start_link(session, "amzn1.account.X", None, world.clock() - timedelta(minutes=11))
        linking.start_link(session, "amzn1.account.Y", None, world.clock())

    with world.tx() as session:  # in batches: one now, the other in the hourly round
        assert housekeeping.redact_old_bodies(session, world.clock(), 90, limit=1) == 1
    counts = jobs.tidy(world.runtime, world.dispatcher)

    assert counts == {"interrupted": 0, "codes_removed": 1, "invitations_expired": 0, "echo_changes_dropped": 0,
                      "bodies_redacted": 1}
    bodies = {m.idempotency_key: m.body for m in world.messages()}
    assert bodies == {"old-sent": None, "old-expired": None, "recent": "words recent",
                      "old-but-waiting": "words old-but-waiting"}
    with world.tx() as session:
        assert session.scalar(select(func.count(PairingCode.id))) == 1
    assert jobs.tidy(world.runtime, world.dispatcher)["bodies_redacted"] == 0  # nothing twice


def test_housekeeping_accounts_for_sends_left_in_flight(world):
    queue(world, "stuck", "sending", 0)
    with world.tx() as session:
        session.scalar(select(OutboundMessage)).claimed_at = world.clock() - timedelta(minutes=30)

    assert jobs.tidy(world.runtime, world.dispatcher)["interrupted"] == 1
    assert [m.state for m in world.messages()] == ["failed"]


def test_the_registered_jobs_run_with_this_process_runtime_and_dispatcher(world):
    world.clock.set(MONDAY + timedelta(hours=10))  # 19:00 in Los Angeles
    registered = {job.id: job for job in build_scheduler(world.runtime, world.dispatcher, 30).get_jobs()}
    ran = {name: job.func(*job.args, **job.kwargs) for name, job in registered.items()}
    assert ran["plan"] == {"questions": 1, "weekly": 1, "nudges": 0, "wins": 1, "setbacks": 0}
    assert (ran["dispatch"].sent, ran["dispatch"].retried, ran["dispatch"].failed) == (2, 0, 0)
    assert ran["housekeeping"] == {"interrupted": 0, "codes_removed": 0, "invitations_expired": 0,
                                   "echo_changes_dropped": 0, "bodies_redacted": 0}
    # all done: running again sends nothing
    assert jobs.run_once(world.runtime, world.dispatcher).sent == 0
    assert jobs.catch_up(world.runtime, world.dispatcher).sent == 0
