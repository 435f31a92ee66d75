"""The database: engine, sessions, and schema migrations (Alembic) run at start-up."""
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent


class SchemaError(Exception):
    """The database schema is not at the version this code needs."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys, its folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=3,
                           connect_args={"connect_timeout": 3})
    event.listen(engine, "connect", _postgres_timeouts)
    return engine


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
    """The migration version if the database answers, else raise (a plain query: health checks are frequent)."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
