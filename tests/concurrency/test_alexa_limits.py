"""Issue 12's "only one" rules under many threads on PostgreSQL: one "your partner answered" notice a day per
partner (a unique row decides), and a notice or an Echo account claimed by one scheduler is not sent by a
second one running at the same time (FOR UPDATE SKIP LOCKED)."""
import threading

import pytest
from sqlalchemy import func, select

from core.clock import SettableClock
from core.db import transaction
from core.models import AnswerNotice
from core.runtime import open_runtime
from core.services import answer_notices
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from tests.conftest import START, make_settings

THREADS = 8


@pytest.fixture
def world(tmp_path, pg_url):
    runtime = open_runtime(make_settings(tmp_path, pg_url), RecordingGateway(), clock=SettableClock(START))
    with transaction(runtime.sessions) as s:
        alex, sam = seed_couple(s, START, "America/Los_Angeles")
        answer_notices.choose_notices(s, alex, True, "amzn1.ask.account.A", "api.amazonalexa.com", START)
        ids = alex.id, sam.id
    yield runtime, ids
    runtime.close()


def together(runtime, work) -> list:
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def one(i):
        barrier.wait()
        with transaction(runtime.sessions) as session:
            results[i] = work(session)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_notice_a_day_however_many_answers_arrive_at_once(world):
    runtime, (alex_id, sam_id) = world
    from core.models import Partner
    made = together(runtime, lambda s: answer_notices.partner_answered(s, s.get(Partner, sam_id), START) is not None)
    assert made.count(True) == 1
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AnswerNotice)) == 1


def test_two_schedulers_claim_a_notice_once(world):
    runtime, (_, sam_id) = world
    from core.models import Partner
    with transaction(runtime.sessions) as s:
        answer_notices.partner_answered(s, s.get(Partner, sam_id), START)
    claimed = together(runtime, lambda s: answer_notices.claim(s, START))
    assert sum(len(c) for c in claimed) == 1
