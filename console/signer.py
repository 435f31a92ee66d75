"""Signatures the console puts on its requests, so the app checks them exactly as it checks real ones.

Alexa: a local test CA (the same throwaway PKI the verifier's tests use, valid 2020-2045) issues an
echo-api.amazon.com leaf; the app's verifier is told to trust that root and to "download" the chain from
`fetch`. Twilio: the X-Twilio-Signature Twilio computes with the auth token over the public URL and form.
"""
from datetime import datetime, timedelta

from cryptography import x509
from twilio.request_validator import RequestValidator

from skill.verify import canonical_cert_url
from devkit.certs import CA_NOT_AFTER, CA_NOT_BEFORE, make_chain

CERT_URL = "https://s3.amazonaws.com/echo.api/console.pem"
ROOT_NAME = "Trust Builder Console Root CA"


class AlexaSigner:
    """Signs envelopes with a console-made chain, and serves that chain to the verifier."""

    def __init__(self, now: datetime, days: int = 400):
        not_before, not_after = now - timedelta(days=1), min(now + timedelta(days=days), CA_NOT_AFTER)
        if not CA_NOT_BEFORE <= not_before < now + timedelta(days=30) <= not_after:
            raise ValueError(f"the console's test CA is valid from {CA_NOT_BEFORE.year} to {CA_NOT_AFTER.year}: "
                             "start the simulation inside those years")
        self.chain = make_chain(not_before, not_after, root_name=ROOT_NAME)

    @property
    def trusted_roots(self) -> list[x509.Certificate]:
        """The one root the console's app should trust (instead of the public roots)."""
        return [self.chain.root]

    def fetch(self, url: str) -> bytes:
        """The verifier's chain download: only the console's own URL is served."""
        if url != canonical_cert_url(CERT_URL):
            raise ValueError(f"the console serves no certificate chain at {url}")
        return self.chain.pem()

    def headers(self, body: bytes) -> dict[str, str]:
        """The two headers Alexa sends with every request."""
        return {"SignatureCertChainUrl": CERT_URL, "Signature-256": self.chain.sign(body),
                "Content-Type": "application/json; charset=utf-8"}


def twilio_headers(auth_token: str, url: str, form: dict[str, str]) -> dict[str, str]:
    """The X-Twilio-Signature Twilio would send for `form` posted to `url`."""
    return {"X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, form)}
