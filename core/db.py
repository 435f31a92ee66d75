"""The database: engine, sessions, and schema migrations (Alembic) run at start-up."""
import fcntl
import functools
import os
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, literal_column, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
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
        gate = None
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            gate = WriteGate(Path(parsed.database).with_name(Path(parsed.database).name + "-writers"))
            _let_go_after_transactions(engine, gate)
            _GATES[engine] = gate
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, gate))
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


# Set by `reads_first` for the current thread (or task): SQLite transactions begun here are DEFERRED.
_READS_FIRST: ContextVar[bool] = ContextVar("sqlite_reads_first", default=False)
# SQLITE_BUSY and SQLITE_BUSY_SNAPSHOT: a deferred transaction that has read cannot start writing because
# another connection holds the write lock or committed after this one's snapshot (SQLite says so at once).
_LOST_WRITE_RACE = {5, 517}


def _sqlite_begin(connection, gate: "WriteGate | None" = None) -> None:
    """BEGIN IMMEDIATE: a transaction that may write takes the lock up front and waits its turn, so it can
    never be refused half-way; it waits at the write gate, which hands the lock on in turn. Inside
    `reads_first` the transaction begins DEFERRED instead: it reads with no lock (WAL readers never wait) and
    takes the lock at its first write; the caller reruns it, IMMEDIATE, when SQLite refuses that write."""
    if _READS_FIRST.get():
        connection.exec_driver_sql("BEGIN")
        return
    raw = connection.connection.dbapi_connection
    if gate is not None:
        gate.enter(raw)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if gate is not None:
            gate.leave(raw)
        raise


class WriteGate:
    """The order in which this machine's writers get one SQLite file's write lock.

    SQLite itself makes a writer that finds the lock taken sleep and try again, 1, 2, 5, 10 ... 100 ms
    later, so with a dozen request threads a writer can sleep long after the lock was free (the p99 of
    every write). At the gate a writer waits instead on a lock of its process (threads queue there) and
    then on an flock of a file beside the database (one writer per process asks, every 0.2-2 ms), and is
    let go the moment the transaction ends. It only orders writers: SQLite's lock still decides, and a
    writer that waited `wait` seconds at the gate goes on to SQLite's own busy wait (5 s) as before.
    The file (`<database>-writers`) holds nothing; a new one is made when it is missing."""

    def __init__(self, path: Path, wait: float = 5.0):
        self.path, self.wait = path, wait
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._fd_pid: int | None = None
        self.holder = None  # the DBAPI connection whose transaction holds the gate
        _ALL_GATES.add(self)

    def _after_fork(self) -> None:
        """In a forked child nobody holds the gate yet, whatever a thread of the parent held at the fork."""
        self._threads, self._fd, self._fd_pid, self.holder = threading.Lock(), None, None, None

    def _file(self) -> int:
        """This process's own descriptor (a forked worker must not share its parent's: flock would not
        tell the two apart)."""
        if self._fd is None or self._fd_pid != os.getpid():
            self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
            self._fd_pid = os.getpid()
        return self._fd

    def enter(self, owner) -> bool:
        """Wait for the gate (True), or give up waiting after `wait` seconds (False: go on without it)."""
        deadline = time.monotonic() + self.wait
        if not self._threads.acquire(timeout=self.wait):
            return False
        try:
            fd, pause = self._file(), 0.0002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self._threads.release()
                        return False
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except OSError:  # no file can be made beside the database: SQLite's own wait still works
            self._threads.release()
            return False
        self.holder = owner
        return True

    def leave(self, owner) -> None:
        """`owner`'s transaction ended: the next writer may go (nothing when it did not hold the gate)."""
        if owner is None or self.holder is not owner:
            return
        self.holder = None
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self._threads.release()


_GATES: "weakref.WeakKeyDictionary[Engine, WriteGate]" = weakref.WeakKeyDictionary()
_ALL_GATES: "weakref.WeakSet[WriteGate]" = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: [gate._after_fork() for gate in list(_ALL_GATES)])


def write_gate(engine: Engine) -> WriteGate | None:
    """The write gate of an engine on a SQLite file (None for PostgreSQL and in-memory SQLite)."""
    return _GATES.get(engine)


