"""What the Alexa fuzz found, one request each, kept as regression tests: none was ever a 500 (the catch-all
answered "Sorry, something went wrong"), but each was a handler crashing on input it should refuse or answer."""
import json
import logging

import pytest
import requests

from app import create_app
from skill.alexa_api import SettingsApi
from skill.speech import SORRY
from tests.skill.envelopes import envelope, intent_request

pytestmark = pytest.mark.faults


def zones(*_args, **_kwargs):
    raise requests.ConnectionError("no Settings API in these tests")


@pytest.fixture
def client(runtime):
    return create_app(runtime=runtime, skill_options={"settings_api": SettingsApi(get=zones)}).test_client()


def ask(client, clock, intent: str, slots: dict, caplog, **identity) -> str:
    """Post one request; return what was said, failing on a 5xx or anything the catch-all had to catch."""
    body = envelope(intent_request(intent, clock(), slots), **identity)
    with caplog.at_level(logging.ERROR, logger="trustbuilder.alexa"):
        response = client.post("/alexa", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400)
    crashes = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert crashes == [], f"{type(crashes[0]).__name__}: {crashes[0]}"
    if response.status_code == 400:
        return ""
    said = response.get_json()["response"].get("outputSpeech", {}).get("ssml", "")
    assert SORRY not in said
    return said


@pytest.mark.parametrize("time", ["06:00", "23:30"])
def test_a_promise_for_the_year_9999_is_answered_not_crashed(client, couple, clock, caplog, time):
    ask(client, clock, "MakePromiseIntent", {"task": "call Sam", "date": "9999-12-31", "time": time}, caplog)


@pytest.mark.parametrize("identity", [{"user_id": "amzn1.ask.account.\ud800"},
                                      {"user_id": "amzn1.ask.account.NEW", "person_id": "amzn1.ask.person.\ud800"}],
                         ids=["user-id", "person-id"])
def test_a_lone_surrogate_in_an_id_is_refused_not_crashed(client, couple, clock, caplog, identity):
    ask(client, clock, "LinkAccountIntent", {}, caplog, **identity)


def test_a_malformed_resume_attribute_is_ignored_not_crashed(client, couple, clock, caplog):
    body_attributes = {"resume": {"intent": "AnswerIntent", "slots": ["I felt heard"]}}
    ask(client, clock, "IdentifyPartnerIntent", {"name": "Alex"}, caplog, attributes=body_attributes, new=False)


def test_an_overlong_user_id_is_refused_not_apologised_for(request, runtime, client, couple, clock, caplog):
    """Amazon's userId is at most 255 characters; a longer one cannot be stored (partner and pairing_code
    columns are String(255)). SQLite does not enforce the length, so only PostgreSQL shows the bug."""
    said = ask(client, clock, "LinkAccountIntent", {}, caplog, user_id="amzn1.ask.account." + "A" * 300)
    assert "try again in a minute" not in said
