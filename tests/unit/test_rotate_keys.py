"""Key rotation that can finish (issue 15.4): `python -m core.rotate_keys` re-encrypts every encrypted column
under the newest key, in batches, resumably, without overwriting what the app changes meanwhile; afterwards
the old key can be removed and the app still reads everything (SQLite and PostgreSQL)."""
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import LargeBinary, column, select, table, text

from core import crypto
from core.config import ENV_NAMES
from core.db import ROOT, make_engine, transaction
from core.models import CheckIn, InboundMessage, OutboundMessage, Promise
from core.rotate_keys import Rotator, encrypted_columns
from core.runtime import open_runtime
from core.services import checkins, couples, promises
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from tests.conftest import START, make_settings

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
LOOKUP = "l" * 64
LA = "America/Los_Angeles"


@pytest.fixture
def world(tmp_path, database_url):
    """A database written under OLD: couples, check-ins with moods, promises and their texts, a reply."""
    settings = make_settings(tmp_path, database_url=database_url, encryption_key=OLD, lookup_key=LOOKUP)
    runtime = open_runtime(settings, RecordingGateway())
    with transaction(runtime.sessions) as session:
        for n in range(6):
            alex, sam = seed_couple(session, START, LA, (f"+1415555{100 + 2 * n:04d}", f"+1415555{101 + 2 * n:04d}"))
            checkins.record_check_in(session, alex, f"answer {n}", "sms", f"SM{n}", START, mood=n % 5 + 1)
            promises.make_promise(session, sam, f"call mom {n}", START.replace(hour=23), LA, START)
            session.add(InboundMessage(message_sid=f"SMin{n}", partner_id=alex.id, reply=f"reply {n}",
                                       created_at=START))
    runtime.close()
    return settings


def all_tokens(engine) -> list[bytes]:
    tokens = []
    with engine.connect() as connection:
        for name, columns in encrypted_columns().items():
            raw = table(name, *(column(c, LargeBinary) for c in columns))
            for row in connection.execute(select(*raw.c)):
                tokens += [bytes(v) for v in row if v is not None]
    return tokens


def under(key: str, tokens: list[bytes]) -> int:
    count = 0
    for token in tokens:
        try:
            Fernet(key).decrypt(token)
            count += 1
        except InvalidToken:
            pass
    return count


def test_every_encrypted_column_is_found():
    expected = {"partner": {"display_name", "phone"}, "check_in": {"text", "mood"}, "promise": {"text"},
                "outbound_message": {"to_phone", "body"}, "inbound_message": {"reply"}}
    found = encrypted_columns()  # read from the models: columns other work adds are found too
    assert all(columns <= set(found.get(name, ())) for name, columns in expected.items())


def test_rotation_re_encrypts_everything_and_the_old_key_can_go(world, tmp_path):
    engine = make_engine(world.database_url)
    before = all_tokens(engine)
    assert before and under(OLD, before) == len(before)

    progress = Rotator([NEW, OLD], batch=4).run(engine)
    after = all_tokens(engine)
    assert under(NEW, after) == len(after) == len(before) == progress.rotated
    assert Rotator([NEW, OLD]).run(engine).rotated == 0  # a second run writes nothing
    assert Rotator([NEW, OLD]).run(engine, check_only=True).still_old == 0
    engine.dispose()

    runtime = open_runtime(world.with_(encryption_key=NEW), RecordingGateway())  # the old key removed
    try:
        with runtime.sessions() as session:
            alex = couples.find_by_phone(session, "+14155550100")
            assert (alex.display_name, alex.phone) == ("Alex", "+14155550100")
            assert [(c.text, c.mood) for c in session.scalars(select(CheckIn).order_by(CheckIn.id))][:2] == [
                ("answer 0", 1), ("answer 1", 2)]
            assert session.scalars(select(Promise.text).order_by(Promise.id)).first() == "call mom 0"
            assert all(m.body and m.to_phone for m in session.scalars(select(OutboundMessage)))
            last_reply = select(InboundMessage.reply).where(InboundMessage.message_sid == "SMin5")
            assert session.scalar(last_reply) == "reply 5"
    finally:
        runtime.close()


def test_a_stopped_rotation_resumes_where_it_is_needed(world):
    engine = make_engine(world.database_url)
    total = len(all_tokens(engine))
    first = Rotator([NEW, OLD], batch=3).run(engine, max_batches=2)  # interrupted early
    assert 0 < first.rotated < total
    assert Rotator([NEW, OLD]).run(engine, check_only=True).still_old == total - first.rotated
    rest = Rotator([NEW, OLD], batch=3).run(engine)
    assert first.rotated + rest.rotated == total and under(NEW, all_tokens(engine)) == total
    engine.dispose()


def test_a_value_the_app_changes_meanwhile_is_not_overwritten(world):
    engine = make_engine(world.database_url)
    rotator = Rotator([NEW, OLD])
    with engine.begin() as connection:
        changes, _, _ = rotator.plan(connection, "promise", ["text"], 0)
    crypto.configure(f"{NEW},{OLD}")  # the app, restarted with the new key first, edits a promise
    with engine.begin() as connection:
        connection.execute(text("UPDATE promise SET text = :t WHERE id = 1"), {"t": crypto.encrypt("call dad")})
    with engine.begin() as connection:
        written = rotator.apply(connection, "promise", ["text"], changes)
    assert written == len(changes) - 1
    with engine.connect() as connection:
        (token,), = connection.execute(text("SELECT text FROM promise WHERE id = 1")).all()
    assert Fernet(NEW).decrypt(bytes(token)) == b"call dad"  # the app's edit stands
    engine.dispose()


def test_a_value_under_no_configured_key_is_reported_and_left(world):
    engine = make_engine(world.database_url)
    stranger = Fernet(Fernet.generate_key())
    with engine.begin() as connection:
        connection.execute(text("UPDATE inbound_message SET reply = :r WHERE id = 1"),
                           {"r": stranger.encrypt(b"lost")})
    progress = Rotator([NEW, OLD]).run(engine)
    assert progress.unreadable == 1 and progress.rotated == len(all_tokens(engine)) - 1
    engine.dispose()


def test_the_command_rotates_then_checks(world, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES.values()}  # only these settings count
    env.update(APP_ENV="development", DATABASE_URL=world.database_url, LOOKUP_KEY=LOOKUP, VAR_DIR=str(tmp_path),
               ENCRYPTION_KEY=f"{NEW},{OLD}")
    def run(*args):
        return subprocess.run([sys.executable, "-m", "core.rotate_keys", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    before = run("--check")
    assert before.returncode == 1 and "still under an older key" in before.stdout
    done = run()
    assert done.returncode == 0 and "re-encrypted" in done.stdout, done.stderr
    after = run("--check")
    assert after.returncode == 0 and "may be removed" in after.stdout
