"""The Alexa request verifier: each of Amazon's checks passes a good request and stops a bad one."""
import base64
import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from werkzeug.datastructures import Headers

from core.clock import SettableClock
from skill.verify import (
    MAX_CHAIN_BYTES,
    AlexaRequestVerifier,
    VerificationError,
    canonical_cert_url,
    certifi_roots,
    fetch_pem_chain,
)

from devkit.certs import CA_NOT_AFTER, make_chain, root_ca, rsa_key

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
CHAIN = make_chain(NOW - timedelta(days=1), NOW + timedelta(days=30))


class FakeFetcher:
    """Serves PEM chains in turn (the last one repeats) and records every URL asked for."""

    def __init__(self, *pems):
        self.pems, self.urls = list(pems), []

    def __call__(self, url):
        self.urls.append(url)
        item = self.pems[0] if len(self.pems) == 1 else self.pems.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def envelope(timestamp=NOW, app_id=SKILL_ID, context_app_id=None):
    """A minimal LaunchRequest envelope as raw bytes, the way Alexa sends it."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(timestamp, datetime) else timestamp
    body = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "s-1", "application": {"applicationId": app_id}},
        "context": {"System": {"application": {"applicationId": context_app_id or app_id}}},
        "request": {"type": "LaunchRequest", "requestId": "r-1", "timestamp": stamp, "locale": "en-US"},
    }
    return json.dumps(body).encode()


def signed(body, chain=CHAIN, url=CERT_URL):
    """Headers carrying `chain`'s signature of `body`."""
    return {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}


@pytest.fixture
def clock():
    return SettableClock(NOW)


@pytest.fixture
def fetcher():
    return FakeFetcher(CHAIN.pem())


@pytest.fixture
def verifier(fetcher, clock):
    return AlexaRequestVerifier(SKILL_ID, trusted_roots=[root_ca()], fetch=fetcher, clock=clock)


def reason_for(verifier, headers, body):
    """The reason code verify() rejects with."""
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body)
    return caught.value.reason


def test_valid_request_returns_the_envelope(verifier, fetcher):
    body = envelope()
    assert verifier.verify(signed(body), body)["request"]["type"] == "LaunchRequest"
    assert fetcher.urls == [CERT_URL]


def test_header_names_are_case_insensitive(verifier):
    body = envelope()
    headers = {k.lower(): v for k, v in signed(body).items()}
    assert verifier.verify(headers, body)["version"] == "1.0"


def test_flask_request_headers_work(verifier):
    body = envelope()
    assert verifier.verify(Headers(signed(body)), body)["version"] == "1.0"


@pytest.mark.parametrize("missing", ["SignatureCertChainUrl", "Signature-256"])
def test_unsigned_request_is_rejected_without_fetching(verifier, fetcher, missing):
    body = envelope()
    headers = signed(body)
    del headers[missing]
    assert reason_for(verifier, headers, body) == "missing_header"
    assert fetcher.urls == []


def test_tampered_body_is_rejected(verifier):
    body = envelope()
    headers = signed(body)
    assert reason_for(verifier, headers, body.replace(b"LaunchRequest", b"IntentRequest")) == "bad_signature"


def test_signature_from_another_key_is_rejected(verifier):
    body = envelope()
    forged = rsa_key("forger").sign(body, padding.PKCS1v15(), hashes.SHA256())
    headers = {**signed(body), "Signature-256": base64.b64encode(forged).decode()}
    assert reason_for(verifier, headers, body) == "bad_signature"


@pytest.mark.parametrize("value", ["not base64!", "QUJD=x", "QUJ", "ÄÖÜ"])
def test_bad_base64_signature_is_rejected(verifier, fetcher, value):
    body = envelope()
    assert reason_for(verifier, {**signed(body), "Signature-256": value}, body) == "bad_signature_encoding"
    assert fetcher.urls == []


def test_blank_signature_counts_as_missing(verifier):
    body = envelope()
    assert reason_for(verifier, {**signed(body), "Signature-256": "  "}, body) == "missing_header"


@pytest.mark.parametrize(
    ("not_before", "not_after", "reason"),
    [
        (NOW - timedelta(days=30), NOW - timedelta(seconds=1), "cert_expired"),
        (NOW + timedelta(seconds=1), NOW + timedelta(days=30), "cert_not_yet_valid"),
    ],
)
def test_out_of_date_certificate_is_rejected(clock, not_before, not_after, reason):
    chain = make_chain(not_before, not_after)
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(chain.pem()), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body, chain), body) == reason


@pytest.mark.parametrize("san", [("evil.example.com",), ("echo-api.amazon.com.evil.example",), ()])
def test_certificate_for_another_name_is_rejected(clock, san):
    chain = make_chain(NOW - timedelta(days=1), NOW + timedelta(days=1), san=san)
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(chain.pem()), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body, chain), body) == "cert_wrong_name"


