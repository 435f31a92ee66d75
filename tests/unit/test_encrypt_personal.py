"""Personal columns at rest: names, numbers and moods are ciphertext, numbers are found by their keyed digest,
Alexa ids are kept only as keyed digests; migration 0005 converts rows written in clear by 0001 (SQLite and
PostgreSQL) and the app reads them back."""
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core import crypto
from core.config import ENV_NAMES
from core.db import ROOT, alembic_config, make_engine, make_session_factory, transaction
from core.models import ALEXA_PERSON, ALEXA_USER, CheckIn, OutboundMessage, PairingCode, Partner
from core.services import couples, linking, speakers
from tests.conftest import TEST_KEY

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
LOOKUP = "k" * 64
ALEX, SAM = "+14155550100", "+14155550101"
USER, PERSON = "amzn1.ask.account.OLDECHO", "amzn1.ask.person.OLDSAM"


@pytest.fixture
def database_url(tableless_database_url):
    """These tests run the migrations from an empty database (the shared fixture only empties it of rows)."""
    return tableless_database_url


@pytest.fixture
def engine(database_url):
    crypto.configure(TEST_KEY)
    crypto.configure_lookup(LOOKUP)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def raw(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def seed_plaintext_at_0001(engine) -> None:
    """What a database written before 0005 holds: every personal column in clear."""
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as connection:
        run = lambda sql, **p: connection.execute(text(sql), {"now": NOW, **p})  # noqa: E731
        run("INSERT INTO couple (id, timezone, question_minute, quiet_start, quiet_end, paused, created_at) "
            "VALUES (1, 'America/Los_Angeles', 1140, 21, 8, false, :now)")
        for pid, name, phone, user, person in ((1, "Alex", ALEX, USER, None), (2, "Sam", SAM, USER, PERSON)):
            run("INSERT INTO partner (id, couple_id, display_name, phone, consent, opted_out, phone_invalid, "
                "alexa_user_id, alexa_person_id, auto_thinking, confirm_kept, created_at) VALUES "
                "(:id, 1, :name, :phone, 'granted', false, false, :user, :person, false, false, :now)",
                id=pid, name=name, phone=phone, user=user, person=person)
        run("INSERT INTO check_in (id, partner_id, couple_id, local_date, question_id, channel, mood, source_id, "
            "created_at) VALUES (1, 2, 1, '2026-11-23', 'q1', 'sms', 4, 'SM1', :now)")
        run("INSERT INTO outbound_message (id, partner_id, to_phone, kind, idempotency_key, state, send_after, "
            "respect_quiet, attempts, created_at) VALUES (1, 2, :phone, 'thinking', 'k1', 'queued', :now, true, "
            "0, :now)", phone=SAM)
        run("INSERT INTO pairing_code (id, kind, code, alexa_user_id, alexa_person_id, expires_at, created_at) "
            "VALUES (1, 'link', '123456', :user, :person, :now, :now)", user=USER, person=PERSON)


def test_migration_0005_encrypts_existing_rows_and_the_app_reads_them_back(engine):
    seed_plaintext_at_0001(engine)
    command.upgrade(alembic_config(engine), "head")

    (name, phone, digest, user, person), = raw(engine, "SELECT display_name, phone, phone_digest, alexa_user_id, "
                                                       "alexa_person_id FROM partner WHERE id = 2")
    assert b"Sam" not in bytes(name) and SAM.encode() not in bytes(phone)
    assert crypto.decrypt(bytes(name)) == "Sam" and crypto.decrypt(bytes(phone)) == SAM
    assert bytes(digest) == crypto.phone_digest(SAM)
    assert bytes(user) == crypto.digest(ALEXA_USER, USER) and bytes(person) == crypto.digest(ALEXA_PERSON, PERSON)
    (mood,), = raw(engine, "SELECT mood FROM check_in")  # SQLite's table copies cascaded nothing away
    assert crypto.decrypt(bytes(mood)) == "4"
    if engine.dialect.name == "sqlite":
        assert raw(engine, "PRAGMA foreign_keys") == [(1,)]  # back on for the app
    (to_phone, to_digest), = raw(engine, "SELECT to_phone, to_phone_digest FROM outbound_message")
    assert crypto.decrypt(bytes(to_phone)) == SAM and bytes(to_digest) == crypto.phone_digest(SAM)
    (code_user,), = raw(engine, "SELECT alexa_user_id FROM pairing_code")
    assert bytes(code_user) == crypto.digest(ALEXA_USER, USER)

    with make_session_factory(engine)() as session:  # the app's own reads
        sam = couples.find_by_phone(session, SAM)
        assert (sam.id, sam.display_name, sam.phone) == (2, "Sam", SAM)
        assert couples.find_by_phone(session, "+14155550199") is None
        assert [p.id for p in linking.partners_for_alexa(session, USER)] == [1, 2]
        assert speakers.resolve_speaker(session, USER, PERSON, None).partner.id == 2
        assert session.get(CheckIn, 1).mood == 4
        assert session.get(OutboundMessage, 1).to_phone == SAM
        assert session.get(PairingCode, 1).alexa_user_id == crypto.digest(ALEXA_USER, USER)


def test_downgrade_from_0005_restores_the_clear_columns(engine):
    seed_plaintext_at_0001(engine)
    command.upgrade(alembic_config(engine), "head")
    command.downgrade(alembic_config(engine), "0001")
    assert raw(engine, "SELECT display_name, phone, alexa_user_id FROM partner ORDER BY id") == [
        ("Alex", ALEX, None), ("Sam", SAM, None)]  # Alexa digests cannot be read back: partners link again
    assert raw(engine, "SELECT mood FROM check_in") == [(4,)]
    assert raw(engine, "SELECT to_phone FROM outbound_message") == [(SAM,)]


def test_migration_refuses_to_convert_rows_without_the_keys(engine, monkeypatch):
    seed_plaintext_at_0001(engine)
    monkeypatch.setattr(crypto, "_keyring", None)
    with pytest.raises(crypto.CryptoError):
        command.upgrade(alembic_config(engine), "head")
    assert raw(engine, "SELECT display_name FROM partner WHERE id = 1") == [("Alex",)]  # nothing half-done


def test_new_rows_store_no_clear_name_number_mood_or_alexa_id(runtime, look):
    with transaction(runtime.sessions) as session:
        alex = couples.create_couple(session, "Alexandra", ALEX, NOW, "America/Los_Angeles")
        alex.alexa_user_id, alex.alexa_person_id = USER, PERSON
        sam = couples.invite(session, alex, SAM, "Samuel", NOW)
    dump = b"".join(bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    for table in ("partner", "outbound_message", "check_in", "pairing_code")
                    for row in look.execute(text(f"SELECT * FROM {table}")).all() for value in row)
    for clear in ("Alexandra", "Samuel", ALEX, SAM, "5550100", USER, PERSON):
        assert clear.encode() not in dump
    assert look.get(Partner, sam.id).phone == SAM


def test_a_number_is_unique_by_its_digest(session):
    couples.create_couple(session, "Alex", ALEX, NOW, "America/Los_Angeles")
    session.flush()
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(Partner(couple_id=1, display_name="Again", phone=ALEX, created_at=NOW))


def test_erasing_the_number_clears_its_digest(session):
    alex = couples.create_couple(session, "Alex", ALEX, NOW, "America/Los_Angeles")
    couples.erase_partner(session, alex, NOW)
    assert (alex.phone, alex.phone_digest) == (None, None)
    assert couples.find_by_phone(session, ALEX) is None


def test_the_alembic_command_converts_rows_with_the_settings_keys_and_refuses_without(engine, tmp_path):
    seed_plaintext_at_0001(engine)
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES.values()}
    env.update(DATABASE_URL=engine.url.render_as_string(hide_password=False), VAR_DIR=str(tmp_path / "empty"))
    cli = lambda extra: subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT,  # noqa: E731
                                       env={**env, **extra}, capture_output=True, text=True, timeout=120)
    refused = cli({})
    assert refused.returncode != 0 and "CryptoError" in refused.stderr
    assert raw(engine, "SELECT display_name FROM partner WHERE id = 1") == [("Alex",)]
    done = cli({"ENCRYPTION_KEY": TEST_KEY, "LOOKUP_KEY": LOOKUP})
    assert done.returncode == 0, done.stderr
    (phone, digest), = raw(engine, "SELECT phone, phone_digest FROM partner WHERE id = 1")
    assert crypto.decrypt(bytes(phone)) == ALEX and bytes(digest) == crypto.phone_digest(ALEX)
