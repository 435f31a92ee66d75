"""Shared fixtures: a real SQLite file per test (PostgreSQL when TEST_DATABASE_URL is set), a settable
clock, a recording SMS gateway, and the Flask app and client built over them."""
import os
from datetime import datetime, timezone

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core.clock import SettableClock
from core.config import load_settings
from core.db import make_engine, transaction
from core.runtime import open_runtime
from devkit.fakes.gateway import RecordingGateway

TEST_KEY = Fernet.generate_key().decode()
START = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # a Monday; 09:00 in Los Angeles
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def make_settings(tmp_path, database_url=None, **overrides):
    """Test settings: development-like but explicit, with a fixed encryption key."""
    values = dict(app_env="test", database_url=database_url or f"sqlite:///{tmp_path / 'test.db'}",
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
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


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