def test_certificate_from_an_untrusted_ca_is_rejected(clock):
    chain = make_chain(NOW - timedelta(days=1), NOW + timedelta(days=1), root_name="Self-Signed Impostor CA")
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(chain.pem()), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body, chain), body) == "cert_untrusted"


def test_chain_through_an_expired_intermediate_is_rejected():
    # The test CAs end in 2045; a leaf that outlives its issuer must not be accepted after that.
    later = SettableClock(CA_NOT_AFTER + timedelta(days=1))
    chain = make_chain(later() - timedelta(days=2), later() + timedelta(days=30))
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(chain.pem()), clock=later)
    body = envelope(timestamp=later())
    assert reason_for(verifier, signed(body, chain), body) == "cert_untrusted"


def test_leaf_without_its_intermediate_is_rejected(clock):
    pem = CHAIN.pem().split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(pem), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body), body) == "cert_untrusted"


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://evil@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../x",
        "https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem",
        "https://s3.amazonaws.com/echo.api",
        "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:abc/echo.api/echo-api-cert.pem",
        "https://[::1/echo.api/cert.pem",
        "not a url",
    ],
)
def test_bad_certificate_urls_are_rejected_without_fetching(verifier, fetcher, url):
    body = envelope()
    assert reason_for(verifier, signed(body, url=url), body) == "bad_cert_url"
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://S3.AMAZONAWS.COM/echo.api/../echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com/echo.api/./echo-api-cert-12.pem",
    ],
)
def test_equivalent_certificate_urls_are_accepted_and_normalised(verifier, fetcher, url):
    body = envelope()
    verifier.verify(signed(body, url=url), body)
    assert fetcher.urls == [CERT_URL]


def test_canonical_url_keeps_path_encoding():
    assert canonical_cert_url("https://s3.amazonaws.com/echo.api/a%20b.pem") == "https://s3.amazonaws.com/echo.api/a%20b.pem"


@pytest.mark.parametrize(("offset", "ok"), [(-151, False), (151, False), (-149, True), (149, True), (150, True)])
def test_timestamp_must_be_within_150_seconds(verifier, offset, ok):
    body = envelope(timestamp=NOW + timedelta(seconds=offset))
    if ok:
        verifier.verify(signed(body), body)
    else:
        assert reason_for(verifier, signed(body), body) == "stale_timestamp"


@pytest.mark.parametrize("stamp", ["2026-11-23T08:01:00+00:00", "2026-11-23T09:00:30+01:00", "2026-11-23T08:00:00",
                                   "2026-11-23T08:00:00.250Z"])
def test_other_timestamp_forms_are_understood(verifier, stamp):
    body = envelope(timestamp=stamp)
    verifier.verify(signed(body), body)


@pytest.mark.parametrize("stamp", ["yesterday", "", None, True, ["2026-11-23T08:00:00Z"], int(NOW.timestamp()), 1.5])
def test_unreadable_timestamp_is_rejected(verifier, stamp):
    body = envelope(timestamp=stamp)
    assert reason_for(verifier, signed(body), body) == "bad_timestamp"


def test_far_away_timestamp_is_stale_not_a_crash(verifier):
    body = envelope(timestamp="0001-01-01T00:00:00+23:59")
    assert reason_for(verifier, signed(body), body) == "stale_timestamp"


@pytest.mark.parametrize(
    ("session_id", "context_id"),
    [("amzn1.ask.skill.other", None), (SKILL_ID, "amzn1.ask.skill.other"), ("amzn1.ask.skill.other", SKILL_ID)],
)
def test_request_for_another_skill_is_rejected(verifier, session_id, context_id):
    body = envelope(app_id=session_id, context_app_id=context_id)
    assert reason_for(verifier, signed(body), body) == "wrong_application_id"


def test_application_id_is_read_from_context_when_there_is_no_session(verifier):
    doc = json.loads(envelope())
    del doc["session"]
    body = json.dumps(doc).encode()
    assert verifier.verify(signed(body), body)["context"]["System"]["application"]["applicationId"] == SKILL_ID


def test_envelope_without_any_application_id_is_rejected(verifier):
    doc = json.loads(envelope())
    del doc["session"], doc["context"]
    body = json.dumps(doc).encode()
    assert reason_for(verifier, signed(body), body) == "wrong_application_id"


def test_without_a_configured_skill_id_any_skill_passes(fetcher, clock):
    verifier = AlexaRequestVerifier(None, [root_ca()], fetch=fetcher, clock=clock)
    body = envelope(app_id="amzn1.ask.skill.other")
    assert verifier.verify(signed(body), body)["session"]["new"] is True


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'"text"', b"null",
                                  b'{"request": "LaunchRequest"}', b'{"request": {}}', b"[" * 100_000])
