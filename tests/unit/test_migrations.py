"""Alembic migrations on SQLite and PostgreSQL: upgrade (in code and from the CLI), no drift from the
models, downgrade, the schema check, and open_runtime migrating at start-up."""
import os
import subprocess
import sys
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core import db
from core.db import ROOT, SchemaError, alembic_config, check_schema, make_engine, upgrade
from core.models import Base
from core.runtime import open_runtime
from devkit.fakes.gateway import RecordingGateway
from tests.conftest import make_settings

MODEL_TABLES = set(Base.metadata.tables)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def database_url(tableless_database_url):
    """These tests migrate from nothing (the shared fixture only empties PostgreSQL of rows)."""
    return tableless_database_url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_drift(engine) -> list:
    """What autogenerate would still add, drop or alter to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "target_metadata": Base.metadata})
        return compare_metadata(context, Base.metadata)


def alembic_cli(*args, database_url) -> subprocess.CompletedProcess:
    """`alembic ...` from the project root, as an operator would run it, with DATABASE_URL set."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_models_define_the_expected_tables():
    assert MODEL_TABLES == {"couple", "partner", "daily_prompt", "question_heard", "check_in", "promise",
                            "nudge_schedule", "outbound_message", "inbound_message", "pairing_code", "voice_setup", "send_pace",
                            "phone_guard", "invitation", "gentle_question", "echo_preference", "echo_reminder",
                            "answer_notice", "weekly_check_in", "weekly_answer", "small_win", "weekly_rating",
                            "setback", "counsellor_suggestion", "sign_in_code", "web_session", "report_consent",
                            "scheduler_beat", "pact_agreement", "pact_version", "apology"}


def test_upgrade_creates_every_table(engine):
    assert tables(engine) == set()
    upgrade(engine)
    assert tables(engine) == MODEL_TABLES | {"alembic_version"}
    assert revision(engine) == HEAD


def test_upgrade_twice_is_harmless(engine):
    upgrade(engine)
    upgrade(engine)
    assert revision(engine) == HEAD


def test_migrated_schema_matches_the_models(engine):
    upgrade(engine)
    assert schema_drift(engine) == []


def test_an_empty_database_does_match_nothing(engine):
    """The drift check itself can see a difference (so the empty diff above means something)."""
    assert {op[1].name for op in schema_drift(engine) if op[0] == "add_table"} == MODEL_TABLES


def test_downgrade_to_base_removes_every_table(engine):
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert tables(engine) - {"alembic_version"} == set()
    assert revision(engine) is None
    upgrade(engine)
    assert tables(engine) == MODEL_TABLES | {"alembic_version"}


def test_alembic_cli_upgrades_checks_and_downgrades(database_url):
    upgraded = alembic_cli("upgrade", "head", database_url=database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    engine = make_engine(database_url)
    try:
        assert tables(engine) == MODEL_TABLES | {"alembic_version"}
        assert revision(engine) == HEAD
        checked = alembic_cli("check", database_url=database_url)
        assert checked.returncode == 0, checked.stderr + checked.stdout
        downgraded = alembic_cli("downgrade", "base", database_url=database_url)
        assert downgraded.returncode == 0, downgraded.stderr
        assert tables(engine) - {"alembic_version"} == set()
    finally:
        engine.dispose()


def test_check_schema_refuses_an_empty_database(engine):
    with pytest.raises(SchemaError, match="alembic upgrade head"):
        check_schema(engine)


def test_check_schema_accepts_a_migrated_database(engine):
    upgrade(engine)
    check_schema(engine)
    assert db.ping(engine) == HEAD


def test_check_schema_refuses_a_database_behind_head(engine):
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    with pytest.raises(SchemaError, match="at nothing"):
        check_schema(engine)


def test_open_runtime_migrates(tmp_path, database_url, gateway):
    runtime = open_runtime(make_settings(tmp_path, database_url=database_url), gateway)
    try:
        assert tables(runtime.engine) == MODEL_TABLES | {"alembic_version"}
        check_schema(runtime.engine)
    finally:
        runtime.close()


@pytest.fixture
def engines_made(monkeypatch):
    """Every engine open_runtime makes, disposed after the test even when open_runtime raised.

    open_runtime does not dispose its engine when the schema check fails (see the report), and a
    psycopg connection left to the garbage collector fails a later test with a ResourceWarning."""
    made, real = [], db.make_engine
    monkeypatch.setattr(db, "make_engine", lambda url: made.append(real(url)) or made[-1])
    yield made
    for engine in made:
        engine.dispose()


def test_open_runtime_without_migrating_refuses_an_old_schema(tmp_path, database_url, gateway, engines_made):
    with pytest.raises(SchemaError):
        open_runtime(make_settings(tmp_path, database_url=database_url), gateway, migrate=False)
    assert len(engines_made) == 1


def test_open_runtime_without_migrating_accepts_a_migrated_database(tmp_path, database_url, gateway):
    settings = make_settings(tmp_path, database_url=database_url)
    open_runtime(settings, gateway).close()
    runtime = open_runtime(settings, gateway, migrate=False)
    runtime.close()


def test_workers_starting_at_once_all_migrate_safely(tmp_path, database_url):
    """gunicorn workers and the scheduler may start together on a fresh database; each migrates."""
    settings = make_settings(tmp_path, database_url=database_url)
    barrier, errors = threading.Barrier(4), []

    def start():
        barrier.wait()
        try:
            open_runtime(settings, RecordingGateway()).close()
        except Exception as error:  # collected and asserted on below
            errors.append(error)

    workers = [threading.Thread(target=start) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
