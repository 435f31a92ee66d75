"""deploy/postgres-setup.sh, backup.sh and restore.sh end to end on a real PostgreSQL server: the app role
reads and writes rows but cannot change the schema or enter another Trust Builder database; a backup restored into a new
database gives back the encrypted text, readable with the backed-up key and only with it."""
import os
import secrets
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from core import crypto
from core.config import load_settings
from core.db import make_engine, transaction, upgrade
from core.models import CheckIn, Partner
from core.runtime import open_runtime
from core.services import checkins, couples
from tests.conftest import POSTGRES_URL
from devkit.fakes.gateway import RecordingGateway

pytestmark = pytest.mark.postgres
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
WORDS = "I felt close to you when we walked after dinner"


@pytest.fixture
def server_env():
    """PG* variables for the superuser in TEST_DATABASE_URL, as the scripts expect."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    url = make_url(POSTGRES_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST=url.host or "127.0.0.1", PGPORT=str(url.port or 5432), PGUSER=url.username or "postgres")
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


@pytest.fixture
def made(server_env):
    """postgres-setup.sh NAME, as many times as the test asks; every database and role is dropped after."""
    names = []

    def setup() -> dict[str, str]:
        name = f"tbkit_{uuid.uuid4().hex[:10]}"
        names.append(name)
        result = subprocess.run(["sh", str(DEPLOY / "postgres-setup.sh"), name], env=server_env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        urls = dict(line.strip().split("=", 1) for line in result.stdout.splitlines() if "_URL=" in line)
        return {"app": urls["DATABASE_URL"], "owner": urls["OWNER_DATABASE_URL"], "name": name}

    yield setup
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}_owner"'))
    admin.dispose()


def migrate(owner_url: str) -> None:
    engine = make_engine(owner_url)
    upgrade(engine)
    engine.dispose()


def app_settings(tmp_path, database_url, key, lookup_key=""):
    return load_settings(environ={}, env_file=None, app_env="development", database_url=database_url,
                         encryption_key=key, lookup_key=lookup_key, var_dir=str(tmp_path / "var"))


def test_the_app_role_writes_rows_but_cannot_change_the_schema(made, tmp_path):
    db = made()
    migrate(db["owner"])
    runtime = open_runtime(app_settings(tmp_path, db["app"], Fernet.generate_key().decode()), RecordingGateway())
    try:
        with transaction(runtime.sessions) as session:
            couples.create_couple(session, "Alex", "+14155550161", NOW, "America/Los_Angeles", 19 * 60, (21, 8))
        with runtime.engine.connect() as connection:
            for ddl in ("CREATE TABLE intruder (id int)", "DROP TABLE check_in", "ALTER TABLE partner ADD COLUMN x int"):
                with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                    connection.execute(text(ddl))
                connection.rollback()
    finally:
        runtime.close()
    neighbour = made()  # another Trust Builder database on the same server: closed to this app role
    other = make_url(db["app"]).set(database=neighbour["name"]).render_as_string(hide_password=False)
    outsider = create_engine(other, poolclass=NullPool)
    try:
        with pytest.raises(OperationalError, match="permission denied"):
            outsider.connect().close()
    finally:
        outsider.dispose()


def test_backup_then_restore_into_a_new_database_reads_the_encrypted_text_back(made, server_env, tmp_path):
    key, lookup_key = Fernet.generate_key().decode(), secrets.token_hex(32)
    first = made()
    migrate(first["owner"])
    runtime = open_runtime(app_settings(tmp_path / "before", first["app"], key, lookup_key), RecordingGateway())
    with transaction(runtime.sessions) as session:
        alex = couples.create_couple(session, "Alex", "+14155550171", NOW, "America/Los_Angeles", 19 * 60, (21, 8))
        checkins.record_check_in(session, alex, WORDS, "sms", "SM" + "c" * 32, NOW)
    with runtime.engine.connect() as connection:
        stored, phone = connection.execute(text("SELECT check_in.text, partner.phone FROM check_in "
                                                "JOIN partner ON partner.id = check_in.partner_id")).one()
    assert WORDS.encode() not in bytes(stored) and b"5550171" not in bytes(phone)  # encrypted at rest
    runtime.close()

    env_file = tmp_path / "trustbuilder.env"
    env_file.write_text(f"APP_ENV=production\nENCRYPTION_KEY={key}\nLOOKUP_KEY={lookup_key}\n")
    backups = tmp_path / "backups"
    backup = subprocess.run(["sh", str(DEPLOY / "backup.sh"), str(backups)], capture_output=True, text=True,
                            timeout=120, env={**server_env, "BACKUP_DATABASE_URL": first["owner"],
                                              "ENV_FILE": str(env_file)})
    assert backup.returncode == 0, backup.stderr
    dump = next(backups.glob("*.dump"))
    keys = next(backups.glob("*.keys"))
    assert dump.stat().st_mode & 0o777 == 0o600 and keys.stat().st_mode & 0o777 == 0o600
    assert keys.read_text() == f"ENCRYPTION_KEY={key}\nLOOKUP_KEY={lookup_key}\n"

    second = made()
    restore_env = {**server_env, "RESTORE_DATABASE_URL": second["owner"]}
    restore = subprocess.run(["sh", str(DEPLOY / "restore.sh"), str(dump)], capture_output=True, text=True,
                             timeout=120, env=restore_env)
    assert restore.returncode == 0, restore.stderr
    again = subprocess.run(["sh", str(DEPLOY / "restore.sh"), str(dump)], capture_output=True, text=True,
                           timeout=120, env=restore_env)
    assert again.returncode == 2 and "empty" in again.stderr  # never over existing data

    restored = dict(line.split("=", 1) for line in keys.read_text().splitlines())
    # A new machine: nothing under var/ from before, only the keys from the backup.
    settings = app_settings(tmp_path / "after", second["app"], restored["ENCRYPTION_KEY"], restored["LOOKUP_KEY"])
    runtime = open_runtime(settings, RecordingGateway())
    try:
        with transaction(runtime.sessions) as session:
            assert session.scalars(select(CheckIn.text)).all() == [WORDS]
            found = couples.find_by_phone(session, "+14155550171")  # the lookup digest still matches
            assert found is not None and found.display_name == "Alex"
            couples.create_couple(session, "Sam", "+14155550172", NOW, "America/Los_Angeles", 19 * 60, (21, 8))
    finally:
        runtime.close()
    crypto.configure_lookup(secrets.token_hex(32))  # without the backed-up LOOKUP_KEY, nobody is found
    crypto.configure(restored["ENCRYPTION_KEY"])
    engine = make_engine(second["app"])
    with Session(engine) as session:
        assert couples.find_by_phone(session, "+14155550171") is None
    crypto.configure(Fernet.generate_key().decode())  # a different key cannot read it
    with pytest.raises(crypto.CryptoError), Session(engine) as session:
        session.scalars(select(CheckIn.text)).all()
    engine.dispose()


def test_the_app_role_on_an_unmigrated_database_says_to_migrate_with_the_owner(made, tmp_path, monkeypatch):
    from app import create_app
    from core.config import ENV_NAMES
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    db = made()
    config = {"app_env": "development", "database_url": db["app"], "var_dir": str(tmp_path / "var"),
              "encryption_key": Fernet.generate_key().decode()}
    with pytest.raises(SystemExit) as stop:
        create_app(config)
    message = str(stop.value.code)
    assert message.startswith("Trust Builder cannot start: DATABASE_URL: the database role lacks a privilege")
    assert "alembic upgrade head" in message and "\n" not in message


@pytest.mark.parametrize("missing", ["ENCRYPTION_KEY", "LOOKUP_KEY"])
def test_backup_refuses_without_either_key(missing, server_env, tmp_path):
    env_file = tmp_path / "trustbuilder.env"
    keys = {"ENCRYPTION_KEY": Fernet.generate_key().decode(), "LOOKUP_KEY": secrets.token_hex(32)}
    env_file.write_text("".join(f"{name}={value}\n" for name, value in keys.items() if name != missing))
    env = {k: v for k, v in server_env.items() if k not in keys}
    result = subprocess.run(["sh", str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], capture_output=True,
                            text=True, timeout=60, env={**env, "BACKUP_DATABASE_URL": "postgresql://nowhere/db",
                                                        "ENV_FILE": str(env_file)})
    assert result.returncode == 2 and f"no {missing}" in result.stderr
    assert not (tmp_path / "backups").exists()  # nothing half-written
