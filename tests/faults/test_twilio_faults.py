"""Twilio misbehaving: 429 then 201, 500 then 201, a refused connection, and answers slower than the gateway's
timeout. The real Dispatcher with the real TwilioGateway (the twilio client) against FakeTwilio; a
SettableClock is moved past the backoff between passes.

How the design treats a timeout: the request was written, so Twilio may have accepted the text (FakeTwilio
does, once its delay is over). The dispatcher gives up rather than retrying: the row is marked failed with
code -2 (MAYBE_SENT) and is never sent again, so the person gets it once (if Twilio took it) or not at all,
never twice. A refused connection never reached Twilio, so it is retried like a 429 or a 5xx.
"""
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.clock import SettableClock
from core.models import OutboundMessage, Partner
from core.runtime import open_runtime
from core.services import outbox
from core.services.dispatch import Dispatcher
from core.services.send_rules import MAYBE_SENT
from devkit.fakes.twilio_api import FakeTwilio
from devkit.seeding import seed_couple
from sms.gateway import TwilioGateway, gateway_for
from tests.conftest import make_settings
from tests.faults.processes import FROM

pytestmark = pytest.mark.faults

MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles: no quiet hours
TIMEOUT = 0.25  # the gateway's deadline (TWILIO_TIMEOUT_SECONDS)
SLOW = 0.75  # a FakeTwilio answer slower than that
PAST_BACKOFF = timedelta(seconds=31)  # backoff after the first attempt is at most 30 s


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def world(tmp_path, db_url, twilio):
    """Runtime, clock and a 4-thread dispatcher whose gateway is the real client pointed at the fake."""
    settings = make_settings(tmp_path, db_url, twilio_account_sid=twilio.account_sid,
                             twilio_auth_token=twilio.auth_token, twilio_from_number=FROM,
                             twilio_api_url=twilio.url, twilio_timeout_seconds=str(TIMEOUT))
    clock = SettableClock(MONDAY)
    runtime = open_runtime(settings, gateway_for(settings), clock=clock)
    dispatcher = Dispatcher(runtime.sessions, runtime.gateway, clock, concurrency=4)
    yield runtime, dispatcher, clock
    dispatcher.close()
    runtime.gateway.close()
    runtime.close()


def queue_texts(runtime, clock, count: int) -> dict[str, str]:
    """A couple (both opted in) and `count` due texts for Alex; returns body -> idempotency key."""
    with runtime.sessions.begin() as session:
        alex, _ = seed_couple(session, clock(), "America/Los_Angeles", ("+14155550121", "+14155550122"))
        drafts = [outbox.Draft(f"fault text {n}", "thinking", f"twilio-fault:{n}") for n in range(count)]
        for draft in drafts:
            outbox.queue(session, session.get(Partner, alex.id), draft, clock())
    return {d.body: d.key for d in drafts}


def rows(runtime) -> dict[str, OutboundMessage]:
    with runtime.sessions() as session:
        return {m.body: m for m in session.scalars(select(OutboundMessage))}


def drain(dispatcher, clock, passes: int = 10) -> None:
    """Pass after pass, moving the clock past the backoff, until nothing is left to retry."""
    for _ in range(passes):
        if not dispatcher.run_until_idle().claimed:
            return
        clock.advance(seconds=PAST_BACKOFF.total_seconds())


def settle(twilio, expected: int, seconds: float = 5.0) -> None:
    """Wait for FakeTwilio's slow answers to finish: it accepts a delayed text after the client gave up."""
    deadline = time.monotonic() + seconds
    while len(twilio.sent) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(SLOW)  # and nothing more arrives after that


