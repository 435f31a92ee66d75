"""Shared fixtures: a real SQLite file per test (PostgreSQL when TEST_DATABASE_URL is set), a settable
clock, a recording SMS gateway, the Flask app and client built over them, a couple (Alex linked to the test
Echo, Sam), and a plain session to look at what the app stored."""
import atexit
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, event, make_url, text
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
    """Drop everything in the public schema so the test starts from a database without tables."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def empty_postgres(url: str) -> None:
    """Leave the database as `alembic upgrade head` makes it, with no rows: when its schema is at head with
    every table of the model, its rows are deleted and its sequences start again (about 40 ms); otherwise
    (a first run, an older schema, a test that downgraded) everything is dropped, and the runtime migrates
    it again (about 600 ms, which, once per test, was most of the suite's time)."""
    from core.db import alembic_config
    from core.models import Base
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            tables = set(connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
            at = connection.scalar(text("SELECT version_num FROM alembic_version")) if "alembic_version" in tables \
                else None
            ours = {t.name for t in Base.metadata.sorted_tables}
            if at != head or tables != ours | {"alembic_version"}:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                return
            connection.execute(text("; ".join(f"DELETE FROM {t.name}" for t in reversed(Base.metadata.sorted_tables))
                                    + "; SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n"
                                      " ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"))
    finally:
        engine.dispose()


_TEMPLATE: list[Path] = []  # this pytest process's migrated, empty SQLite file


def migrated_sqlite(url: str) -> None:
    """Start a test's SQLite file (when it does not exist yet) as a copy of one that this pytest process
    migrated once: migrating takes about 0.4 s, a copy about 10 ms, and the copy is what `alembic upgrade
    head` makes (open_runtime still runs the upgrade, which finds it at head)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or parsed.database.startswith("file:") or Path(parsed.database).exists():
        return
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="tb-template-"))
        atexit.register(shutil.rmtree, folder, True)
        open_runtime(make_settings(folder), RecordingGateway()).close()
        _TEMPLATE.append(folder / "test.db")
    target = Path(parsed.database)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATE[0], target)
    target.chmod(0o600)


def _storage_url(request, tmp_path, prepare_postgres) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    prepare_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """Each storage test runs on a real SQLite file and, where available, on PostgreSQL (emptied of rows)."""
    return _storage_url(request, tmp_path, empty_postgres)


@pytest.fixture(params=["sqlite", "postgres"])
def tableless_database_url(request, tmp_path):
    """For tests of the migrations themselves: a new SQLite file, or PostgreSQL without a single table."""
    return _storage_url(request, tmp_path, reset_postgres)


@pytest.fixture
def statements_sent(runtime):
    """Every statement the runtime's engine sends from here on, whitespace folded (a statement budget's test)."""
    seen = []
    listener = lambda _c, _cur, statement, *_: seen.append(" ".join(statement.split()))  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(runtime.engine, "before_cursor_execute", listener)


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
    """Yield a throwaway database on the TEST_DATABASE_URL server (the test is skipped without one), already
    migrated: a copy of a template this pytest process migrated once (0.7 s against 1.6 s with migrating)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with throwaway_database(POSTGRES_URL, "test", template=_postgres_template()) as url:
        yield url


_PG_TEMPLATE: list[str] = []  # this pytest process's migrated, empty PostgreSQL database


def _postgres_template() -> str:
    if not _PG_TEMPLATE:
        name = f"test_template_{os.getpid()}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        folder = Path(tempfile.mkdtemp(prefix="tb-template-"))
        atexit.register(shutil.rmtree, folder, True)
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        open_runtime(make_settings(folder, url), RecordingGateway()).close()  # disposed: nobody stays connected

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        atexit.register(drop)
        _PG_TEMPLATE.append(name)
    return _PG_TEMPLATE[0]


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
    migrated_sqlite(settings.database_url)
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