def _let_go_after_transactions(engine: Engine, gate: WriteGate) -> None:
    """Open the gate once a transaction has committed or rolled back, and when its connection is given back,
    closed or found broken (so a failure can never keep the gate shut)."""
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def raw(connection):
        return getattr(connection, "dbapi_connection", connection)

    def do_commit(connection):
        try:
            commit(connection)
        finally:
            gate.leave(raw(connection))

    def do_rollback(connection):
        try:
            rollback(connection)
        finally:
            gate.leave(raw(connection))

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    for name in ("checkin", "close", "invalidate", "soft_invalidate"):
        event.listen(engine.pool, name, lambda dbapi_connection, *_: gate.leave(raw(dbapi_connection)))


class LostWriteRace(Exception):
    """A `reads_first` attempt read data that another writer has changed since: nothing it did was kept,
    and it must run again from the start (the rerun takes the write lock first and cannot lose)."""


def lost_write_race(error: BaseException) -> bool:
    """True when `error` is SQLite refusing a deferred transaction's first write (see `reads_first`)."""
    orig = error.orig if isinstance(error, DBAPIError) else error
    return (_READS_FIRST.get() and isinstance(orig, sqlite3.OperationalError)
            and getattr(orig, "sqlite_errorcode", None) in _LOST_WRITE_RACE)


def reads_first(unit: Callable[[], object], rolled_back: Callable[[], None] | None = None):
    """Run `unit()` once with SQLite transactions DEFERRED, and again with BEGIN IMMEDIATE if it lost the
    race for the write lock (it raised LostWriteRace, or the driver's error that `lost_write_race` names).

    Why: with BEGIN IMMEDIATE every request holds SQLite's one write lock from its first read to its commit,
    so requests that only read (most launches, "what did Sam say") queue behind each other and behind every
    writer. A deferred transaction reads without the lock; if it then writes and nobody committed since it
    began, it holds the lock from that write to its commit, exactly as before; if somebody did, SQLite
    refuses the write at once (it never waits then) and nothing is kept. The unit must therefore do nothing
    outside the database before its commit that cannot be done twice, or call `hold_write_lock` first.
    `rolled_back()`, when given, is called between the two runs. PostgreSQL is unaffected."""
    token = _READS_FIRST.set(True)
    try:
        return unit()
    except (LostWriteRace, DBAPIError) as error:
        if not isinstance(error, LostWriteRace) and not lost_write_race(error):
            raise
    finally:
        _READS_FIRST.reset(token)
    if rolled_back is not None:
        rolled_back()
    return unit()


def hold_write_lock(session: Session) -> None:
    """Inside `reads_first` on SQLite, take the write lock now (a write that changes nothing), so that what
    follows (a call to another service that must not be made twice) cannot be undone by a lost race: if the
    race is lost it is lost here, before the call. Elsewhere a transaction already has what it needs."""
    if _READS_FIRST.get() and session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0"))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session:
        with session.begin():
            yield session


def insert_new(session: Session, model, returning: str | None = None):
    """INSERT ... ON CONFLICT DO NOTHING into the model's table, in the session's dialect (PostgreSQL or
    SQLite): a row whose unique key is taken already is skipped, in the same statement. `returning` tells
    which were stored (psycopg's rowcount is -1 here): a column's name returns that column, "row" the stored
    object itself (an ORM insert: it joins the session as if it had been added and flushed). Built once
    per model, dialect and `returning`, since the hot paths run it on every request."""
    return _insert_new(session.get_bind().dialect.name == "postgresql", model, returning)


@functools.lru_cache(maxsize=64)
def _insert_new(on_postgresql: bool, model, returning: str | None):
    dialect = postgresql if on_postgresql else sqlite
    if returning == "row":
        return dialect.insert(model).on_conflict_do_nothing().returning(model)
    statement = dialect.insert(model.__table__).on_conflict_do_nothing()
    return statement.returning(model.__table__.c[returning]) if returning else statement


_CONSTANT = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def among(column, values, negate: bool = False):
    """`column IN (...)` (or NOT IN) for constants of the code (states, question ids), written into the
    statement itself when it is built. An IN over a Python list is an "expanding" parameter that SQLAlchemy
    renders again at every execution: on the hot statements that cost as much as running them. Only plain
    identifiers are accepted, so nothing that came from outside can reach the SQL text."""
    values = [str(v) for v in values]
    for value in values:
        if not _CONSTANT.fullmatch(value):
            raise ValueError(f"not a constant for among(): {value!r}")
    items = [literal_column(f"'{value}'", column.type) for value in values]
    return column.not_in(items) if negate else column.in_(items)


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
