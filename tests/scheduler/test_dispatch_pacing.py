"""Pacing: the sender's token bucket in the database holds every dispatcher (threads and processes) to the
set rate; urgent texts go first and the rest in due-time order; Twilio's rate errors slow the sender down
and put the text back instead of failing it. Real twilio client against FakeTwilio on loopback."""
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import ConfigError
from core.models import OutboundMessage, SendPace
from core.services.delivery_reports import update_status
from core.services.dispatch import Dispatcher
from core.services.dispatch_pacing import Pace, pace_from_settings
from devkit.fakes.twilio_api import FakeTwilio
from tests.conftest import TEST_KEY, make_settings
from tests.scheduler.conftest import FROM, close_world, open_world
from tests.scheduler.test_dispatch import LA, MONDAY, PHONES, queue_texts, states

ROOT = Path(__file__).resolve().parents[2]
JITTER = 6  # texts claimed within the budget that may reach Twilio late, inside a later stretch


class TimedTwilio(FakeTwilio):
    """FakeTwilio that also notes when (monotonic seconds) it accepted each message."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def accept(self, form):
        with self.lock:
            self.times.append(time.monotonic())
        return super().accept(form)


@pytest.fixture
def twilio():
    with TimedTwilio() as fake:
        yield fake


@pytest.fixture
def world(make_world):
    made = make_world(MONDAY)
    made.couple(LA, PHONES)
    return made


def busiest(times: list[float], seconds: float) -> int:
    """The most sends in any stretch of `seconds`."""
    times, best, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] > seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def paced(world, rate: float, burst: float, **options) -> Dispatcher:
    pace = Pace(FROM, rate, burst, pause=timedelta(seconds=0.3))
    return Dispatcher(world.runtime.sessions, world.runtime.gateway, world.clock, pace=pace, **options)


def test_two_dispatchers_together_never_exceed_the_senders_rate(world, make_world, tmp_path):
    queue_texts(world, 40)
    first, second = paced(world, 20, 4), paced(world, 20, 4)
    started = time.monotonic()
    threads = [threading.Thread(target=d.run_until_idle, kwargs={"budget_seconds": 20}) for d in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    first.close(), second.close()

    assert states(world) == {"sent": 40} and world.unaccounted() == []
    assert elapsed >= (40 - 4) / 20 * 0.95  # the burst, then 20 a second: unpaced this takes ~0.1 s
    # Tokens are taken at claim time, so the claims keep to burst + one second's rate exactly; at Twilio a
    # few texts claimed just before a stretch may arrive inside it (JITTER). Unpaced, all 40 arrive at once.
    assert busiest(world.twilio.times, 1.0) <= 4 + 20 + JITTER


def test_two_scheduler_processes_on_postgresql_share_one_budget(tmp_path, pg_url, twilio):
    world = open_world(tmp_path, pg_url, twilio, MONDAY)
    try:
        world.couple(LA, PHONES)
        queue_texts(world, 60)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", "import sys; from tests.scheduler.test_dispatch_pacing import worker; "
                   "worker(*sys.argv[1:])", pg_url, twilio.url, str(tmp_path), TEST_KEY]
        workers = [subprocess.Popen(command + [name], cwd=ROOT, env=env) for name in ("a", "b")]
        assert [w.wait(timeout=60) for w in workers] == [0, 0]

        assert states(world) == {"sent": 60} and world.unaccounted() == []
        assert busiest(twilio.times, 2.0) <= 3 + 2 * 15 + JITTER  # as above; unpaced, all 60 at once
        assert max(twilio.times) - min(twilio.times) >= (60 - 3) / 15 * 0.9
    finally:
        close_world(world)


def worker(db_url: str, twilio_url: str, folder: str, key: str, name: str) -> None:
    """One scheduler process's dispatcher, paced at 15 texts a second with a burst of 3 (run by the test
    above; `name` only tells the two apart in a traceback)."""
    from core.clock import utcnow
    from core.runtime import open_runtime
    from sms.gateway import TwilioGateway
    settings = make_settings(Path(folder), database_url=db_url, encryption_key=key)  # the test's keys
    gateway = TwilioGateway(FakeTwilio.account_sid, FakeTwilio.auth_token, from_number=FROM, api_url=twilio_url)
    runtime = open_runtime(settings, gateway, clock=utcnow, migrate=False)
    dispatcher = Dispatcher(runtime.sessions, gateway, lambda: MONDAY, pace=Pace(FROM, 15, 3))
    dispatcher.run_until_idle(budget_seconds=30)
    dispatcher.close(), gateway.close(), runtime.close()


def test_urgent_texts_go_first_then_the_rest_in_due_time_order(world):
    for minutes in (30, 10, 50, 20, 40):
        world.clock.set(MONDAY - timedelta(minutes=minutes))
        queue_texts(world, 1, kind="daily_question", to=1 + minutes // 10 % 2, **{"respect_quiet": False})
        with world.tx() as session:  # distinct keys per due time
            last = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()
            last.idempotency_key, last.body = f"q:{minutes}", f"question due {minutes} min ago"
    world.clock.set(MONDAY)
    queue_texts(world, 1, kind="promise_reminder", respect_quiet=False)
    queue_texts(world, 1, kind="thinking")
    single = Dispatcher(world.runtime.sessions, world.runtime.gateway, world.clock, concurrency=1)

    single.run_until_idle()
    single.close()

    assert [m["body"] for m in world.twilio.sent] == [
        "text promise_reminder 0", "text thinking 0"] + [f"question due {m} min ago" for m in (50, 40, 30, 20, 10)]


def test_a_rate_error_slows_the_sender_and_the_text_waits_instead_of_failing(world):
    queue_texts(world, 6)
    world.twilio.script(("ok",), ("error", 429, 20429), ("error", 429, None), ("error", 400, 30001))
    # Two claimed at a time, so each refusal comes after the pause of the one before: three overshoots (with
    # more claimed at once, two refusals can arrive within one pause, and they count as one overshoot).
    dispatcher = paced(world, 50, 5, concurrency=1, window=2)
    started = time.monotonic()

    stats = dispatcher.run_until_idle(budget_seconds=20)
    dispatcher.close()

    assert (stats.sent, stats.throttled, stats.failed, stats.retried) == (6, 3, 0, 0)
    assert states(world) == {"sent": 6} and world.unaccounted() == []
    assert all(m.attempts == 1 for m in world.messages())  # a refusal for rate is not an attempt
    assert time.monotonic() - started >= 3 * 0.3  # each rate error paused the sender
    with world.tx() as session:
        assert session.get(SendPace, FROM).slowdown == pytest.approx(1 / 8)


def test_a_queue_overflow_report_puts_the_text_back_and_slows_the_sender(world):
    queue_texts(world, 2)
    dispatcher = paced(world, 50, 5)
    dispatcher.run_until_idle()
    first, second = world.messages()
    with world.tx() as session:
        assert update_status(session, first.provider_sid, "failed", 30001, world.clock())
        assert update_status(session, second.provider_sid, "undelivered", 30003, world.clock())
    with world.tx() as session:
        assert session.get(SendPace, FROM).slowdown == 0.5
        assert session.get(OutboundMessage, first.id).state == "queued"

    dispatcher.run_until_idle(budget_seconds=5)
    dispatcher.close()

    assert [m.state for m in world.messages()] == ["sent", "undelivered"]
    assert [m["body"] for m in world.twilio.sent].count(first.body) == 2 and len(world.twilio.sent) == 3


def test_sending_rate_settings(tmp_path):
    def pace(**overrides):
        return pace_from_settings(make_settings(tmp_path, twilio_from_number=FROM, **overrides))

    assert (pace().sender, pace().rate, pace().burst) == (FROM, 1.0, 1.0)
    assert pace(sms_sender_kind="toll_free").rate == 3.0
    assert pace(sms_sender_kind="short_code").rate == 100.0
    assert pace(sms_sender_kind="short_code", sms_rate_per_second="30").rate == 30.0
    assert pace(twilio_messaging_service_sid="MG" + "1" * 32).sender == "MG" + "1" * 32
    with pytest.raises(ConfigError, match="SMS_SENDER_KIND"):
        pace(sms_sender_kind="carrier_pigeon")
    with pytest.raises(ConfigError, match="SMS_RATE_PER_SECOND"):
        pace(sms_rate_per_second="fast")


def test_an_idle_sender_is_not_touched(world):
    dispatcher = paced(world, 1, 1)
    assert dispatcher.run_until_idle().claimed == 0
    dispatcher.close()
    with world.tx() as session:
        assert session.scalar(select(SendPace)) is None  # nothing due: the bucket row is not even made