def test_malformed_but_signed_bodies_are_rejected(verifier, body):
    assert reason_for(verifier, signed(body), body) in {"bad_body", "bad_timestamp"}


def test_body_must_be_bytes(verifier):
    body = envelope()
    assert reason_for(verifier, signed(body), body.decode()) == "bad_body"


def test_unparseable_chain_is_rejected(clock):
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=FakeFetcher(b"<html>nope</html>"), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body), body) == "bad_cert_chain"


def test_failed_fetch_is_not_cached(clock):
    fetcher = FakeFetcher(requests.ConnectionError("down"), CHAIN.pem())
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=fetcher, clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body), body) == "cert_fetch_failed"
    verifier.verify(signed(body), body)
    assert len(fetcher.urls) == 2


def test_chain_is_fetched_once_per_url_until_the_leaf_expires(clock):
    renewed = make_chain(NOW + timedelta(days=29), NOW + timedelta(days=90))
    fetcher = FakeFetcher(CHAIN.pem(), renewed.pem())
    verifier = AlexaRequestVerifier(SKILL_ID, [root_ca()], fetch=fetcher, clock=clock)
    for _ in range(2):
        body = envelope(timestamp=clock())
        verifier.verify(signed(body), body)
    assert len(fetcher.urls) == 1
    clock.advance(days=30, seconds=1)
    body = envelope(timestamp=clock())
    verifier.verify(signed(body, renewed), body)
    assert len(fetcher.urls) == 2


def test_concurrent_requests_all_verify(verifier, fetcher):
    body = envelope()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: verifier.verify(signed(body), body), range(32)))
    assert len(results) == 32 and 1 <= len(fetcher.urls) <= 8


def test_default_roots_come_from_certifi_without_warnings(clock):
    names = {root.subject.rfc4514_string() for root in certifi_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names
    verifier = AlexaRequestVerifier(SKILL_ID, fetch=FakeFetcher(CHAIN.pem()), clock=clock)
    body = envelope()
    assert reason_for(verifier, signed(body), body) == "cert_untrusted"


# The default fetcher, against a real server on the loopback interface.


class ChainHandler(BaseHTTPRequestHandler):
    """Answers each test path the way a good or hostile certificate host might."""

    def do_GET(self):
        routes = {"/chain": self.send_chain, "/exact": self.send_exact, "/big": self.send_big,
                  "/big-unannounced": self.send_unannounced, "/redirect": self.send_redirect, "/slow": self.send_slow}
        routes.get(self.path, self.send_missing)()

    def send_body(self, status, data, headers=()):
        self.send_response(status)
        for name, value in (("Content-Length", str(len(data))), *headers):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_chain(self):
        self.send_body(200, CHAIN.pem())

    def send_exact(self):
        self.send_body(200, b"x" * MAX_CHAIN_BYTES)

    def send_big(self):
        self.send_body(200, b"x" * (MAX_CHAIN_BYTES + 1))

    def send_unannounced(self):
        # HTTP/1.0 with no length: the body ends when the connection closes, so only counting can stop it.
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"x" * (MAX_CHAIN_BYTES * 2))

    def send_redirect(self):
        self.send_body(302, b"", [("Location", "/chain")])

    def send_slow(self):
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        for _ in range(6):
            self.wfile.write(b"x")
            self.wfile.flush()
            threading.Event().wait(0.1)

    def send_missing(self):
        self.send_body(404, b"no such key")

    def log_message(self, *args):
        """Keep test output quiet."""


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """The client hanging up on an oversized body is the point of some tests."""


@pytest.fixture
def no_proxy(monkeypatch):
    """Proxy variables in the environment must not send loopback requests elsewhere."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture
def base_url(no_proxy):
    server = QuietServer(("127.0.0.1", 0), ChainHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetch_returns_the_chain(base_url):
    assert fetch_pem_chain(base_url + "/chain") == CHAIN.pem()


def test_fetch_accepts_exactly_the_size_limit(base_url):
    assert len(fetch_pem_chain(base_url + "/exact")) == MAX_CHAIN_BYTES


@pytest.mark.parametrize("path", ["/big", "/big-unannounced", "/redirect", "/missing"])
def test_fetch_refuses_oversized_redirected_or_missing_answers(base_url, path):
    with pytest.raises(VerificationError, match="cert_fetch_failed"):
        fetch_pem_chain(base_url + path)


def test_fetch_gives_up_when_the_whole_answer_takes_too_long(base_url):
    with pytest.raises(VerificationError, match="cert_fetch_failed"):
        fetch_pem_chain(base_url + "/slow", timeout=0.3)


def test_fetch_fails_cleanly_when_nothing_listens(no_proxy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(VerificationError, match="cert_fetch_failed"):
        fetch_pem_chain(f"http://127.0.0.1:{port}/chain", timeout=0.5)
