"""POST /alexa with verification on: a request signed by the test chain is answered, anything else is 400."""
import json

import pytest
from sqlalchemy import func, select

from core.models import CheckIn
from devkit.certs import days_around, make_chain, root_ca
from tests.conftest import make_settings
from tests.skill.conftest import OUR_NUMBER, make_app
from tests.skill.envelopes import SKILL_ID, envelope, intent_request

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, alexa_verify="true", alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER)


@pytest.fixture
def chain(clock):
    return make_chain(*days_around(clock()))


@pytest.fixture
def fetched():
    return []


@pytest.fixture
def app(runtime, chain, fetched):
    def fetch(url):
        fetched.append(url)
        return chain.pem()
    return make_app(runtime, trusted_roots=[root_ca()], fetch=fetch)


def answer_body(clock, **identity):
    request = intent_request("AnswerIntent", clock(), {"answer": "I feel safer"})
    return json.dumps(envelope(request, **identity)).encode()


def post(client, body, headers):
    return client.post("/alexa", data=body, content_type="application/json", headers=headers)


def check_ins(tx):
    with tx() as s:
        return s.scalar(select(func.count(CheckIn.id)))


def test_a_signed_request_is_answered_and_stored(client, clock, couple, tx, chain, fetched):
    body = answer_body(clock)
    response = post(client, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)})
    assert response.status_code == 200
    assert "saved your answer" in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert check_ins(tx) == 1 and fetched == [CERT_URL]


def test_a_bad_signature_is_refused_and_nothing_runs(client, clock, couple, tx, chain):
    body = answer_body(clock)
    signature = chain.sign(body.replace(b"safer", b"worse"))
    response = post(client, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": signature})
    assert response.status_code == 400 and response.get_json() == {"error": "bad_signature"}
    assert check_ins(tx) == 0


@pytest.mark.parametrize("headers", [
    {},
    {"SignatureCertChainUrl": CERT_URL},
    {"SignatureCertChainUrl": "https://evil.example.com/echo.api/cert.pem", "Signature-256": "AAAA"},
    {"SignatureCertChainUrl": CERT_URL, "Signature-256": "not base64!"},
], ids=["no-headers", "no-signature", "foreign-cert-url", "garbled-signature"])
def test_unsigned_or_oddly_signed_requests_are_refused(client, clock, couple, tx, headers):
    assert post(client, answer_body(clock), headers).status_code == 400
    assert check_ins(tx) == 0


def test_a_signed_request_for_another_skill_is_refused(client, clock, couple, tx, chain):
    body = answer_body(clock, app_id="amzn1.ask.skill.someone-else")
    response = post(client, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)})
    assert response.status_code == 400 and check_ins(tx) == 0


def test_a_replayed_request_is_refused(client, clock, couple, tx, chain):
    body = answer_body(clock)
    clock.advance(minutes=5)
    response = post(client, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)})
    assert response.status_code == 400 and response.get_json() == {"error": "stale_timestamp"}


def test_a_signed_body_that_is_not_an_envelope_is_refused(client, clock, couple, chain):
    body = json.dumps({"request": {"type": "LaunchRequest", "timestamp": "2026-11-23T17:00:00Z"},
                       "context": {"System": {"application": {"applicationId": SKILL_ID}}}}).encode()
    response = post(client, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)})
    assert response.status_code == 400
