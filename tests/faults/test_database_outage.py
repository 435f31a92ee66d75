"""The database unavailable for a moment: Alexa hears "I couldn't save that, please try again in a minute"
(HTTP 200, a valid response), Twilio gets a 503 so it retries, and nothing is half-written: after the
database is back the same requests succeed and store exactly one check-in (or one promise), and a retry of
them stores nothing more.

Faults come from the driver (tests/faults/outage.py): every connection refused; or, request by request, the
1st, 2nd, ... statement failing until the request gets through untouched; or the COMMIT failing."""
import itertools
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from sqlalchemy import create_engine, select

from app import create_app
from core.db import make_engine
from core.models import CheckIn, OutboundMessage, Promise
from skill.alexa_api import SettingsApi
from skill.speech import DB_APOLOGY
from tests.faults.conftest import ALEX, leaks_traceback, table_counts
from tests.faults.outage import Outage
from tests.skill.envelopes import envelope, intent_request
from tests.sms.conftest import inbound_form, signed_post

pytestmark = pytest.mark.faults


def no_network(*_args, **_kwargs):
    raise requests.ConnectionError("no Settings API in these tests")


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime, skill_options={"settings_api": SettingsApi(get=no_network)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outage(runtime):
    return Outage(runtime.engine)


def alexa_post(client, body: dict):
    return client.post("/alexa", data=json.dumps(body), content_type="application/json")


def alexa_request(clock, intent: str, **slots):
    """One Alexa request, posted as often as the test likes (the same request id each time)."""
    body = envelope(intent_request(intent, clock(), slots))
    return lambda client: alexa_post(client, body)


def sms_request(body: str):
    """One inbound text, posted as often as the test likes (the same MessageSid each time, as Twilio retries)."""
    form = inbound_form(ALEX, body)
    return lambda client: signed_post(client, "/sms/inbound", form)


def spoken(response) -> str:
    """The SSML of a valid Alexa response (fails on anything else)."""
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["version"] == "1.0" and isinstance(body["response"], dict)
    speech = body["response"]["outputSpeech"]
    assert speech["type"] == "SSML" and speech["ssml"].startswith("<speak>") and speech["ssml"].endswith("</speak>")
    return speech["ssml"][len("<speak>"):-len("</speak>")]


def assert_alexa_apology(response) -> None:
    assert spoken(response) == DB_APOLOGY
    assert response.get_json()["response"]["shouldEndSession"] is True
    assert not leaks_traceback(response.data)


def assert_twilio_retries(response) -> None:
    assert response.status_code == 503, response.data
    assert not leaks_traceback(response.data)


def twiml_reply(response) -> str:
    assert response.status_code == 200 and response.mimetype == "text/xml", response.data
    root = ET.fromstring(response.data)
    return "".join(m.text or "" for m in root.findall("Message"))


CASES = {
    "alexa-answer": (lambda clock: alexa_request(clock, "AnswerIntent", answer="I felt heard today"),
                     assert_alexa_apology, {"check_in": 1}),
    "alexa-promise": (lambda clock: alexa_request(clock, "MakePromiseIntent", task="call Sam", time="18:00"),
                      assert_alexa_apology, {"promise": 1, "outbound_message": 2}),
    "sms-answer": (lambda clock: sms_request("I felt really heard today"),
                   assert_twilio_retries, {"check_in": 1, "inbound_message": 1}),
    "sms-promise": (lambda clock: sms_request("PROMISE call Sam at 6pm"),
                    assert_twilio_retries, {"promise": 1, "inbound_message": 1}),
}


def added(before: dict, after: dict) -> dict:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


@pytest.mark.parametrize("case", list(CASES))
def test_an_unreachable_database_gets_an_apology_or_a_503_then_the_retry_stores_once(
        case, client, couple, clock, look, outage):
    make, refused, stored = CASES[case]
    send, before = make(clock), table_counts(look)

    with outage.unreachable():
        response = send(client)
        health = client.get("/healthz")
    assert outage.tripped
    refused(response)
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    assert table_counts(look) == before

    assert send(client).status_code == 200 and client.get("/healthz").status_code == 200
    after = table_counts(look)
    assert added(before, after).items() >= stored.items()
    assert send(client).status_code == 200 and table_counts(look) == after  # a retry stores nothing more


@pytest.mark.parametrize("case", list(CASES))
def test_a_failure_at_any_statement_or_at_commit_leaves_nothing_half_written(case, client, couple, clock, look, outage):
    make, refused, stored = CASES[case]
    send, before = make(clock), table_counts(look)

    with outage.commit_fails():
        response = send(client)
    assert outage.tripped
    refused(response)
    assert table_counts(look) == before
    for n in itertools.count(1):
        with outage.statement_fails(n):
            response = send(client)
        if not outage.tripped:
            break  # the request ran all its statements before the nth: it went through
        refused(response)
        assert table_counts(look) == before, f"statement {n} failed and left rows behind"

    assert n > 3  # the sweep did reach the writes
    assert response.status_code == 200
    after = table_counts(look)
    assert added(before, after).items() >= stored.items()
    assert send(client).status_code == 200 and table_counts(look) == after


@pytest.fixture
def dead_engine(runtime, tmp_path, unused_port):
    """A real engine that cannot connect: PostgreSQL on a closed port, or a SQLite file that cannot be opened."""
    if runtime.engine.dialect.name == "postgresql":
        engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{unused_port}/trustbuilder")
    else:
        (tmp_path / "not-a-folder").write_text("")
        engine = create_engine(f"sqlite:///{tmp_path / 'not-a-folder' / 'trustbuilder.db'}")
    yield engine
    engine.dispose()


@pytest.mark.parametrize("case", list(CASES))
def test_a_real_refused_connection_is_answered_the_same_way(case, client, couple, clock, look, runtime, dead_engine):
    """Not a simulated error: the app's sessions are bound to a database that refuses the connection."""
    make, refused, stored = CASES[case]
    send, before = make(clock), table_counts(look)

    runtime.sessions.configure(bind=dead_engine)
    try:
        refused(send(client))
    finally:
        runtime.sessions.configure(bind=runtime.engine)

    assert table_counts(look) == before
    assert send(client).status_code == 200
    assert added(before, table_counts(look)).items() >= stored.items()


def test_after_the_outage_the_answer_is_kept_exactly_once(client, couple, clock, look, outage):
    """The person's words survive the round trip: one check-in per channel, with the text they said."""
    voice, text = alexa_request(clock, "AnswerIntent", answer="I felt heard today"), sms_request("Thank you for today")
    with outage.unreachable():
        assert_alexa_apology(voice(client))
        assert_twilio_retries(text(client))

    assert "saved your answer" in spoken(voice(client))
    assert twiml_reply(text(client))
    voice(client), text(client)  # Alexa and Twilio retrying the same requests

    look.expire_all()
    check_ins = look.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert [(c.partner_id, c.channel) for c in check_ins] == [(couple.alex, "voice"), (couple.alex, "sms")]
    assert look.scalar(select(Promise.id)) is None and look.scalar(select(OutboundMessage.id)) is None
