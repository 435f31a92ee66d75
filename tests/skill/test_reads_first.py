"""On SQLite a launch reads without the write lock; when another writer commits between its reads and its
first write, the turn is run again (with the lock) and answers as if nothing had happened: one prompt, one
heard mark, no apology. A check-in takes the lock from its first statement."""
import sqlite3

import pytest
from sqlalchemy import event, func, select

from core.models import DailyPrompt, QuestionHeard


@pytest.fixture
def statements(runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no single write lock")
    seen = []
    listener = lambda _c, _cur, statement, *_: seen.append(statement.split(None, 2)[:2])  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(runtime.engine, "before_cursor_execute", listener)


def write_elsewhere_before_the_first_insert(runtime):
    """Another program commits a write just before the turn's first INSERT (once)."""
    done = []

    def race(_conn, _cursor, statement, *_):
        if not done and statement.lstrip().upper().startswith("INSERT"):
            done.append(True)
            other = sqlite3.connect(runtime.engine.url.database, timeout=5, isolation_level=None)
            other.execute("UPDATE alembic_version SET version_num = version_num")
            other.close()
    event.listen(runtime.engine, "before_cursor_execute", race)
    return done


def test_a_launch_that_loses_the_race_for_the_write_lock_runs_again_and_answers_normally(
        alexa, couple, tx, runtime, statements):
    raced = write_elsewhere_before_the_first_insert(runtime)
    said = alexa.launch()
    assert raced == [True]
    assert said.status == 200 and said.speech.startswith("Hi, Alex. Today's question is: ")
    begins = [s for s in statements if s[0] == "BEGIN"]
    assert begins == [["BEGIN"], ["BEGIN", "IMMEDIATE"]]  # read first, lost, ran again with the lock
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(DailyPrompt)) == 1
        assert s.scalar(select(func.count()).select_from(QuestionHeard)) == 1


def test_a_second_launch_the_same_day_only_reads(alexa, couple, statements):
    alexa.launch()
    statements.clear()
    alexa.launch()
    kinds = {s[0].upper() for s in statements}
    assert statements[0] == ["BEGIN"] and not kinds & {"INSERT", "UPDATE", "DELETE"}


def test_a_check_in_takes_the_write_lock_from_its_first_statement(alexa, couple, statements):
    alexa.launch()
    statements.clear()
    said = alexa.intent("AnswerIntent", answer="I felt closest when we walked together")
    assert "saved your answer" in said.speech.lower() or "thank" in said.speech.lower()
    assert statements[0] == ["BEGIN", "IMMEDIATE"]
