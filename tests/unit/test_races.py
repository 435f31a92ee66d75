"""Count-then-write rules hold under concurrency on PostgreSQL: many threads, one real server, each thread
with its own session (its own connection), all released at the same moment. SQLite takes its write lock
up front (BEGIN IMMEDIATE), so these rules are only at risk on PostgreSQL; the tests skip without it.

The pattern each rule follows (core/locks.py, docs/security.md "Races"): lock the row that owns the rule
before counting, or let a unique constraint decide."""
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import transaction
from core.errors import Conflict, NotAllowed
from core.models import Consent, OutboundMessage, Partner, TextKind
from core.runtime import open_runtime
from core.services import couples, thinking_of_you
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from tests.conftest import START, make_settings

pytestmark = pytest.mark.postgres
LA = "America/Los_Angeles"


@pytest.fixture
def pg_runtime(tmp_path, pg_url):
    runtime = open_runtime(make_settings(tmp_path, database_url=pg_url), RecordingGateway())
    yield runtime
    runtime.close()


def all_at_once(count: int, work) -> Counter:
    """Run work(i) in `count` threads released together, each in its own committed transaction; count the
    outcomes ("ok" or the refusal's reason)."""
    barrier, outcomes, lock = threading.Barrier(count), Counter(), threading.Lock()

    def runner(index):
        barrier.wait()
        try:
            work(index)
            outcome = "ok"
        except (Conflict, NotAllowed) as refusal:
            outcome = refusal.reason
        except Exception as error:  # an IntegrityError from a unique constraint is a refusal too
            outcome = type(error).__name__
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_twenty_thinking_texts_at_once_queue_exactly_the_cap(pg_runtime):
    with transaction(pg_runtime.sessions) as session:
        alex, sam = seed_couple(session, START, LA)
        alex_id, sam_id = alex.id, sam.id

    def think(index):
        with transaction(pg_runtime.sessions) as session:
            sender = session.get(Partner, alex_id)
            thinking_of_you.send_thinking(session, sender, START, 3, f"SM{index:04d}")

    outcomes = all_at_once(20, think)
    assert outcomes == Counter(ok=1, thinking_too_soon=19)  # one an hour from the same sender (issue 11.5)
    with pg_runtime.sessions() as session:
        queued = session.scalar(select(func.count(OutboundMessage.id)).where(
            OutboundMessage.partner_id == sam_id, OutboundMessage.kind == TextKind.THINKING))
    assert queued == 1


def test_ten_invitations_at_once_make_one_couple_of_two_and_one_invitation(pg_runtime):
    with transaction(pg_runtime.sessions) as session:
        alex = couples.create_couple(session, "Alex", "+14155550100", START, LA)
        alex_id, couple_id = alex.id, alex.couple_id

    def invite(index):
        with transaction(pg_runtime.sessions) as session:
            inviter = session.get(Partner, alex_id)
            couples.invite(session, inviter, f"+1415555{200 + index:04d}", "Sam", START)  # a first name: no digits (issue 11)

    outcomes = all_at_once(10, invite)
    assert outcomes == Counter(ok=1, invite_pending=9)  # the one-pending-invitation rule answers first (issue 11)
    with pg_runtime.sessions() as session:
        partners = session.scalars(select(Partner).where(Partner.couple_id == couple_id)).all()
        invitations = session.scalar(select(func.count(OutboundMessage.id)).where(
            OutboundMessage.kind == TextKind.INVITATION))
    assert len(partners) == 2 and [p.consent for p in partners].count(Consent.INVITED) == 1
    assert invitations == 1


def test_ten_invitations_of_one_number_from_ten_couples_invite_it_once(pg_runtime):
    with transaction(pg_runtime.sessions) as session:
        inviters = [couples.create_couple(session, "Alex", f"+1415555{300 + n:04d}", START, LA).id
                    for n in range(10)]

    def invite(index):
        with transaction(pg_runtime.sessions) as session:
            inviter = session.get(Partner, inviters[index])
            couples.invite(session, inviter, "+14155550199", "Sam", START)

    outcomes = all_at_once(10, invite)
    assert outcomes["ok"] == 10  # every inviter hears the same (issue 11); only one text goes, below
    with pg_runtime.sessions() as session:
        assert len(couples.find_by_phone(session, "+14155550199").couple.partners) == 2
        assert session.scalar(select(func.count(OutboundMessage.id)).where(
            OutboundMessage.kind == TextKind.INVITATION)) == 1


def test_ten_joins_of_one_number_at_once_make_one_partner(pg_runtime):
    def join(index):
        with transaction(pg_runtime.sessions) as session:
            couples.create_couple(session, "Alex", "+14155550100", START, LA)

    outcomes = all_at_once(10, join)
    assert outcomes["ok"] == 1 and sum(outcomes.values()) == 10
    with pg_runtime.sessions() as session:
        assert session.scalar(select(func.count(Partner.id))) == 1
        assert couples.find_by_phone(session, "+14155550100") is not None


def test_typed_thinking_texts_at_once_keep_one_an_hour(pg_runtime):
    """Four typed thinking-about-you texts at once, with one sent two hours before, queue exactly one more
    (one an hour from the same sender), under the sender's lock."""
    with transaction(pg_runtime.sessions) as session:
        alex, sam = seed_couple(session, START, LA)
        alex_id, sam_id = alex.id, sam.id
        thinking_of_you.send_thinking(session, alex, START - timedelta(hours=2), 3, "SM-before")

    def contend(index):
        with transaction(pg_runtime.sessions) as session:
            thinking_of_you.send_thinking(session, session.get(Partner, alex_id), START, 3, f"SM{index:04d}")

    outcomes = all_at_once(4, contend)
    with pg_runtime.sessions() as session:
        queued = session.scalar(select(func.count(OutboundMessage.id)).where(
            OutboundMessage.partner_id == sam_id, OutboundMessage.kind == TextKind.THINKING))
    assert queued == 2 and outcomes.get("ok") == 1
