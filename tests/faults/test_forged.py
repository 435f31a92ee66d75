"""Forged requests, all refused and none stored. Alexa (verification ON, the test CA trusted through
build_skill(trusted_roots=, fetch=)): unsigned, wrong signature, expired or wrong-name certificate, a chain
from an untrusted root, certificate URLs off s3.amazonaws.com/echo.api/, timestamps 151 s off, another
skill's id: 400. Twilio: unsigned, wrong signature, a signature for another URL or other fields: 403.
In every case no table gains or changes a row, and the properly signed request is accepted (so the forged
ones would have done something)."""
import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from core.models import OutboundMessage, Partner
from core.services import outbox
from devkit.certs import days_around, make_chain, root_ca, rsa_key
from tests.conftest import make_settings
from tests.faults.conftest import ALEX, leaks_traceback, table_counts
from tests.skill.conftest import make_app
from tests.skill.envelopes import SKILL_ID, envelope, intent_request
from tests.sms.conftest import BASE_URL, OUR_NUMBER, TOKEN, inbound_form, new_sid

pytestmark = pytest.mark.faults

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
STRANGER = "+12025550123"


@pytest.fixture
def settings(tmp_path, db_url):
    return make_settings(tmp_path, db_url, alexa_verify="true", alexa_skill_id=SKILL_ID, twilio_auth_token=TOKEN,
                         public_base_url=BASE_URL, twilio_from_number=OUR_NUMBER)


def snapshot(look) -> tuple:
    """Everything a forged request could change: row counts, and the consent and state columns."""
    counts = table_counts(look)
    partners = look.execute(select(Partner.id, Partner.consent, Partner.opted_out, Partner.phone_invalid,
                                   Partner.alexa_user_id, Partner.phone)).all()
    texts = look.execute(select(OutboundMessage.id, OutboundMessage.state, OutboundMessage.error_code)).all()
    return counts, sorted(partners), sorted(texts)


# ---------------------------------------------------------------- Alexa

def answer_body(now, **identity) -> bytes:
    """AnswerIntent from the linked Echo: accepted, it stores a check-in."""
    return json.dumps(envelope(intent_request("AnswerIntent", now, {"answer": "I feel safer"}), **identity)).encode()


def signed(chain, body: bytes, url: str = CERT_URL) -> dict:
    return {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}


def forged(body: bytes) -> str:
    """A well-formed Signature-256 made with a key that is not the certificate's."""
    signature = rsa_key("forger").sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def valid_chain(now):
    return make_chain(*days_around(now))


def forgeries(now) -> dict:
    """name -> (chain the URL serves, body, headers, the reason the verifier must give)."""
    good, body = valid_chain(now), answer_body(now)
    expired = make_chain(now - timedelta(days=60), now - timedelta(seconds=1))
    early = make_chain(now + timedelta(minutes=5), now + timedelta(days=30))
    wrong_san = make_chain(*days_around(now), san=("evil.example.com",))
    no_san = make_chain(*days_around(now), san=())
    untrusted = make_chain(*days_around(now), root_name="Evil Root CA")
    old, future = answer_body(now - timedelta(seconds=151)), answer_body(now + timedelta(seconds=151))
    other_skill = answer_body(now, app_id="amzn1.ask.skill.someone-else")
    tampered = body.replace(b"safer", b"worse")
    cases = {
        "unsigned": (good, body, {}, "missing_header"),
        "no-signature": (good, body, {"SignatureCertChainUrl": CERT_URL}, "missing_header"),
        "no-cert-url": (good, body, {"Signature-256": good.sign(body)}, "missing_header"),
        "garbled-signature": (good, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": "%%%"},
                              "bad_signature_encoding"),
        "wrong-signature": (good, body, signed(good, tampered), "bad_signature"),
        "body-changed-after-signing": (good, tampered, signed(good, body), "bad_signature"),
        "signed-by-another-key": (good, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": forged(body)},
                                  "bad_signature"),
        "expired-certificate": (expired, body, signed(expired, body), "cert_expired"),
        "not-yet-valid-certificate": (early, body, signed(early, body), "cert_not_yet_valid"),
        "wrong-san-certificate": (wrong_san, body, signed(wrong_san, body), "cert_wrong_name"),
        "no-san-certificate": (no_san, body, signed(no_san, body), "cert_wrong_name"),
        "untrusted-root": (untrusted, body, signed(untrusted, body), "cert_untrusted"),
        "timestamp-151s-old": (good, old, signed(good, old), "stale_timestamp"),
        "timestamp-151s-ahead": (good, future, signed(good, future), "stale_timestamp"),
        "wrong-skill-id": (good, other_skill, signed(good, other_skill), "wrong_application_id"),
    }
    for url in ("http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
                "https://notamazon.com/echo.api/echo-api-cert-12.pem",
                "https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert-12.pem",
                "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-12.pem",
                "https://s3.amazonaws.com/invalid.path/echo-api-cert-12.pem",
                "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert-12.pem",
                "https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert-12.pem",
                "https://s3.amazonaws.com:563/echo.api/echo-api-cert-12.pem",
                "https://evil.com@s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
                "https://s3.amazonaws.com@evil.com/echo.api/echo-api-cert-12.pem",
                "ftp://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
                "s3.amazonaws.com/echo.api/echo-api-cert-12.pem"):
        cases[f"cert-url {url}"] = (good, body, signed(good, body, url), "bad_cert_url")
    return cases


