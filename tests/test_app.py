"""The app factory's own routes and guards: health, body size, request ids."""
import json
import logging

from sqlalchemy import create_engine

from core.logs import JsonFormatter, request_id


def test_health_reports_the_database_and_schema(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "schema": "0001", "version": "0.1.0"}


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


def test_a_request_without_an_id_gets_a_fresh_one(app):
    with app.test_request_context("/healthz"):
        app.preprocess_request()
        first = request_id.get()
    with app.test_request_context("/healthz"):
        app.preprocess_request()
        assert request_id.get() != first and len(first) == 16
