"""Scheduler tests: the real database (a SQLite file; a private PostgreSQL database when TEST_DATABASE_URL is
set), a settable clock, and the real sender: sms.gateway's TwilioGateway on the real twilio client, talking
to FakeTwilio on loopback. `World` moves time like the scheduler would see it: it stops at every due time."""
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from core.clock import SettableClock
from core.db import transaction
from core.models import Couple, NudgeSchedule, OutboundMessage
from core.runtime import Runtime, open_runtime
from core.services import couples
from core.services.dispatch import Dispatcher
from scheduler import jobs
from sms.gateway import gateway_for
from tests.conftest import POSTGRES_URL, make_settings
from tests.fakes.twilio_api import FakeTwilio

UTC = timezone.utc
FROM = "+15550001111"
NO_POSTGRES = ("PostgreSQL not configured: set TEST_DATABASE_URL "
               "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")


def private_database(url: str):
    """A database of this test's own, dropped afterwards: suites sharing the server never see each other's
    rows (the shared fixture resets the public schema, which a concurrent run would feel)."""
    name = f"sched_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """Each test runs on a SQLite file and, where available, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scheduler.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from private_database(POSTGRES_URL)


@pytest.fixture
def pg_url():
    """PostgreSQL only (several processes at once); skipped without TEST_DATABASE_URL."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from private_database(POSTGRES_URL)


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


def world_settings(tmp_path, db_url, twilio, **overrides):
    """Settings whose Twilio is the fake: the scheduler's own gateway_for() builds the real client."""
    return make_settings(tmp_path, database_url=db_url, twilio_account_sid=twilio.account_sid,
                         twilio_auth_token=twilio.auth_token, twilio_from_number=FROM,
                         twilio_api_url=twilio.url, **overrides)


@dataclass
class World:
    """A scheduler process under test: runtime, dispatcher, clock and the fake Twilio it texts."""

    runtime: Runtime
    dispatcher: Dispatcher
    clock: SettableClock
    twilio: FakeTwilio

    def tx(self):
        return transaction(self.runtime.sessions)

    def couple(self, tz: str, phones: tuple[str, str], question_minute: int = 19 * 60,
               quiet: tuple[int, int] = (21, 8)) -> tuple[int, int]:
        """A couple made through the services (create, invite, accept); returns both partner ids."""
        with self.tx() as session:
            alex = couples.create_couple(session, "Alex", phones[0], self.clock(), tz, question_minute, quiet)
            sam = couples.invite_partner(session, alex, phones[1], "Sam", self.clock())
            couples.accept_invite(session, sam, self.clock())
            return alex.id, sam.id

    def tick(self):
        """One scheduler pass at the current time."""
        return jobs.run_once(self.runtime, self.dispatcher)

    def advance_to(self, until: datetime, max_step: timedelta = timedelta(hours=1)) -> None:
        """Run a pass, jump to the next due time (at most `max_step` ahead), repeat until `until`."""
        self.tick()
        while self.clock() < until:
            due = self.next_due()
            self.clock.set(min(until, self.clock() + max_step, due or until))
            self.tick()

    def next_due(self) -> datetime | None:
        """The soonest time after now at which our tables say something is due."""
        now = self.clock()
        queries = [select(func.min(OutboundMessage.send_after)).where(OutboundMessage.state == "queued",
                                                                      OutboundMessage.send_after > now),
                   select(func.min(Couple.next_question_at)).where(Couple.next_question_at > now),
                   select(func.min(Couple.next_summary_at)).where(Couple.next_summary_at > now),
                   select(func.min(NudgeSchedule.next_at)).where(NudgeSchedule.active, NudgeSchedule.next_at > now)]
        with self.runtime.sessions() as session:
            times = [t for t in (session.scalar(q) for q in queries) if t is not None]
        return min(times) if times else None

    def messages(self, **where) -> list[OutboundMessage]:
        """Outbound rows matching column=value filters, oldest first."""
        query = select(OutboundMessage).filter_by(**where).order_by(OutboundMessage.send_after, OutboundMessage.id)
        with self.runtime.sessions() as session:
            return list(session.scalars(query))

    def unaccounted(self) -> list[dict]:
        """Texts FakeTwilio accepted that no row's provider sid accounts for: a text sent twice shows up here."""
        sids = Counter(m.provider_sid for m in self.messages() if m.provider_sid)
        assert all(n == 1 for n in sids.values())
        return [m for m in self.twilio.sent if m["sid"] not in sids]


def open_world(tmp_path, db_url, twilio, start: datetime, concurrency: int = 4, **overrides) -> World:
    """Build a World; the caller closes it with close_world."""
    clock = SettableClock(start)
    settings = world_settings(tmp_path, db_url, twilio, **overrides)
    runtime = open_runtime(settings, gateway_for(settings), clock=clock)
    dispatcher = Dispatcher(runtime.sessions, runtime.gateway, clock, concurrency=concurrency)
    return World(runtime, dispatcher, clock, twilio)


def close_world(world: World) -> None:
    world.dispatcher.close()
    world.runtime.gateway.close()
    world.runtime.close()


@pytest.fixture
def make_world(tmp_path, db_url, twilio):
    """A factory: make_world(start, **setting overrides) -> World, closed after the test."""
    made = []

    def build(start: datetime, **overrides) -> World:
        made.append(open_world(tmp_path, db_url, twilio, start, **overrides))
        return made[-1]

    yield build
    for world in made:
        close_world(world)