def alexa_app(runtime, chain, fetched):
    def fetch(url):
        fetched.append(url)
        return chain.pem()
    return make_app(runtime, trusted_roots=[root_ca()], fetch=fetch)


def post_alexa(app, body: bytes, headers: dict):
    return app.test_client().post("/alexa", data=body, content_type="application/json", headers=headers)


def test_every_forged_alexa_request_is_refused_and_stores_nothing(runtime, couple, clock, look):
    before = snapshot(look)
    for name, (chain, body, headers, reason) in forgeries(clock()).items():
        fetched = []
        response = post_alexa(alexa_app(runtime, chain, fetched), body, headers)
        assert (response.status_code, response.get_json()) == (400, {"error": reason}), name
        assert not leaks_traceback(response.data), name
        if reason == "bad_cert_url":
            assert fetched == [], f"{name}: a chain was fetched from a URL that is not Amazon's"
        assert snapshot(look) == before, f"{name} stored something"


@pytest.mark.parametrize("age", [0, 150, -150])
def test_the_genuine_request_is_accepted(runtime, couple, clock, look, age):
    """The control: the same request, properly signed, within 150 s either way, is answered and stored."""
    chain, body = valid_chain(clock()), answer_body(clock() - timedelta(seconds=age))
    response = post_alexa(alexa_app(runtime, chain, []), body, signed(chain, body))
    assert response.status_code == 200, response.get_json()
    assert "saved your answer" in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert table_counts(look)["check_in"] == 1


# ---------------------------------------------------------------- Twilio

def twilio_signature(url: str, form: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


@pytest.fixture
def sent_text(runtime, couple, clock):
    """A text we sent Alex (Twilio sid known): a forged status report could mark it failed and opt Alex out."""
    sid = new_sid()
    with runtime.sessions.begin() as session:
        message, _ = outbox.queue(session, session.get(Partner, couple.alex),
                                  outbox.Draft("Thinking of you", "thinking", "forged:1"), clock())
        message.state, message.provider_sid = "sent", sid
    return sid


def twilio_requests(status_sid: str) -> dict:
    """path -> forms that, properly signed, would each change something."""
    status = {"MessageSid": status_sid, "MessageStatus": "undelivered", "ErrorCode": "21610",
              "AccountSid": "AC" + "0" * 32, "To": ALEX, "From": OUR_NUMBER}
    return {"/sms/inbound": [inbound_form(ALEX, "I felt heard today"), inbound_form(ALEX, "STOP"),
                             inbound_form(STRANGER, "JOIN Mallory"), inbound_form(ALEX, "DELETE MY DATA")],
            "/sms/status": [status]}


def forged_headers(path: str, form: dict) -> dict:
    """name -> (form actually posted, headers)."""
    url = BASE_URL + path
    other_path = "/sms/status" if path == "/sms/inbound" else "/sms/inbound"
    tampered = {**form, "Body" if "Body" in form else "MessageStatus": "changed"}
    return {
        "unsigned": (form, {}),
        "empty-signature": (form, {"X-Twilio-Signature": ""}),
        "garbage-signature": (form, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}),
        "wrong-token": (form, {"X-Twilio-Signature": twilio_signature(url, form, "not-our-token")}),
        "other-scheme": (form, {"X-Twilio-Signature": twilio_signature(url.replace("https:", "http:"), form)}),
        "other-host": (form, {"X-Twilio-Signature": twilio_signature("https://evil.example.com" + path, form)}),
        "other-path": (form, {"X-Twilio-Signature": twilio_signature(BASE_URL + other_path, form)}),
        "with-query": (form, {"X-Twilio-Signature": twilio_signature(url + "?x=1", form)}),
        "fields-changed": (tampered, {"X-Twilio-Signature": twilio_signature(url, form)}),
        "field-added": ({**form, "Extra": "1"}, {"X-Twilio-Signature": twilio_signature(url, form)}),
        "field-removed": ({k: v for k, v in form.items() if k != "To"},
                          {"X-Twilio-Signature": twilio_signature(url, form)}),
    }


def test_every_forged_twilio_request_is_refused_with_403_and_stores_nothing(client, look, sent_text):
    before = snapshot(look)
    for path, forms in twilio_requests(sent_text).items():
        for form in forms:
            for name, (posted, headers) in forged_headers(path, form).items():
                response = client.post(path, data=posted, headers=headers)
                assert response.status_code == 403, (path, form.get("Body"), name)
                assert not leaks_traceback(response.data)
                assert snapshot(look) == before, f"{path} {name} stored something"


def test_forged_twilio_requests_to_a_proxied_url_are_refused_too(client, look, sent_text):
    """Behind the proxy the app sees another host and scheme; only a signature over PUBLIC_BASE_URL counts."""
    before, form = snapshot(look), inbound_form(ALEX, "I felt heard today")
    seen = "http://10.0.0.5:8000/sms/inbound"
    response = client.post("/sms/inbound", data=form, base_url="http://10.0.0.5:8000",
                           headers={"X-Twilio-Signature": twilio_signature(seen, form)})
    assert response.status_code == 403 and snapshot(look) == before


@pytest.mark.parametrize("which", range(5))
def test_the_genuine_twilio_requests_are_accepted(client, look, sent_text, which):
    """The control: each of those forms, signed over our public URL, is accepted and changes something."""
    path, form = [(p, f) for p, forms in twilio_requests(sent_text).items() for f in forms][which]
    before = snapshot(look)
    response = client.post(path, data=form, headers={"X-Twilio-Signature": twilio_signature(BASE_URL + path, form)})
    assert response.status_code == 200 and snapshot(look) != before
