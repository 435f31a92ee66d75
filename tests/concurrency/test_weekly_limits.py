"""The weekly ritual's "only one" rules, hammered by many threads at once on PostgreSQL: one small win a
day per couple (a unique day decides), one weekly check-in per couple and week, one answer per step."""
import threading

import pytest
from sqlalchemy import func, select

from core.clock import SettableClock
from core.db import transaction
from core.models import Couple, OutboundMessage, Partner, SmallWin, TextKind, WeeklyAnswer, WeeklyCheckIn
from core.runtime import open_runtime
from core.services import small_wins, weekly_checkin
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from tests.conftest import START, make_settings

THREADS = 8


@pytest.fixture
def runtime(tmp_path, pg_url):
    rt = open_runtime(make_settings(tmp_path, pg_url), RecordingGateway(), clock=SettableClock(START))
    with transaction(rt.sessions) as session:
        seed_couple(session, START, "America/Los_Angeles", ("+14155550171", "+14155550172"))
    yield rt
    rt.close()


def together(runtime, work) -> list:
    """work(session, i) in THREADS threads released at once, each in its own committed transaction."""
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def one(i):
        barrier.wait()
        with transaction(runtime.sessions) as session:
            results[i] = work(session, i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_small_win_a_day_whoever_celebrates(runtime):
    won = together(runtime, lambda s, i: small_wins.celebrate(s, s.get(Couple, 1), small_wins.pact_agreement(i),
                                                              START))
    assert won.count(True) == 1
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SmallWin)) == 1
        assert session.scalar(select(func.count()).select_from(OutboundMessage)
                              .where(OutboundMessage.kind == TextKind.SMALL_WIN)) == 2


def test_one_weekly_check_in_and_one_answer_a_step(runtime):
    def answer(session, i):
        partner = session.get(Partner, 1)
        return weekly_checkin.answer(session, partner, f"answer {i}", "sms", f"sid-{i}", START).status

    statuses = together(runtime, answer)
    assert statuses.count("saved") == 3 and statuses.count("done") == THREADS - 3
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WeeklyCheckIn)) == 1
        assert sorted(session.scalars(select(WeeklyAnswer.step))) == [1, 2, 3]
