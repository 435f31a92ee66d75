"""The database: engine, sessions, and schema migrations (Alembic) run at start-up."""
import os
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent


class SchemaError(Exception):
    """The database schema is not at the version this code needs."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys, its folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 5}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # hide_parameters: an error's text never carries the bound values (phone numbers, ciphertext) into logs.
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=3,
                           connect_args={"connect_timeout": 3}, hide_parameters=True)
    event.listen(engine, "connect", _postgres_timeouts)
    return engine


def _private_sqlite_file(path: Path) -> None:
    """The SQLite file holds everything partners wrote: its folder is created 0700 and the file 0600 (an
    existing file readable by others is tightened); SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def describe_error(error: Exception) -> str:
    """One line for a database that fails at start-up: what it said (never the statement or its values)
    and what to check."""
    said = str(getattr(error, "orig", None) or error).strip().splitlines()
    said = said[0] if said else type(error).__name__
    if "readonly" in said.replace("-", "").replace(" ", "").lower() or "read-only" in said:
        return (f"DATABASE_URL: the database is read-only ({said}); Trust Builder must write to it: check the "
                "file's owner and permissions (or the disk), or the PostgreSQL role's privileges")
    if "permission denied" in said or "must be owner" in said:
        return (f"DATABASE_URL: the database role lacks a privilege ({said}); if a migration is pending, run "
                "`alembic upgrade head` with the owner role's URL first (docs/self-hosting.md, Upgrades)")
    if isinstance(error, OperationalError):
        return (f"DATABASE_URL: cannot use the database ({said}); check that the server runs and that the "
                "role and database in DATABASE_URL exist (deploy/postgres-setup.sh creates them)")
    return f"DATABASE_URL: the database refused start-up ({said})"


def _postgres_timeouts(dbapi_connection, _record) -> None:
    """A statement may not outlive Alexa's 8 s: give up at 5 s and answer with an apology instead.
    (Set per connection, so options given in DATABASE_URL, like a search_path, still apply.)"""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 5000")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets the web app read while the scheduler writes; foreign keys are off by default in SQLite.
    The driver's own transaction handling is switched off so that SAVEPOINTs nest inside a real BEGIN
    (otherwise pysqlite commits at RELEASE SAVEPOINT and a rolled-back request leaves rows behind)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """BEGIN IMMEDIATE: a transaction that may write takes the lock up front and waits its turn; a deferred
    one would fail at once (SQLITE_BUSY_SNAPSHOT) when another process wrote since it began reading.
    Sessions are one per request or job, so the wait is short; SQLite is for development and one host."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session:
        with session.begin():
            yield session


def insert_new(session: Session, model):
    """INSERT ... ON CONFLICT DO NOTHING into the model's table, in the session's dialect (PostgreSQL or
    SQLite): a row whose unique key is taken already is skipped, in the same statement (add RETURNING to learn
    which were stored: psycopg's rowcount is -1 here)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model.__table__).on_conflict_do_nothing()


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    """Alembic's configuration for our migrations folder, bound to `engine` when given."""
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema up to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def check_schema(engine: Engine) -> None:
    """Raise SchemaError unless the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise SchemaError(f"database schema is at {current or 'nothing'}, code needs {head}: "
                          "run `alembic upgrade head`")


def ping(engine: Engine) -> str | None:
    """The migration version if the database answers AND accepts a write, else raise. The write is a no-op
    update of the one-row version table, rolled back: one statement, nothing changes, but a read-only
    database (full disk, read-only file or replica, revoked privilege) fails here instead of on a text."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("UPDATE alembic_version SET version_num = version_num "
                                           "RETURNING version_num")).scalar()
        finally:
            connection.rollback()
