"""Keyed digests for lookups (LOOKUP_KEY, separate from ENCRYPTION_KEY) and the row-lock helpers."""
import threading
import time
from datetime import datetime, timezone

import pytest
from core import crypto
from core.config import ConfigError, development_lookup_key, load_settings
from core.locks import lock_couple
from core.models import Couple
from tests.conftest import POSTGRES_URL, make_settings


def test_digest_is_keyed_and_kind_separated(tmp_path):
    crypto.configure_lookup("a" * 64)
    first = crypto.phone_digest("+14155550101")
    assert first == crypto.digest("phone", "+14155550101") and len(first) == 32
    assert crypto.digest("alexa_user", "+14155550101") != first
    crypto.configure_lookup("b" * 64)
    assert crypto.phone_digest("+14155550101") != first


def test_short_lookup_key_is_refused():
    with pytest.raises(crypto.CryptoError):
        crypto.configure_lookup("short")
    with pytest.raises(ConfigError, match="LOOKUP_KEY"):
        load_settings(environ={"APP_ENV": "development", "LOOKUP_KEY": "short"}, env_file=None)


def test_production_requires_a_lookup_key():
    with pytest.raises(ConfigError) as refusal:
        load_settings(environ={"APP_ENV": "production"}, env_file=None)
    assert "LOOKUP_KEY" in str(refusal.value)


def test_development_lookup_key_is_random_private_and_stable(tmp_path):
    key = development_lookup_key(tmp_path)
    assert len(key) == 64 and development_lookup_key(tmp_path) == key
    assert (tmp_path / "lookup.key").stat().st_mode & 0o077 == 0
    assert development_lookup_key(tmp_path / "other") != key


def test_runtime_configures_lookups(runtime):
    assert crypto.phone_digest("+14155550101")


@pytest.mark.postgres
def test_lock_couple_makes_a_second_transaction_wait(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    from core.runtime import open_runtime
    from devkit.fakes.gateway import RecordingGateway
    from tests.conftest import reset_postgres
    reset_postgres(POSTGRES_URL)
    rt = open_runtime(make_settings(tmp_path, database_url=POSTGRES_URL), RecordingGateway())
    try:
        with rt.sessions() as s:
            couple = Couple(timezone="UTC", created_at=datetime.now(timezone.utc))
            s.add(couple)
            s.commit()
            couple_id = couple.id
        order = []

        def second():
            with rt.sessions() as s:
                lock_couple(s, couple_id)
                order.append("second locked")
                s.rollback()
        with rt.sessions() as s:
            lock_couple(s, couple_id)
            worker = threading.Thread(target=second)
            worker.start()
            time.sleep(0.3)
            order.append("first done")
            s.rollback()
        worker.join(5)
        assert order == ["first done", "second locked"]
    finally:
        rt.close()


# Constants written into a statement (core.db.among)


def test_among_writes_constants_into_the_statement_and_refuses_anything_else(session):
    from sqlalchemy import func, select

    from core.db import among
    from core.models import CheckIn, Visibility
    statement = select(func.count()).select_from(CheckIn).where(among(CheckIn.visibility, (Visibility.SHARED,
                                                                                             Visibility.HELD)))
    sql = str(statement.compile(dialect=session.get_bind().dialect))
    assert "IN ('shared', 'held')" in sql and "POSTCOMPILE" not in sql
    assert session.scalar(statement) == 0
    for bad in ("it's", "a b", "x;DROP TABLE check_in", ""):
        with pytest.raises(ValueError):
            among(CheckIn.visibility, [bad])
