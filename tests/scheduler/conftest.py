"""Scheduler tests: the real database (tests/conftest.py's `db_url`: a SQLite file; a private PostgreSQL
database when TEST_DATABASE_URL is set), a settable clock, and the real sender: sms.gateway's TwilioGateway on the real twilio client, talking
to FakeTwilio on loopback. `World` moves time like the scheduler would see it: it stops at every due time."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.clock import SettableClock
from core.db import transaction
from core.models import OutboundMessage
from core.runtime import Runtime, open_runtime
from core.services.dispatch import Dispatcher
from devkit import stepping
from devkit.fakes.twilio_api import FakeTwilio
from devkit.seeding import seed_couple
from scheduler import jobs
from sms.gateway import gateway_for
from tests.conftest import make_settings, migrated_sqlite

UTC = timezone.utc
FROM = "+15550001111"


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
            alex, sam = seed_couple(session, self.clock(), tz, phones, question_minute=question_minute, quiet=quiet)
            return alex.id, sam.id

    def tick(self):
        """One scheduler pass at the current time."""
        return jobs.run_once(self.runtime, self.dispatcher)

    def advance_to(self, until: datetime, max_step: timedelta = timedelta(hours=1)) -> None:
        """Run a pass, jump to the next due time (at most `max_step` ahead), repeat until `until`."""
        self.tick()
        stepping.step_to(self.clock, until, self.runtime.sessions, self.tick, max_step)

    def next_due(self) -> datetime | None:
        """The soonest time after now at which our tables say something is due."""
        return stepping.next_due(self.runtime.sessions, self.clock())

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
    migrated_sqlite(settings.database_url)
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
