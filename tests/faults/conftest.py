"""Fault-test fixtures: a real database (a SQLite file; PostgreSQL in a private database when TEST_DATABASE_URL
is set), the real app over it with a settable clock, a couple (Alex linked to the Echo, Sam opted in), and a
look at every table so a test can say "nothing was stored"."""
import socket
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core.models import Base
from core.runtime import open_runtime
from core.services import couples
from tests.conftest import POSTGRES_URL, make_settings
from devkit.fakes.gateway import RecordingGateway
from tests.skill.envelopes import SKILL_ID, USER_ID
from tests.sms.conftest import BASE_URL, OUR_NUMBER, TOKEN

ALEX, SAM = "+14155550100", "+14155550101"
NO_POSTGRES = ("PostgreSQL not configured: set TEST_DATABASE_URL "
               "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")


def private_database(url: str):
    """A database of this test's own on the shared server, dropped afterwards. (Not a schema: core.db's
    make_engine replaces any `options` in the URL with its statement timeout, so a search_path there is lost.)"""
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """Each fault runs on a SQLite file and, where available, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faults.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    yield from private_database(POSTGRES_URL)


@pytest.fixture
def settings(tmp_path, db_url):
    """Test settings with our skill id and a Twilio token (webhook signatures); verification off."""
    return make_settings(tmp_path, db_url, alexa_skill_id=SKILL_ID, twilio_auth_token=TOKEN,
                         public_base_url=BASE_URL, twilio_from_number=OUR_NUMBER)


@pytest.fixture
def runtime(settings, clock):
    rt = open_runtime(settings, RecordingGateway(), clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def couple(runtime, clock):
    """Alex (texts on, linked to the test Echo's USER_ID) and Sam (texts on, not linked)."""
    with runtime.sessions.begin() as s:
        alex = couples.create_couple(s, "Alex", ALEX, clock(), "America/Los_Angeles")
        alex.alexa_user_id = USER_ID
        sam = couples.invite_partner(s, alex, SAM, "Sam", clock())
        couples.accept_invite(s, sam, clock())
        s.flush()
        return SimpleNamespace(alex=alex.id, sam=sam.id, couple=alex.couple_id)


@pytest.fixture
def look(runtime):
    """A plain session for reading what the app stored (the app's SQLite engine begins IMMEDIATE, so a
    reader on it would hold the write lock)."""
    engine = create_engine(runtime.settings.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table of our model, read fresh."""
    session.rollback()
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def no_fsync(engine) -> None:
    """Bulk tests are about logic, not durability: skip SQLite's fsync per commit (it dominates run time)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "checkout", lambda dbapi, *_: dbapi.execute("PRAGMA synchronous=OFF"))


TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.", "sqlite3.",
                   "Error(", "Exception:")


def leaks_traceback(data: bytes) -> bool:
    """True when a response body shows a traceback or an exception's repr."""
    body = data.decode("utf-8", "replace")
    return any(mark in body for mark in TRACEBACK_MARKS)


FIGURES: list[str] = []


def report(line: str) -> None:
    """A measured figure for the end of the run (printed in pytest's summary, -s or not)."""
    FIGURES.append(line)
    print("\n" + line)


def pytest_terminal_summary(terminalreporter):
    """The fault tests' measured figures, after the results."""
    if FIGURES:
        terminalreporter.section("fault figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
