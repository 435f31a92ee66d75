"""The dispatcher against FakeTwilio through the real twilio client: retries with backoff end in exactly one
text; a send that may have arrived is never repeated; a crash or a stop mid-batch never sends twice."""
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from core.models import OutboundMessage, Partner
from core.services import couples, outbox, personal_settings
from core.services.delivery_reports import update_status
from core.services.dispatch import Dispatcher
from core.services.send_rules import INTERRUPTED, MAYBE_SENT
from sms.gateway import TwilioGateway

MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
LA = "America/Los_Angeles"
PHONES = ("+14155550121", "+14155550122")


class Crash(BaseException):
    """The process dying mid-dispatch: a BaseException, so nothing on the way catches it."""


class Wrapped:
    """A real gateway with something happening on the n-th send (a crash, a stop, a dead network)."""

    delivers = True

    def __init__(self, inner, after: int, action):
        self.inner, self.after, self.action, self.count, self.lock = inner, after, action, 0, threading.Lock()

    def send(self, to, body, *, status_callback=None):
        with self.lock:
            self.count += 1
            count = self.count
        return self.action(self, count, to, body) or self.inner.send(to, body, status_callback=status_callback)


def queue_texts(world, count: int, kind: str = "thinking", to: int = 1, **draft) -> list[int]:
    """`count` texts to partner `to` (1 is Alex, 2 is Sam), due now unless the draft says; returns their ids."""
    with world.tx() as session:
        person = session.get(Partner, to)
        made = [outbox.queue(session, person, outbox.Draft(f"text {kind} {n}", kind, f"test:{kind}:{n}", **draft),
                             world.clock())[0] for n in range(count)]
        session.flush()
        return [m.id for m in made]


@pytest.fixture
def world(make_world):
    """Monday 09:00 in Los Angeles, one couple (partners 1 and 2)."""
    made = make_world(MONDAY)
    made.couple(LA, PHONES)
    return made


def states(world) -> dict[str, int]:
    result: dict[str, int] = {}
    for message in world.messages():
        result[message.state] = result.get(message.state, 0) + 1
    return result


def wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_rate_limits_and_server_errors_are_retried_until_each_text_is_sent_once(world):
    """A 429 puts the text back without counting an attempt (it was refused, not tried); 5xx are retried."""
    queue_texts(world, 5)
    world.twilio.script(("error", 429, 20429), ("error", 500, None), ("error", 503, None))

    first = world.dispatcher.run_until_idle()
    world.advance_to(MONDAY + timedelta(hours=2))

    assert (first.sent, first.retried, first.throttled) == (2, 2, 1)
    assert states(world) == {"sent": 5}
    assert sorted(m["body"] for m in world.twilio.sent) == [f"text thinking {n}" for n in range(5)]
    assert len(world.twilio.requests) == 8 and sum(m.attempts for m in world.messages()) == 7


def test_a_refused_connection_is_retried(world):
    queue_texts(world, 3)
    dead = TwilioGateway(world.twilio.account_sid, world.twilio.auth_token, from_number="+15550001111",
                         api_url=f"http://127.0.0.1:{closed_port()}", timeout=1.0)
    world.dispatcher.gateway = Wrapped(world.runtime.gateway, 0, lambda w, n, to, body: dead.send(to, body)
                                       if n <= 2 else None)

    world.advance_to(MONDAY + timedelta(hours=1))
    dead.close()

    assert states(world) == {"sent": 3} and len(world.twilio.sent) == 3


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_read_timeout_is_never_sent_again(make_world):
    world = make_world(MONDAY, twilio_timeout_seconds=0.3)
    world.couple(LA, PHONES)
    queue_texts(world, 3)
    world.twilio.script(("delay", 1.0))  # Twilio takes the text, but answers after the client gave up

    world.dispatcher.run_until_idle()
    wait_for(lambda: len(world.twilio.sent) == 3)
    world.advance_to(MONDAY + timedelta(hours=2))

    assert states(world) == {"sent": 2, "failed": 1}
    [maybe] = world.messages(state="failed")
    assert (maybe.error_code, maybe.attempts) == (MAYBE_SENT, 1)
    assert sorted(m["body"] for m in world.twilio.sent) == [f"text thinking {n}" for n in range(3)]


def test_an_unexpected_gateway_error_is_not_retried(world):
    [message_id] = queue_texts(world, 1)
    world.dispatcher.gateway = Wrapped(world.runtime.gateway, 0, lambda *_: 1 / 0)

    world.advance_to(MONDAY + timedelta(hours=2))

    with world.tx() as session:
        message = session.get(OutboundMessage, message_id)
        assert (message.state, message.error_code, message.attempts) == ("failed", MAYBE_SENT, 1)


def test_after_max_attempts_a_text_fails(world):
    queue_texts(world, 1)
    world.twilio.script(*[("error", 500, None)] * 6)

    world.advance_to(MONDAY + timedelta(hours=6))

    [message] = world.messages()
    assert (message.state, message.attempts, len(world.twilio.requests)) == ("failed", 6, 6)


