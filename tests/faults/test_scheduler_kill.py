"""kill -9 the scheduler in the middle of dispatching 2,000 due texts, restart it: no text reaches Twilio twice,
and every text either reached Twilio or is marked failed (code -1, interrupted) and counted.

Real processes: `python -m scheduler` against a SQLite file (and PostgreSQL when TEST_DATABASE_URL is set),
FakeTwilio in this process taking 5 ms over each request. The fake itself sends SIGKILL when it accepts its
500th text, so the kill lands mid-dispatch. Then:
  1. restart at once: the rest is sent; the texts left `sending` by the dead process are not touched (their
     claim is younger than the dispatcher's 10-minute lease, which no setting changes);
  2. the lease passes: nothing in the scheduler lets us shorten it, so the claims are backdated by 11
     minutes, as if that much time had gone by, and `python -m scheduler --once` (its start-up catch-up)
     marks them failed with code -1.
The dispatcher keeps only a window of texts (three per send thread) `sending`, so at most that many are in
doubt after the kill; the figures are printed in the run's summary ("fault figures").
"""
import inspect
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import OutboundMessage
from core.services.dispatch import Dispatcher
from core.services.send_rules import INTERRUPTED
from devkit.databases import throwaway_database
from tests.conftest import NO_POSTGRES, POSTGRES_URL
from tests.faults.conftest import report
from tests.faults.processes import (KEY_PREFIX, SlowTwilio, open_env_runtime, scheduler_env, seed_due_texts,
                                    start_scheduler, stop, wait_until)

pytestmark = pytest.mark.faults

TEXTS = 2000
KILL_AT = 500  # a quarter of the way through: the fake sends SIGKILL as it accepts this text
DELAY = 0.005
DEFAULTS = inspect.signature(Dispatcher).parameters  # `python -m scheduler` builds it with the defaults
CONCURRENCY, LEASE = DEFAULTS["concurrency"].default, DEFAULTS["lease"].default
WINDOW = 3 * CONCURRENCY  # texts `sending` at once: those with Twilio and twice as many claimed to follow


@dataclass
class Outcome:
    """What the kill and the two restarts left behind."""

    seeded: dict[str, str]
    rows: dict[str, OutboundMessage]  # by idempotency key, at the end
    at_kill: Counter  # state -> rows, right after the kill
    received_at_kill: int
    sending_after_restart: int
    received: list[dict]
    requests: list[dict]
    log: str
    seconds: float

    def bodies(self, messages) -> Counter:
        return Counter(m["body"] if "body" in m else m["form"].get("Body") for m in messages)


def rows_by_key(runtime) -> dict[str, OutboundMessage]:
    with runtime.sessions() as session:
        query = select(OutboundMessage).where(OutboundMessage.idempotency_key.startswith(KEY_PREFIX))
        return {m.idempotency_key: m for m in session.scalars(query)}


def states(runtime) -> Counter:
    return Counter(m.state for m in rows_by_key(runtime).values())


def backdate_claims(runtime, by: timedelta) -> int:
    """As if `by` had passed since the dead process claimed its texts."""
    with runtime.sessions.begin() as session:
        claimed = session.scalars(select(OutboundMessage).where(OutboundMessage.state == "sending")).all()
        for message in claimed:
            message.claimed_at -= by
        return len(claimed)


