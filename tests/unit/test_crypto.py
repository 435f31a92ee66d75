"""Encryption at rest: free text never reaches the database in plain text, keys rotate, a wrong key is
a clear CryptoError, and development gets a private key file under var/."""
import stat

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from core import crypto
from core.crypto import CryptoError
from core.models import CheckIn, InboundMessage
from core.runtime import open_runtime
from core.services import checkins, couples, promises
from tests.conftest import TEST_KEY, make_settings

LA = "America/Los_Angeles"
SECRET = "I was scared to tell you about the credit card"


@pytest.fixture(autouse=True)
def restore_keyring(monkeypatch):
    """Tests here swap the process-wide keys; put the original back afterwards."""
    monkeypatch.setattr(crypto, "_keyring", crypto._keyring)


@pytest.fixture
def alex(session, clock):
    partner = couples.create_couple(session, "Alex", "+14155550100", clock(), LA)
    sam = couples.invite_partner(session, partner, "+14155550132", "Sam", clock())
    couples.accept_invite(session, sam, clock())
    session.commit()
    return partner


def raw_values(session, sql) -> list[bytes]:
    """Column values exactly as stored, bypassing the ORM type that decrypts them."""
    return [bytes(value) for value in session.execute(text(sql)).scalars() if value is not None]


def check_in(session, partner, clock, words=SECRET, source="SM-secret"):
    made, _ = checkins.record_check_in(session, partner, words, "sms", source, clock())
    session.commit()
    return made


def read_check_in(runtime, check_in_id) -> str:
    """Read back through the ORM in a fresh session (no cached object)."""
    with runtime.sessions() as fresh:
        return fresh.get(CheckIn, check_in_id).text


# Nothing in plain text


def test_check_in_text_is_not_stored_in_plain_text(session, alex, clock):
    check_in(session, alex, clock)
    (stored,) = raw_values(session, "SELECT text FROM check_in")
    assert SECRET.encode() not in stored and b"credit card" not in stored
    assert crypto.decrypt(stored) == SECRET
    assert Fernet(TEST_KEY.encode()).decrypt(stored) == SECRET.encode()


def test_promise_text_and_its_texts_are_not_stored_in_plain_text(session, alex, clock):
    promises.make_promise(session, alex, "call my sister about the loan", clock().replace(hour=23), LA, clock())
    session.commit()
    (stored,) = raw_values(session, "SELECT text FROM promise")
    assert b"sister" not in stored
    bodies = raw_values(session, "SELECT body FROM outbound_message")
    assert len(bodies) == 2
    for body in bodies:
        assert b"sister" not in body and b"Reminder" not in body and b"KEPT" not in body
    assert any("call your sister about the loan" in crypto.decrypt(body) for body in bodies)


def test_inbound_replies_are_not_stored_in_plain_text(session, alex, clock):
    session.add(InboundMessage(message_sid="SM1", partner_id=alex.id, reply=f"Saved: {SECRET}",
                               created_at=clock()))
    session.commit()
    (stored,) = raw_values(session, "SELECT reply FROM inbound_message")
    assert b"credit card" not in stored
    assert crypto.decrypt(stored) == f"Saved: {SECRET}"


def test_the_same_text_encrypts_differently_each_time(session, alex, clock):
    check_in(session, alex, clock, source="SM-1")
    check_in(session, alex, clock, source="SM-2")
    first, second = raw_values(session, "SELECT text FROM check_in ORDER BY id")
    assert first != second  # equal answers cannot be spotted by equal ciphertext


def test_orm_reads_back_plain_text(runtime, session, alex, clock):
    made = check_in(session, alex, clock)
    assert read_check_in(runtime, made.id) == SECRET


def test_null_stays_null(session, alex, clock):
    checkins.record_mood(session, alex, 4, "voice", "mood-1", clock())
    session.commit()
    assert session.execute(text("SELECT text FROM check_in")).scalar_one() is None


# Keys: rotation, wrong keys, bad keys


def test_rotation_new_key_first_and_old_data_still_readable(runtime, session, alex, clock):
    old_row = check_in(session, alex, clock, "written under the old key", "SM-old")
    new_key = Fernet.generate_key().decode()
    crypto.configure(f"{new_key}, {TEST_KEY}")
    assert read_check_in(runtime, old_row.id) == "written under the old key"
    check_in(session, alex, clock, "written under the new key", "SM-new")
    stored = session.execute(text("SELECT text FROM check_in WHERE source_id = 'SM-new'")).scalar_one()
    assert Fernet(new_key.encode()).decrypt(bytes(stored)) == b"written under the new key"
    with pytest.raises(Exception):
        Fernet(TEST_KEY.encode()).decrypt(bytes(stored))


def test_after_rotation_dropping_the_old_key_makes_old_data_unreadable(runtime, session, alex, clock):
    old_row = check_in(session, alex, clock)
    crypto.configure(Fernet.generate_key().decode())
    with pytest.raises(CryptoError, match="ENCRYPTION_KEY"):
        read_check_in(runtime, old_row.id)


def test_a_wrong_key_gives_crypto_error():
    crypto.configure(Fernet.generate_key().decode())
    token = crypto.encrypt("hello")
    crypto.configure(Fernet.generate_key().decode())
    with pytest.raises(CryptoError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_tampered_ciphertext_gives_crypto_error():
    crypto.configure(TEST_KEY)
    token = bytearray(crypto.encrypt("hello"))
    token[-5] ^= 1
    with pytest.raises(CryptoError):
        crypto.decrypt(bytes(token))


@pytest.mark.parametrize("keys", ["not-a-key", "", " , ", "c2hvcnQ=", f"{TEST_KEY},oops"])
def test_an_invalid_key_is_refused_naming_the_setting(keys):
    with pytest.raises(CryptoError, match="^ENCRYPTION_KEY"):
        crypto.configure(keys)


def test_nothing_is_encrypted_before_keys_are_configured(monkeypatch):
    monkeypatch.setattr(crypto, "_keyring", None)
    with pytest.raises(CryptoError, match="not configured"):
        crypto.encrypt("hello")
    with pytest.raises(CryptoError, match="not configured"):
        crypto.decrypt(b"gAAAA")


# Development key


def test_development_key_is_generated_under_var_dir_readable_only_by_owner(tmp_path):
    var_dir = tmp_path / "var"
    key = crypto.development_key(var_dir)
    path = var_dir / "encryption.key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(key.encode())  # a usable key
    assert crypto.development_key(var_dir) == key  # the same key on the next start


def test_development_runtime_without_a_key_keeps_data_readable_across_restarts(tmp_path, gateway):
    settings = make_settings(tmp_path, encryption_key="")
    assert any("ENCRYPTION_KEY not set" in warning for warning in settings.warnings)
    first = open_runtime(settings, gateway)
    try:
        with first.sessions() as session:
            alex = couples.create_couple(session, "Alex", "+14155550100", first.clock(), LA)
            made, _ = checkins.record_check_in(session, alex, SECRET, "sms", "SM-dev", first.clock())
            session.commit()
    finally:
        first.close()
    key_file = tmp_path / "encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    crypto.configure(Fernet.generate_key().decode())  # forget the key, as a new process would
    second = open_runtime(settings, gateway)
    try:
        with second.sessions() as session:
            assert session.scalars(select(CheckIn.text)).one() == SECRET
    finally:
        second.close()