@pytest.mark.parametrize("code, effect", [(21610, "opted_out"), (21211, "phone_invalid")])
def test_a_refusal_about_the_number_stops_texts_to_it(world, code, effect):
    first, second = queue_texts(world, 2)
    with world.tx() as session:
        session.get(OutboundMessage, second).send_after = MONDAY + timedelta(minutes=5)
    world.twilio.script(("error", 400, code))

    world.advance_to(MONDAY + timedelta(hours=1))

    with world.tx() as session:
        assert getattr(session.get(Partner, 1), effect) is True
        assert session.get(OutboundMessage, first).state == "failed"
        assert session.get(OutboundMessage, second).state in {"cancelled", "blocked"}
    assert world.twilio.sent == []


def test_a_crash_mid_dispatch_sends_nothing_twice_and_leaves_at_most_the_window_in_doubt(world):
    queue_texts(world, 30)
    crashing = Dispatcher(world.runtime.sessions, Wrapped(world.runtime.gateway, 7, crash_after), world.clock,
                          batch=20, concurrency=4)
    with pytest.raises(Crash):
        crashing.run_until_idle()
    crashing.close()
    at_crash = states(world)
    in_doubt, waiting = at_crash.get("sending", 0), at_crash["queued"]
    # at most one window (12: the 4 in flight and the 8 claimed to follow them); none sent twice
    assert 1 <= in_doubt <= crashing.window == 12 and len(world.twilio.sent) == 7

    restarted = Dispatcher(world.runtime.sessions, world.runtime.gateway, world.clock)
    assert restarted.recover_interrupted() == 0  # within the lease: could be a live dispatcher's texts
    world.clock.advance(minutes=11)
    assert restarted.recover_interrupted() == in_doubt
    assert restarted.run_until_idle().sent == waiting
    restarted.close()

    assert states(world) == {"sent": 30 - in_doubt, "failed": in_doubt}
    assert {m.error_code for m in world.messages(state="failed")} == {INTERRUPTED}
    assert len(world.twilio.sent) == 7 + waiting and len({m["body"] for m in world.twilio.sent}) == 7 + waiting


def crash_after(wrapper, count, *_):
    if count > wrapper.after:
        raise Crash()


@pytest.mark.parametrize("window", [4, None])  # None (12): more claimed than threads, so some wait in the pool
def test_a_clean_stop_claims_nothing_more_and_puts_back_what_was_not_handed_over(world, window):
    queue_texts(world, 40)
    stopping = Dispatcher(world.runtime.sessions, world.runtime.gateway, world.clock, batch=40, concurrency=4,
                          window=window)
    stopping.gateway = Wrapped(world.runtime.gateway, 5, lambda w, n, *_: n == w.after and stopping.stop())

    stats = stopping.run_until_idle()
    stopping.close()

    assert stats.sent + stats.released <= stopping.window + 5 and stats.sent >= 5
    assert stats.released >= (0 if window else 4)  # claimed but never started: back in the queue
    assert states(world) == {"sent": stats.sent, "queued": 40 - stats.sent}
    assert all(m.claimed_at is None and m.attempts == 0 for m in world.messages(state="queued"))
    world.tick()
    assert states(world) == {"sent": 40} and len(world.twilio.sent) == 40 and world.unaccounted() == []


def test_quiet_hours_defer_and_expiry_drops(make_world):
    world = make_world(MONDAY + timedelta(hours=13))  # 22:00 in Los Angeles
    world.couple(LA, PHONES)
    queue_texts(world, 1)
    queue_texts(world, 1, kind="promise_reminder", respect_quiet=False)
    queue_texts(world, 1, kind="daily_question", expires_at=MONDAY + timedelta(hours=14))

    world.advance_to(MONDAY + timedelta(hours=25))

    by_kind = {m.kind: m for m in world.messages()}
    assert by_kind["promise_reminder"].sent_at == MONDAY + timedelta(hours=13)
    assert by_kind["thinking"].sent_at == MONDAY + timedelta(hours=23)  # 08:00, the end of quiet hours
    assert by_kind["daily_question"].state == "expired"


def test_a_paused_partner_gets_no_scheduled_texts_but_asked_for_reminders(world):
    queue_texts(world, 1, kind="daily_question")
    queue_texts(world, 1, kind="promise_reminder", respect_quiet=False)
    with world.tx() as session:
        personal_settings.set_paused(session, session.get(Partner, 1), True)

    world.tick()

    assert {m.kind: m.state for m in world.messages()} == {"daily_question": "cancelled", "promise_reminder": "sent"}


def test_status_callbacks_only_move_forward_and_a_stop_report_opts_out(world):
    queue_texts(world, 2)
    world.tick()
    first, second = world.messages()
    with world.tx() as session:
        now = world.clock()
        assert update_status(session, first.provider_sid, "delivered", None, now)
        assert not update_status(session, first.provider_sid, "sent", None, now)
        assert not update_status(session, "SM" + "0" * 32, "delivered", None, now)
        assert update_status(session, second.provider_sid, "undelivered", 21610, now)
        assert session.get(Partner, 1).opted_out
    assert [m.state for m in world.messages()] == ["delivered", "undelivered"]
