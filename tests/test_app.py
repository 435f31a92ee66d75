"""The app factory's own routes and guards: health, body size, request ids."""
import hashlib
import json
import logging
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from core import db
from core.config import ENV_NAMES
from core.logs import ANSI, JsonFormatter, request_id
from sms.security import signing_token
from tests.conftest import TEST_KEY

HEAD = ScriptDirectory.from_config(db.alembic_config()).get_current_head()  # the newest migration


def test_health_reports_the_database_and_schema(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "schema": HEAD, "version": "0.1.0"}


def test_health_is_503_when_the_database_does_not_answer(app, runtime):
    runtime.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                   connect_args={"connect_timeout": 1})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_a_body_over_64_kib_is_refused_before_it_is_read(client):
    response = client.post("/alexa", data=b"{" + b" " * (65 * 1024) + b"}", content_type="application/json")
    assert response.status_code == 413
    response = client.post("/sms/inbound", data={"Body": "x" * (65 * 1024)}, headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 413


def test_log_lines_carry_the_callers_request_id(app):
    with app.test_request_context("/healthz", headers={"X-Request-Id": "abc123"}):
        app.preprocess_request()
        record = logging.LogRecord("trustbuilder", logging.INFO, __file__, 1, "hello", None, None)
        assert json.loads(JsonFormatter().format(record))["request_id"] == "abc123"


def test_json_log_lines_carry_no_terminal_colour_codes():
    # werkzeug colours its request lines when stderr is a terminal; they used to land inside the JSON.
    coloured = '127.0.0.1 - "GET /healthz HTTP/1.1" \x1b[33m404\x1b[0m -'
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, coloured, None, None)
    line = JsonFormatter().format(record)
    assert "\x1b" not in line and "\\u001b" not in line
    assert json.loads(line)["msg"] == '127.0.0.1 - "GET /healthz HTTP/1.1" 404 -'
    assert ANSI.sub("", "\x1b[1m\x1b[31mERROR\x1b[0m") == "ERROR"


def test_a_request_without_an_id_gets_a_fresh_one(app):
    with app.test_request_context("/healthz"):
        app.preprocess_request()
        first = request_id.get()
    with app.test_request_context("/healthz"):
        app.preprocess_request()
        assert request_id.get() != first and len(first) == 16


# Readiness: /healthz also proves the database takes a write (issue 15.6)


def read_only_runtime(tmp_path, runtime):
    """The same migrated SQLite file, reopened read-only (as a full disk or a read-only mount would be);
    the tests run as root, for whom file permissions would not stop a write."""
    from core.db import make_engine
    path = make_url(runtime.settings.database_url).database
    return make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_health_is_503_read_only_when_the_database_refuses_writes(app, runtime, tmp_path):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("the read-only reopen is SQLite's")
    runtime.engine = read_only_runtime(tmp_path, runtime)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "read-only"


def test_health_changes_nothing(client, runtime):
    before = db.ping(runtime.engine)
    assert client.get("/healthz").status_code == 200
    with runtime.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == before


def test_a_read_only_database_at_start_up_is_one_clear_line(tmp_path, monkeypatch):
    from app import create_app
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "ro.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    config = {"app_env": "development", "var_dir": str(tmp_path), "encryption_key": TEST_KEY,
              "database_url": f"sqlite:///file:{path}?mode=ro&uri=true"}
    with pytest.raises(SystemExit) as stop:
        create_app(config)
    message = str(stop.value.code)
    assert message.startswith("Trust Builder cannot start: DATABASE_URL: the database is read-only")
    assert "\n" not in message and "Traceback" not in message


def test_an_unreachable_database_at_start_up_is_one_clear_line(tmp_path, monkeypatch):
    from app import create_app
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    config = {"app_env": "development", "var_dir": str(tmp_path), "encryption_key": TEST_KEY,
              "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    with pytest.raises(SystemExit) as stop:
        create_app(config)
    message = str(stop.value.code)
    assert message.startswith("Trust Builder cannot start: DATABASE_URL: cannot use the database (")
    assert "\n" not in message


# Development webhooks: signed with a random token kept in var/, not one derived from public inputs (15.5)


def test_a_webhook_forged_with_the_old_derived_token_is_refused(client, runtime, caplog):
    settings = runtime.settings
    seed = f"trust-builder-sms|{settings.encryption_key}|{settings.database_url}"
    guessed = "dev-" + hashlib.sha256(seed.encode()).hexdigest()[:32]  # what the old code used
    form = {"From": "+14155550191", "To": "+15550001111", "Body": "JOIN Mallory",
            "MessageSid": "SM" + "a" * 32, "AccountSid": "AC" + "b" * 32}
    url = settings.public_base_url + "/sms/inbound"

    def post(token):
        signature = RequestValidator(token).compute_signature(url, form)
        return client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})

    with caplog.at_level(logging.WARNING, logger="sms.security"):
        forged = post(guessed)
    assert forged.status_code == 403
    genuine = post(signing_token(settings))
    assert genuine.status_code == 200
    token_file = Path(settings.var_dir) / "webhook.token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert signing_token(settings) == "dev-" + token_file.read_text().strip() != guessed
    # The refusal names the URL the signature was checked against and the setting that makes it, never a token.
    refusal = next(r.getMessage() for r in caplog.records if "refused" in r.getMessage())
    assert url in refusal and "PUBLIC_BASE_URL" in refusal
    assert guessed not in caplog.text and signing_token(settings) not in caplog.text
