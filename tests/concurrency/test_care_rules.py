"""The count-then-write rules issue 11 adds, hammered by many threads at once on PostgreSQL (SQLite
serialises writers, so only PostgreSQL can break them): one pending invitation per couple, 3 invitations a
day per inviter, one invitation to a number a week, the LINK lockout and the hourly reply budget. Each
thread is one request: its own session and transaction, committed or rolled back like a webhook's."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import SettableClock
from core.db import transaction
from core.errors import DomainError
from core.models import Invitation, InvitationState, OutboundMessage
from core.runtime import open_runtime
from core.services import couples, guards, invitations
from devkit.fakes.gateway import RecordingGateway
from tests.conftest import START, make_settings

LA = "America/Los_Angeles"
THREADS = 8


@pytest.fixture
def world(tmp_path, pg_url):
    runtime = open_runtime(make_settings(tmp_path, pg_url), RecordingGateway(), clock=SettableClock(START))
    yield runtime
    runtime.close()


def together(count: int, work) -> list:
    """Run work(i) in `count` threads released at once, each in its own committed transaction; returns what
    each returned, or the reason word of the DomainError it raised."""
    barrier, results = threading.Barrier(count), [None] * count

    def one(i):
        barrier.wait()
        try:
            with transaction(runtime_sessions) as session:
                results[i] = work(session, i)
        except DomainError as error:
            results[i] = error.reason

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


runtime_sessions = None


@pytest.fixture(autouse=True)
def _sessions(world):
    global runtime_sessions
    runtime_sessions = world.sessions
    yield
    runtime_sessions = None


def new_partner(world, name: str, phone: str) -> int:
    with transaction(world.sessions) as session:
        return couples.create_couple(session, name, phone, START, LA).id


def count_rows(world, *where) -> int:
    with transaction(world.sessions) as session:
        return session.scalar(select(func.count()).select_from(Invitation).where(*where))


def test_one_pending_invitation_per_couple_under_concurrency(world):
    alex = new_partner(world, "Alex", "+14155550100")

    results = together(THREADS, lambda s, i: invitations.invite(
        s, couples.get_partner(s, alex), f"+1415555{200 + i:04d}", "Sam", START))

    assert results.count("Sam") == 1 and results.count("invite_pending") == THREADS - 1
    assert count_rows(world) == 1


def test_three_invitations_a_day_per_inviter_under_concurrency(world):
    alex = new_partner(world, "Alex", "+14155550100")
    for n in range(2):  # two earlier today, already over: each invitee said STOP
        with transaction(world.sessions) as session:
            invitations.invite(session, couples.get_partner(session, alex), f"+1415555{300 + n:04d}", "Sam", START)
        with transaction(world.sessions) as session:
            invitee = couples.find_by_phone(session, f"+1415555{300 + n:04d}")
            invitations.end(session, invitee, InvitationState.DECLINED, START)
            couples.opt_out(session, invitee, START)

    results = together(THREADS, lambda s, i: invitations.invite(
        s, couples.get_partner(s, alex), f"+1415555{400 + i:04d}", "Sam", START + timedelta(minutes=1)))

    assert results.count("Sam") == 1  # the third of the day; every other thread is refused
    assert count_rows(world) == 3


def test_one_invitation_to_a_number_a_week_under_concurrency(world):
    inviters = [new_partner(world, "Alex", f"+1415555{500 + i:04d}") for i in range(THREADS)]
    with transaction(world.sessions) as session:  # invited once before, over a week ago: the row exists
        guards.locked_guard(session, "+14155550199", START).invited_at = START - timedelta(days=8)

    results = together(THREADS, lambda s, i: invitations.invite(
        s, couples.get_partner(s, inviters[i]), "+14155550199", "Lee", START))

    assert results == ["Lee"] * THREADS  # every inviter gets the same answer
    assert count_rows(world, Invitation.sent.is_(True)) == 1
    with transaction(world.sessions) as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)
                              .where(OutboundMessage.kind == "invitation")) == 1


def test_link_lockout_under_concurrency(world):
    phone = "+14155550100"

    def wrong_code(session, i):
        if guards.link_locked(session, phone, START):
            return "locked"
        return "locks_now" if guards.link_failed(session, phone, START) else "wrong"

    results = together(THREADS * 2, wrong_code)

    assert results.count("wrong") == guards.LINK_TRIES - 1 and results.count("locks_now") == 1
    assert results.count("locked") == THREADS * 2 - guards.LINK_TRIES


def test_reply_budget_under_concurrency(world):
    results = together(THREADS * 2, lambda s, i: guards.spend_reply(s, "+14155550100", START, per_hour=THREADS))

    assert results.count(True) == THREADS and results.count(False) == THREADS
