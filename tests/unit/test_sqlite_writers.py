"""How SQLite's one write lock is shared (core.db): a turn that reads first takes no lock until it writes and is
run again, with the lock, when another writer got in between; writers queue at the write gate and the gate
always opens again. Real SQLite files, real threads and processes."""
import fcntl
import multiprocessing
import os
import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import db
from tests.conftest import POSTGRES_URL


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO tally (id, n) VALUES (1, 0)"))
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
    yield engine
    engine.dispose()


def other_writer(engine):
    """A second connection of the same file, outside the engine's pool and its gate (another program)."""
    return sqlite3.connect(engine.url.database, timeout=5, isolation_level=None)


def bump_elsewhere(engine) -> None:
    connection = other_writer(engine)
    connection.execute("UPDATE tally SET n = n + 100 WHERE id = 1")
    connection.close()


def tally(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT n FROM tally WHERE id = 1")).scalar()


def test_a_turn_that_read_before_another_writer_committed_runs_again_and_adds_to_the_new_value(engine):
    runs = []

    def unit():
        with Session(engine) as session, session.begin():
            seen = session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar()
            if not runs:
                bump_elsewhere(engine)  # commits after this turn's snapshot: its write must be refused
            runs.append(seen)
            session.execute(text("UPDATE tally SET n = :n WHERE id = 1"), {"n": seen + 1})
        return seen

    assert db.reads_first(unit) == 100
    assert runs == [0, 100]  # the first run saw 0, lost, and nothing of it was kept
    assert tally(engine) == 101  # not 1: the stale read was never written back


def test_a_turn_that_only_reads_does_not_wait_for_a_writer_holding_the_lock(engine):
    holder = other_writer(engine)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE tally SET n = 7 WHERE id = 1")
    try:
        def unit():
            with Session(engine) as session, session.begin():
                return session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar()

        # WAL: the committed value, while the writer holds the lock (BEGIN IMMEDIATE would wait 5 s and fail)
        assert db.reads_first(unit) == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_hold_write_lock_loses_the_race_before_a_call_that_must_not_be_made_twice(engine):
    calls = []

    def unit():
        with Session(engine) as session, session.begin():
            session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar()
            if not calls:
                calls.append("raced")
                bump_elsewhere(engine)
            db.hold_write_lock(session)  # the first run is refused here, before the call
            calls.append("called the other service")
            session.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))

    db.reads_first(unit)
    assert calls == ["raced", "called the other service"]
    assert tally(engine) == 101


def test_a_unit_that_fails_for_another_reason_is_not_run_again(engine):
    runs = []

    def unit():
        runs.append(1)
        with Session(engine) as session, session.begin():
            session.execute(text("SELECT n FROM tally")).all()
            session.execute(text("INSERT INTO tally (id, n) VALUES (1, 5)"))  # the key is taken

    with pytest.raises(IntegrityError):
        db.reads_first(unit)
    assert runs == [1]


def test_outside_reads_first_a_lost_race_is_an_ordinary_error(engine):
    error = OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
    error.orig.sqlite_errorcode = 517
    assert db.lost_write_race(error) is False
    assert db.reads_first(lambda: db.lost_write_race(error)) is True


def test_writers_in_many_threads_all_commit_and_the_gate_is_open_afterwards(engine):
    def write(times):
        for _ in range(times):
            with engine.begin() as connection:
                connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))

    threads = [threading.Thread(target=write, args=(40,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tally(engine) == 320
    gate = _gate(engine)
    assert gate.holder is None and gate.enter("probe") is True
    gate.leave("probe")


def test_a_failed_or_abandoned_transaction_opens_the_gate(engine):
    gate = _gate(engine)
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO tally (id, n) VALUES (1, 1)"))
    assert gate.holder is None
    connection = engine.connect()
    connection.execute(text("UPDATE tally SET n = 3 WHERE id = 1"))
    assert gate.holder is not None  # the transaction is open
    connection.invalidate()  # a broken connection: thrown away, never committed
    connection.close()
    assert gate.holder is None
    session = Session(engine)
    session.execute(text("UPDATE tally SET n = 4 WHERE id = 1"))
    session.close()  # closed without commit: rolled back, gate open
    assert gate.holder is None and tally(engine) == 0


def test_a_writer_that_waited_too_long_at_the_gate_goes_on_to_sqlites_own_wait(engine, tmp_path):
    gate = db.WriteGate(tmp_path / "w.db-writers", wait=0.2)
    blocker = os.open(gate.path, os.O_CREAT | os.O_RDWR, 0o600)  # another process's descriptor, in effect
    fcntl.flock(blocker, fcntl.LOCK_EX)
    try:
        assert gate.enter("late") is False
        assert gate.holder is None
        assert gate.enter("again") is False  # the thread lock was given back: no one is stuck behind it
    finally:
        os.close(blocker)
    assert gate.enter("now") is True
    gate.leave("now")


def _write_in_a_process(url: str, times: int) -> None:
    engine = db.make_engine(url)
    for _ in range(times):
        with engine.begin() as connection:
            connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))
    engine.dispose()


def test_writers_in_several_processes_share_the_gate_and_lose_nothing(engine):
    engine.dispose()  # nothing inherited across fork
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_in_a_process, args=(str(engine.url), 60)) for _ in range(3)]
    for worker in workers:
        worker.start()
    _write_in_a_process(str(engine.url), 60)
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert tally(engine) == 240


def test_the_gate_file_is_private_and_only_sqlite_files_have_a_gate(engine):
    with engine.begin() as connection:
        connection.execute(text("SELECT 1"))
    assert _gate(engine).path.stat().st_mode & 0o777 == 0o600
    assert db.write_gate(db.make_engine("sqlite://")) is None


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL not configured: set TEST_DATABASE_URL")
def test_on_postgresql_reads_first_runs_once_and_takes_nothing_extra():
    engine = db.make_engine(POSTGRES_URL)
    statements = []
    from sqlalchemy import event
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))
    runs = []

    def unit():
        runs.append(1)
        with Session(engine) as session, session.begin():
            db.hold_write_lock(session)
            return session.execute(text("SELECT 1")).scalar()

    try:
        assert db.reads_first(unit) == 1
    finally:
        engine.dispose()
    assert runs == [1] and statements == ["SELECT 1"]


def _gate(engine) -> db.WriteGate:
    gate = db.write_gate(engine)
    assert gate is not None
    return gate


def _child_takes_the_thread_lock(gate, results) -> None:
    results.put(gate._threads.acquire(timeout=0.5) and gate.holder is None)


def test_a_forked_child_does_not_inherit_a_gate_its_parent_holds(engine):
    gate = _gate(engine)
    assert gate.enter("parent") is True
    try:
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        child = context.Process(target=_child_takes_the_thread_lock, args=(gate, results))
        child.start()
        child.join(20)
        assert child.exitcode == 0 and results.get(timeout=5) is True
    finally:
        gate.leave("parent")
