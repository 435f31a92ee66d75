"""Fault-test fixtures: the real app with a settable clock over tests/conftest.py's `db_url` (a SQLite file;
PostgreSQL in a private database when TEST_DATABASE_URL is set), and a look at every table so a test can
say "nothing was stored". The couple and `look` are tests/conftest.py's."""
import socket

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from core.models import Base
from core.runtime import open_runtime
from devkit.fakes.gateway import RecordingGateway
from tests.conftest import ALEX, SAM, make_settings, migrated_sqlite  # noqa: F401  (the fault tests' couple)
from tests.skill.envelopes import SKILL_ID
from tests.sms.conftest import BASE_URL, OUR_NUMBER, TOKEN


@pytest.fixture
def settings(tmp_path, db_url):
    """Test settings with our skill id and a Twilio token (webhook signatures); verification off."""
    return make_settings(tmp_path, db_url, alexa_skill_id=SKILL_ID, twilio_auth_token=TOKEN,
                         public_base_url=BASE_URL, twilio_from_number=OUR_NUMBER)


@pytest.fixture
def runtime(settings, clock):
    migrated_sqlite(settings.database_url)
    rt = open_runtime(settings, RecordingGateway(), clock=clock)
    yield rt
    rt.close()


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
