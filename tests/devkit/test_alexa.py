"""devkit.alexa and devkit.certs: what the simulators send is what our verifier accepts from Alexa."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from console.build import CERT_URL, console_signer
from core.clock import SettableClock
from devkit import alexa as envelopes
from devkit.alexa import AlexaSession, Device
from devkit.certs import CA_NOT_AFTER, AlexaSigner
from skill.verify import AlexaRequestVerifier, VerificationError

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
DEVICE = Device("amzn1.ask.skill.console", "amzn1.ask.account.A", "amzn1.ask.device.D", "https://api.example",
                "token")


@pytest.fixture(scope="module")
def signer():
    return console_signer(NOW)


@pytest.fixture
def clock():
    return SettableClock(NOW)


@pytest.fixture
def verifier(signer, clock):
    return AlexaRequestVerifier(DEVICE.skill_id, trusted_roots=signer.trusted_roots, fetch=signer.fetch, clock=clock)


def promise_body(session=None, person="amzn1.ask.person.P") -> bytes:
    slots = {"task": envelopes.slot("task", "call Sam"), "date": envelopes.slot("date"),
             "time": envelopes.slot("time", "18:00")}
    request = envelopes.intent_request("MakePromiseIntent", NOW, slots, "STARTED")
    return json.dumps(envelopes.envelope(request, DEVICE, person, session or AlexaSession())).encode()


def test_a_signed_envelope_passes_every_check_of_our_verifier(verifier, signer):
    body = promise_body()
    assert verifier.verify(signer.headers(body), body) == json.loads(body)


def test_the_console_chain_is_trusted_only_where_the_console_says_so(signer, clock):
    """With the public roots (production's default) the console's certificate is refused."""
    body = promise_body()
    public = AlexaRequestVerifier(DEVICE.skill_id, fetch=signer.fetch, clock=clock)
    with pytest.raises(VerificationError, match="cert_untrusted"):
        public.verify(signer.headers(body), body)


def test_a_body_changed_after_signing_is_refused(verifier, signer):
    headers = signer.headers(promise_body())
    with pytest.raises(VerificationError, match="bad_signature"):
        verifier.verify(headers, promise_body(person="amzn1.ask.person.SOMEONE-ELSE"))


def test_the_signer_serves_only_its_own_chain_url(verifier, signer):
    body = promise_body()
    headers = {**signer.headers(body), "SignatureCertChainUrl": CERT_URL.replace("console", "other")}
    with pytest.raises(VerificationError, match="cert_fetch_failed"):
        verifier.verify(headers, body)


def test_an_envelope_stamped_by_a_clock_that_moved_on_is_stale(verifier, signer, clock):
    body = promise_body()
    clock.advance(minutes=3)
    with pytest.raises(VerificationError, match="stale_timestamp"):
        verifier.verify(signer.headers(body), body)


def test_the_envelope_has_alexas_shape_and_parses_with_the_sdk():
    session = AlexaSession(attributes={"partner_id": 1})
    data = json.loads(promise_body(session))
    assert data["version"] == "1.0"
    assert data["session"]["sessionId"] == session.session_id and data["session"]["new"] is True
    assert data["session"]["attributes"] == {"partner_id": 1}
    system = data["context"]["System"]
    assert system["person"]["personId"] == "amzn1.ask.person.P" and system["device"]["deviceId"] == DEVICE.device_id
    assert (system["apiEndpoint"], system["apiAccessToken"]) == (DEVICE.api_endpoint, DEVICE.api_access_token)
    request = data["request"]
    assert request["requestId"].startswith("amzn1.echo-api.request.") and request["timestamp"] == "2026-11-23T14:00:00Z"
    assert (request["locale"], request["dialogState"]) == ("en-US", "STARTED")
    parsed = DefaultSerializer().deserialize(json.dumps(data), RequestEnvelope)
    assert parsed.request.intent.slots["time"].value == "18:00" and parsed.request.intent.slots["date"].value is None


def test_outside_a_session_there_is_no_session_object_and_no_dialog_state():
    request = envelopes.intent_request("WeeklySummaryIntent", NOW, {})
    data = envelopes.envelope(request, DEVICE)
    assert "session" not in data and "person" not in data["context"]["System"] and "dialogState" not in request


def test_custom_slot_values_carry_entity_resolution():
    values = [{"name": {"value": "call Sam", "synonyms": ["phone Sam"]}}]
    matched = envelopes.custom_resolution("skill", "PromiseTask", "Phone Sam", values)
    assert matched["status"]["code"] == "ER_SUCCESS_MATCH" and matched["values"][0]["value"]["name"] == "call Sam"
    assert envelopes.custom_resolution("skill", "PromiseTask", "paint", values)["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert matched["authority"] == "amzn1.er-authority.echo-sdk.skill.PromiseTask"


def test_the_leaf_is_valid_around_the_start_and_for_a_long_simulation(signer):
    leaf = signer.chain.leaf
    assert leaf.not_valid_before_utc < NOW < NOW + timedelta(days=300) < leaf.not_valid_after_utc


def test_plain_slot_values_become_alexas_slot_objects():
    request = envelopes.intent_request("AnswerIntent", NOW, {"answer": "I felt heard", "extra": None})
    slots = request["intent"]["slots"]
    assert slots["answer"] == {"name": "answer", "confirmationStatus": "NONE", "source": "USER",
                               "value": "I felt heard", "slotValue": {"type": "Simple", "value": "I felt heard"}}
    assert "value" not in slots["extra"]


def test_a_signer_outside_the_cas_years_is_refused():
    with pytest.raises(ValueError, match="valid from 2020 to 2045"):
        AlexaSigner.around(CA_NOT_AFTER - timedelta(days=10), CERT_URL)
    short = AlexaSigner.around(NOW, CERT_URL, before=timedelta(hours=1), after=timedelta(days=1))
    assert short.chain.leaf.not_valid_after_utc == NOW + timedelta(days=1)


def test_a_written_ca_is_read_back_by_another_process(signer, clock, tmp_path):
    from devkit.certs import read_ca
    roots, fetch = read_ca(signer.write(tmp_path / "ca"), CERT_URL)
    verifier = AlexaRequestVerifier(DEVICE.skill_id, trusted_roots=roots, fetch=fetch, clock=clock)
    body = promise_body()
    assert verifier.verify(signer.headers(body), body) == json.loads(body)
