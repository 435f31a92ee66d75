"""POST /alexa itself: malformed requests get 400, failures get a valid spoken apology, never a 500."""
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import make_engine, make_session_factory
from core.models import CheckIn, DailyPrompt, OutboundMessage, Promise, QuestionHeard
from core.services import questions
from tests.skill.conftest import make_app
from tests.skill.envelopes import envelope, intent_request, launch_request

APOLOGY = "I couldn't save that, please try again in a minute."


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/alexa", data=data, content_type=content_type)


def count(tx, model):
    with tx() as s:
        return s.scalar(select(func.count()).select_from(model))


def spoken(response) -> str:
    return response.get_json()["response"]["outputSpeech"]["ssml"]


def _without(body, *path):
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return body


def _replace(body, value, *path):
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return body


def good(clock):
    return envelope(intent_request("AnswerIntent", clock(), {"answer": "hello"}))


MALFORMED = {
    "empty": lambda c: b"",
    "not-json": lambda c: b"{not json",
    "invalid-utf8": lambda c: b'{"a": "\xff"}',
    "array": lambda c: b"[1, 2]",
    "deeply-nested": lambda c: b"[" * 100_00 + b"]" * 100_00,
    "no-request": lambda c: _without(good(c), "request"),
    "request-is-text": lambda c: _replace(good(c), "hello", "request"),
    "no-request-id": lambda c: _without(good(c), "request", "requestId"),
    "no-timestamp": lambda c: _without(good(c), "request", "timestamp"),
    "no-user": lambda c: _without(good(c), "context", "System", "user"),
    "no-context": lambda c: _without(good(c), "context"),
    "unknown-type": lambda c: _replace(good(c), "Made.Up", "request", "type"),
    "intent-without-name": lambda c: _without(good(c), "request", "intent", "name"),
    "intent-is-number": lambda c: _replace(good(c), 5, "request", "intent"),
    "attributes-is-list": lambda c: _replace(good(c), [1], "session", "attributes"),
    "slots-is-number": lambda c: _replace(good(c), 7, "request", "intent", "slots"),
    "wrong-skill": lambda c: _replace(good(c), "amzn1.ask.skill.other", "context", "System", "application",
                                      "applicationId"),
    "wrong-session-skill": lambda c: _replace(good(c), "amzn1.ask.skill.other", "session", "application",
                                              "applicationId"),
}


@pytest.mark.parametrize("make", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_requests_get_400_and_store_nothing(client, clock, couple, tx, make):
    response = post(client, make(clock))
    assert response.status_code == 400
    assert count(tx, CheckIn) == 0


def test_a_well_formed_request_is_answered(client, clock, couple, tx):
    response = post(client, good(clock))
    assert response.status_code == 200 and response.get_json()["version"] == "1.0"
    assert count(tx, CheckIn) == 1


def test_only_post_is_allowed(client):
    assert client.get("/alexa").status_code == 405


def test_without_a_configured_skill_id_any_application_is_accepted(tmp_path, gateway, clock):
    from core.runtime import open_runtime
    from tests.conftest import make_settings
    runtime = open_runtime(make_settings(tmp_path), gateway, clock=clock)
    try:
        body = _replace(envelope(launch_request(clock())), "amzn1.ask.skill.other", "context", "System",
                        "application", "applicationId")
        assert post(make_app(runtime).test_client(), body).status_code == 200
    finally:
        runtime.close()


def test_session_end_is_answered_without_speech(client, clock, couple):
    response = post(client, envelope({"type": "SessionEndedRequest", "requestId": "r-1", "locale": "en-US",
                                      "timestamp": "2026-11-23T17:00:00Z", "reason": "ERROR",
                                      "error": {"type": "INVALID_RESPONSE", "message": "oops"}}))
    assert response.status_code == 200 and "outputSpeech" not in response.get_json()["response"]


def test_a_request_type_no_handler_takes_still_gets_an_answer(client, clock, couple):
    body = envelope({"type": "CanFulfillIntentRequest", "requestId": "r-2", "timestamp": "2026-11-23T17:00:00Z",
                     "locale": "en-US", "intent": {"name": "AnswerIntent", "slots": {}}})
    response = post(client, body)
    assert response.status_code == 200 and "Sorry, something went wrong" in spoken(response)


def test_an_unreachable_database_gets_the_apology(runtime, client, clock, couple):
    runtime.engine.dispose()
    runtime.engine = make_engine("postgresql+psycopg://trustbuilder@127.0.0.1:1/trustbuilder")
    runtime.sessions = make_session_factory(runtime.engine)
    response = post(client, good(clock))
    assert response.status_code == 200 and spoken(response) == f"<speak>{APOLOGY}</speak>"
    assert response.get_json()["response"]["shouldEndSession"] is True


def test_a_session_factory_that_fails_gets_the_apology(runtime, client, clock, couple, monkeypatch, tx):
    def refuse():
        raise OperationalError("connect", {}, Exception("could not connect"))
    monkeypatch.setattr(runtime, "sessions", refuse)
    response = post(client, good(clock))
    monkeypatch.undo()
    assert response.status_code == 200 and APOLOGY in spoken(response)
    assert count(tx, CheckIn) == 0


def test_a_failed_commit_leaves_nothing_half_written(client, clock, couple, tx, monkeypatch):
    def fail(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
    monkeypatch.setattr(Session, "commit", fail)
    answered = post(client, good(clock))
    promise = intent_request("MakePromiseIntent", clock(), {"task": "call Sam", "time": "18:00"})
    promised = post(client, envelope(promise))
    monkeypatch.undo()
    for response in (answered, promised):
        assert response.status_code == 200 and spoken(response) == f"<speak>{APOLOGY}</speak>"
    assert "directives" not in promised.get_json()["response"]
    assert [count(tx, m) for m in (CheckIn, DailyPrompt, Promise, OutboundMessage)] == [0, 0, 0, 0]


def test_a_bug_in_a_handler_rolls_back_and_apologises(client, clock, couple, tx, monkeypatch):
    def broken(*args):
        raise RuntimeError("bug")
    monkeypatch.setattr(questions, "mark_heard", broken)
    response = post(client, envelope(launch_request(clock())))
    assert response.status_code == 200 and "Sorry, something went wrong on my side" in spoken(response)
    assert count(tx, DailyPrompt) == 0 and count(tx, QuestionHeard) == 0


def test_a_failure_outside_every_handler_still_gets_a_valid_answer(app, client, clock, couple, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("the SDK broke")
    monkeypatch.setattr(app.extensions["alexa_skill"].custom, "invoke", explode)
    response = post(client, good(clock))
    assert response.status_code == 200 and response.get_json()["response"]["shouldEndSession"] is True
    assert "Sorry" in spoken(response)


def test_the_app_engine_rolls_back_writes_made_in_savepoints(runtime, couple, tx, monkeypatch):
    def fail(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
    app = make_app(runtime)
    monkeypatch.setattr(Session, "commit", fail)
    post(app.test_client(), good(runtime.clock))
    monkeypatch.undo()
    assert count(tx, CheckIn) == 0
