"""Shared fixtures: a real SQLite file per test (PostgreSQL when TEST_DATABASE_URL is set), a settable
clock, a recording SMS gateway, the Flask app and client built over them, a couple (Alex linked to the test
Echo, Sam), and a plain session to look at what the app stored."""
import os
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from core.clock import SettableClock
from core.config import load_settings
from core.db import make_engine, transaction
from core.runtime import open_runtime
from devkit.databases import throwaway_database
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple

TEST_KEY = Fernet.generate_key().decode()
START = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # a Monday; 09:00 in Los Angeles
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
NO_POSTGRES = ("PostgreSQL not configured: set TEST_DATABASE_URL "
               "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
ALEX, SAM = "+14155550100", "+14155550101"


def make_settings(tmp_path, database_url=None, **overrides):
    """Test settings: development-like but explicit, with a fixed encryption key."""
    values = dict(app_env="development", database_url=database_url or f"sqlite:///{tmp_path / 'test.db'}",
                  encryption_key=TEST_KEY, var_dir=str(tmp_path), alexa_verify="false",
                  public_base_url="https://tb.example.com", default_timezone="America/Los_Angeles")
    values.update(overrides)
    return load_settings(environ={}, env_file=None, **values)


def reset_postgres(url: str) -> None:
    """Drop everything in the public schema so each test starts from an empty database."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """Each storage test runs on a real SQLite file and, where available, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """Like `database_url`, but PostgreSQL in a database of this test's own, dropped afterwards (for tests
    that run processes or many connections, which a concurrent schema reset would disturb)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield from own_postgres()


@pytest.fixture
def pg_url():
    """PostgreSQL only (several processes at once), in a database of its own; skipped without TEST_DATABASE_URL."""
    yield from own_postgres()


def own_postgres():
    """Yield a throwaway database on the TEST_DATABASE_URL server (the test is skipped without one)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with throwaway_database(POSTGRES_URL, "test") as url:
        yield url


@pytest.fixture
def clock():
    return SettableClock(START)


@pytest.fixture
def gateway():
    return RecordingGateway()


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def runtime(settings, gateway, clock):
    rt = open_runtime(settings, gateway, clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def session(runtime):
    """A session in a transaction that the test may commit."""
    with runtime.sessions() as s:
        yield s


@pytest.fixture
def app(runtime):
    from app import create_app
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tx(runtime):
    """A function that opens a committed unit of work: `with tx() as s: ...`."""
    return lambda: transaction(runtime.sessions)


@pytest.fixture
def couple(runtime, clock):
    """Alex (texts on, linked to the test Echo's USER_ID without a voice profile) and Sam (texts on, not linked)."""
    from tests.skill.envelopes import USER_ID
    with transaction(runtime.sessions) as s:
        alex, sam = seed_couple(s, clock(), "America/Los_Angeles", (ALEX, SAM))
        alex.alexa_user_id = USER_ID
        return SimpleNamespace(alex=alex.id, sam=sam.id, couple=alex.couple_id)


@pytest.fixture
def look(runtime):
    """A session for looking at what the app stored, on a plain engine of its own: the app's SQLite engine
    begins IMMEDIATE transactions, so a test session on it would hold the write lock between statements."""
    engine = create_engine(runtime.settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