# A 429 is a refusal for rate: the text is put back without counting an attempt (issue 17), after a
# pause; 5xx are retried with backoff, one attempt each.
@pytest.mark.parametrize("fault, retried, throttled, attempts", [
    (("error", 429, 20429), 0, 1, 1),
    (("error", 500, None), 1, 0, 2),
    (("error", 503, None), 1, 0, 2),
], ids=["429-then-201", "500-then-201", "503-then-201"])
def test_a_refusal_worth_retrying_ends_in_exactly_one_text(world, twilio, fault, retried, throttled, attempts):
    runtime, dispatcher, clock = world
    queue_texts(runtime, clock, 1)
    twilio.script(fault)

    first = dispatcher.run_until_idle()
    assert (first.sent, first.retried, first.throttled) == (0, retried, throttled) and twilio.sent == []
    assert dispatcher.run_until_idle().claimed == 0  # not before the backoff has passed
    clock.advance(seconds=PAST_BACKOFF.total_seconds())
    assert dispatcher.run_until_idle().sent == 1

    [message] = rows(runtime).values()
    assert [m["body"] for m in twilio.sent] == ["fault text 0"]
    assert (message.state, message.provider_sid, message.attempts) == ("sent", twilio.sent[0]["sid"], attempts)


def test_a_timeout_is_given_up_never_sent_twice(world, twilio):
    """The documented choice: Twilio did accept it (FakeTwilio records delayed texts), so a retry would
    text the person twice; the row is failed with code -2 instead, and later passes leave it alone."""
    runtime, dispatcher, clock = world
    queue_texts(runtime, clock, 1)
    twilio.script(("delay", SLOW))

    stats = dispatcher.run_until_idle()
    settle(twilio, 1)
    clock.advance(hours=2)
    drain(dispatcher, clock)

    [message] = rows(runtime).values()
    assert (stats.sent, stats.retried, stats.failed) == (0, 0, 1)
    assert (message.state, message.error_code, message.attempts) == ("failed", MAYBE_SENT, 1)
    assert [m["body"] for m in twilio.sent] == ["fault text 0"] and len(twilio.requests) == 1


def test_a_refused_connection_never_reached_twilio_so_it_is_retried(world, twilio, unused_port):
    runtime, dispatcher, clock = world
    queue_texts(runtime, clock, 3)
    down = TwilioGateway(twilio.account_sid, twilio.auth_token, from_number=FROM,
                         api_url=f"http://127.0.0.1:{unused_port}", timeout=TIMEOUT)
    offline = Dispatcher(runtime.sessions, down, clock, concurrency=1)
    try:
        assert offline.run_until_idle().retried == 3
    finally:
        offline.close()
        down.close()

    clock.advance(seconds=PAST_BACKOFF.total_seconds())
    drain(dispatcher, clock)

    assert {m.state for m in rows(runtime).values()} == {"sent"}
    assert sorted(m["body"] for m in twilio.sent) == [f"fault text {n}" for n in range(3)]


def test_a_storm_of_faults_still_texts_everyone_once(world, twilio):
    """40 texts through 4 threads while Twilio answers 429s, 500s, 503s and slow 201s in a random order:
    every text reaches Twilio exactly once; the slow ones are the failed -2 rows, never tried again."""
    runtime, dispatcher, clock = world
    keys = queue_texts(runtime, clock, 40)
    faults = ([("error", 429, 20429)] * 6 + [("error", 500, None)] * 6 + [("error", 503, None)] * 3
              + [("delay", SLOW)] * 4 + [("ok",)] * 21)
    random.Random(7).shuffle(faults)
    twilio.script(*faults)

    drain(dispatcher, clock)
    settle(twilio, len(keys))

    final, sent, tried = rows(runtime), Counter(m["body"] for m in twilio.sent), \
        Counter(r["form"]["Body"] for r in twilio.requests)
    assert sent == Counter(list(keys))  # everyone got their text, nobody got one twice
    slow = {b for b, m in final.items() if m.state == "failed"}
    assert len(slow) == 4 and all(final[b].error_code == MAYBE_SENT for b in slow)
    assert all(tried[b] == 1 for b in slow)
    assert sum(n - 1 for n in tried.values()) == 15  # one retry per 429/500/503
    by_sid = {m["sid"]: m["body"] for m in twilio.sent}
    assert all(by_sid[m.provider_sid] == b for b, m in final.items() if m.state == "sent")
    assert Counter(m.state for m in final.values()) == Counter(sent=36, failed=4)