def kill_restart_recover(tmp_path, db_url) -> Outcome:
    """The whole scenario, once; returns what it left for the tests to judge."""
    started, processes = time.monotonic(), []

    def kill_at(count: int) -> None:
        if count == KILL_AT and processes:
            os.kill(processes[0].pid, signal.SIGKILL)

    with SlowTwilio(DELAY, on_accept=kill_at) as twilio:
        env, log_path = scheduler_env(tmp_path, db_url, twilio), tmp_path / "scheduler.log"
        seeded = seed_due_texts(env)
        runtime = open_env_runtime(env)
        try:
            processes.append(start_scheduler(env, log_path))
            assert processes[0].wait(timeout=120) == -signal.SIGKILL, log_path.read_text()
            time.sleep(0.3)  # requests already on the wire still reach the fake, as they would reach Twilio
            at_kill, received_at_kill = states(runtime), len(twilio.sent)

            processes.append(start_scheduler(env, log_path))
            left = at_kill["sending"]
            wait_until(lambda: states(runtime) - Counter(sending=left) <= Counter(sent=TEXTS), 120,
                       "the restarted scheduler to send the rest")
            sending_after_restart = states(runtime)["sending"]
            assert stop(processes[1]) == 0, log_path.read_text()

            backdate_claims(runtime, LEASE + timedelta(minutes=1))
            processes.append(start_scheduler(env, log_path, "--once"))
            assert processes[2].wait(timeout=120) == 0, log_path.read_text()
            return Outcome(seeded, rows_by_key(runtime), at_kill, received_at_kill, sending_after_restart,
                           twilio.sent, twilio.requests, log_path.read_text(), time.monotonic() - started)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            runtime.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def outcome(request, tmp_path_factory):
    """The scenario runs once per database; several tests judge it."""
    tmp_path = tmp_path_factory.mktemp(f"kill-{request.param}")
    if request.param == "sqlite":
        result = kill_restart_recover(tmp_path, f"sqlite:///{tmp_path / 'scheduler.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        with throwaway_database(POSTGRES_URL, "faults") as url:
            result = kill_restart_recover(tmp_path, url)
    report(describe(request.param, result))
    return result


def describe(database: str, result: Outcome) -> str:
    """The measured figures in one line."""
    failed = [m for m in result.rows.values() if m.state == "failed"]
    reached = set(result.bodies(result.received))
    return (f"[kill -9 / {database}] {len(result.seeded)} due texts, killed at {result.received_at_kill} received "
            f"(rows then: {dict(result.at_kill)}); in flight at kill (left `sending`, later failed -1): "
            f"{result.at_kill['sending']}, of which {sum(m.body in reached for m in failed)} had reached Twilio and "
            f"{sum(m.body not in reached for m in failed)} were never handed over; texts received in all "
            f"{len(result.received)}, duplicates {sum(n - 1 for n in result.bodies(result.received).values())}; "
            f"sender concurrency {CONCURRENCY}; {result.seconds:.1f} s")


def test_the_kill_landed_mid_dispatch(outcome):
    assert len(outcome.seeded) == TEXTS
    assert KILL_AT <= outcome.received_at_kill < TEXTS
    assert outcome.at_kill["sending"] > 0 and outcome.at_kill["queued"] > 0


def test_no_text_reaches_twilio_twice(outcome):
    """duplicates == 0: each idempotency key's body was sent, and even attempted, at most once."""
    ours = set(outcome.seeded.values())
    sent, tried = outcome.bodies(outcome.received), outcome.bodies(outcome.requests)
    assert set(sent) <= ours and set(tried) <= ours
    assert [body for body, n in sent.items() if n > 1] == []
    assert [body for body, n in tried.items() if n > 1] == []


def test_a_quick_restart_leaves_the_interrupted_texts_alone(outcome):
    """Within the lease a restart cannot tell a dead claimer from a slow one: it sends the rest only."""
    assert outcome.sending_after_restart == outcome.at_kill["sending"]
    assert f"{outcome.at_kill['sending']} texts were interrupted mid-send" in outcome.log


def test_every_text_was_sent_or_counted_as_interrupted(outcome):
    rows, received = outcome.rows, {m["body"]: m for m in outcome.received}
    assert set(rows) == set(outcome.seeded)
    assert Counter(m.state for m in rows.values()).keys() <= {"sent", "failed"}
    failed = [m for m in rows.values() if m.state == "failed"]
    assert all(m.error_code == INTERRUPTED for m in failed)
    assert len(failed) == outcome.at_kill["sending"]
    for message in rows.values():
        if message.state == "sent":
            assert received[message.body]["sid"] == message.provider_sid
            assert received[message.body]["to"] == message.to_phone
    never_sent = [m for m in failed if m.body not in received]
    assert len(received) + len(never_sent) == TEXTS  # every text reached Twilio once, or is counted as lost


def test_at_most_the_texts_in_flight_are_lost(outcome):
    """The target: failed -1 <= the dispatcher's window (three times the send threads since issue 17's
    fourth round, twice before it: the texts with Twilio and those claimed to follow; at first it was the
    concurrency), and (texts received) + (failed -1) == 2000,
    where a text that was in flight at the kill and still reached Twilio (the fake, like Twilio, finishes a
    request already on the wire) is counted once, as failed -1: it was sent, but we cannot know that."""
    rows, received = outcome.rows.values(), set(outcome.bodies(outcome.received))
    interrupted = [m for m in rows if m.error_code == INTERRUPTED]
    reached_anyway = [m for m in interrupted if m.body in received]
    assert 0 < len(interrupted) <= WINDOW
    assert len(received) - len(reached_anyway) + len(interrupted) == TEXTS
