"""Prove that a request to the skill endpoint was signed by Alexa, as Amazon requires of web-service skills.

Amazon's rules ("Verifying that the request was sent by Alexa"): the SignatureCertChainUrl must point into
https://s3.amazonaws.com/echo.api/; the chain found there must be in date, name echo-api.amazon.com and lead
to a trusted root; Signature-256 must be its RSA/SHA-256 signature of the raw body; the request timestamp
must be within 150 seconds. We add the skill-id check so another skill's traffic cannot be replayed at us.
"""
import base64
import json
import posixpath
import re
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, urlsplit

import certifi
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

from core.clock import utcnow

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNING_DNS_NAME = "echo-api.amazon.com"
FETCH_TIMEOUT_SECONDS = 2.0
MAX_CHAIN_BYTES = 64 * 1024

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class VerificationError(Exception):
    """The request is not provably from Alexa for this skill; `reason` names the failed check."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def certifi_roots() -> list[x509.Certificate]:
    """The roots in certifi's bundle, one by one, so one malformed root cannot sink the rest."""
    with open(certifi.where(), "rb") as bundle:
        blocks = _PEM_BLOCK.findall(bundle.read())
    roots = []
    with warnings.catch_warnings():
        # A few long-trusted roots (Starfield, which cross-signs Amazon's) have serial 0; keep them quietly.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in blocks:
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def fetch_pem_chain(url: str, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = MAX_CHAIN_BYTES) -> bytes:
    """Download the PEM chain at `url`, refusing errors, redirects, slow answers and bodies over `max_bytes`."""
    deadline = time.monotonic() + timeout
    try:
        # No redirects: the URL we checked is the only place we read a chain from.
        with requests.get(url, timeout=timeout, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise VerificationError("cert_fetch_failed")
            return _read_capped(response, max_bytes, deadline)
    except requests.RequestException:
        raise VerificationError("cert_fetch_failed") from None


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Read the body, giving up past `max_bytes` or `deadline` (requests' timeout is per read, not total)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise VerificationError("cert_fetch_failed")
    body = bytearray()
    for chunk in response.iter_content(chunk_size=8192):
        body += chunk
        if len(body) > max_bytes or time.monotonic() > deadline:
            raise VerificationError("cert_fetch_failed")
    return bytes(body)


def canonical_cert_url(url: str) -> str:
    """Apply Amazon's SignatureCertChainUrl rules and return the normalised URL to fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise VerificationError("bad_cert_url") from None
    # Decode first so "%2e%2e" cannot slip a "..": the path is judged as the server will read it.
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if (
        parts.scheme.lower() != "https"
        or "@" in parts.netloc
        or parts.hostname != CERT_HOST
        or port not in (None, 443)
        or not path.startswith(CERT_PATH_PREFIX)
    ):
        raise VerificationError("bad_cert_url")
    return f"https://{CERT_HOST}{quote(path)}"


class _CachedChain:
    """A fetched chain, leaf first, and the span of time in which its path to a trusted root was verified.
    The path check depends only on the certificates, the fixed trust store and the time (no revocation is
    consulted), so inside that span it cannot come out differently and need not run again."""

    def __init__(self, certs: list[x509.Certificate]):
        self.certs = certs
        self.trusted: tuple[datetime, datetime] | None = None  # replaced whole, so threads never see a mix

    def trusted_at(self, now: datetime) -> bool:
        """True when `now` falls inside the span a verified path covers."""
        span = self.trusted
        return span is not None and span[0] <= now <= span[1]


class AlexaRequestVerifier:
    """Checks Alexa's signature on skill requests, caching each certificate chain until its leaf expires."""

    def __init__(
        self,
        skill_id: str | None,
        trusted_roots: list[x509.Certificate] | None = None,
        fetch: Callable[[str], bytes] | None = None,
        clock: Callable[[], datetime] | None = None,
        max_skew_seconds: float = 150,
    ):
        self.skill_id = skill_id
        self._store = Store(certifi_roots() if trusted_roots is None else trusted_roots)
        self._fetch = fetch or fetch_pem_chain
        self._clock = clock or utcnow
        self._max_skew = timedelta(seconds=max_skew_seconds)
        self._chains: dict[str, _CachedChain] = {}
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Return the parsed request envelope, or raise VerificationError."""
        url = canonical_cert_url(_header(headers, "SignatureCertChainUrl"))
        signature = _decode_signature(_header(headers, "Signature-256"))
        if not isinstance(body, (bytes, bytearray)):
            raise VerificationError("bad_body")
        now = self._clock()
        _check_signature(self._chain(url, now)[0], signature, bytes(body))
        envelope = parse_envelope(body)
        self._check_timestamp(envelope, now)
        self._check_application(envelope)
        return envelope

    def _chain(self, url: str, now: datetime) -> list[x509.Certificate]:
        """The chain at `url`, validated at `now`; fetched only when not cached or its leaf has expired."""
        chain = self._cached(url, now) or _CachedChain(_parse_chain(self._fetch_chain(url)))
        self._validate(chain, now)
        with self._lock:
            self._chains[url] = chain
        return chain.certs

    def _cached(self, url: str, now: datetime) -> _CachedChain | None:
        """The cached chain for `url` while its leaf is still in date."""
        with self._lock:
            chain = self._chains.get(url)
            if chain is not None and now >= chain.certs[0].not_valid_after_utc:
                del self._chains[url]
                return None
            return chain

    def _fetch_chain(self, url: str) -> object:
        """Call the fetcher, turning transport failures into a verification failure."""
        try:
            return self._fetch(url)
        except (requests.RequestException, OSError, ValueError):
            raise VerificationError("cert_fetch_failed") from None

    def _validate(self, chain: _CachedChain, now: datetime) -> None:
        """Check the leaf's dates and name, then that the chain leads to a trusted root at `now`."""
        leaf = chain.certs[0]
        if now < leaf.not_valid_before_utc:
            raise VerificationError("cert_not_yet_valid")
        if now > leaf.not_valid_after_utc:
            raise VerificationError("cert_expired")
        if SIGNING_DNS_NAME not in _dns_names(leaf):
            raise VerificationError("cert_wrong_name")
        if not chain.trusted_at(now):
            self._verify_path(chain, now)

    def _verify_path(self, chain: _CachedChain, now: datetime) -> None:
        """Build and check the path to a trusted root at `now`; remember the span in which every
        certificate on that path is in date, since the same check passes anywhere inside it."""
        builder = PolicyBuilder().store(self._store).time(now)
        verifier = builder.build_server_verifier(x509.DNSName(SIGNING_DNS_NAME))
        try:
            path = verifier.verify(chain.certs[0], chain.certs[1:])
        except (ChainError, ValueError):
            raise VerificationError("cert_untrusted") from None
        chain.trusted = (max(c.not_valid_before_utc for c in path), min(c.not_valid_after_utc for c in path))

    def _check_timestamp(self, envelope: dict, now: datetime) -> None:
        """Refuse requests stamped more than max_skew from `now`, either way, to stop replays."""
        request = envelope.get("request")
        sent = _parse_timestamp(request.get("timestamp") if isinstance(request, dict) else None)
        if abs(now - sent) > self._max_skew:
            raise VerificationError("stale_timestamp")

    def _check_application(self, envelope: dict) -> None:
        """Require every application id in the envelope to be ours (when a skill id is configured)."""
        if self.skill_id is None:
            return
        ids = [
            dig(envelope, "session", "application", "applicationId"),
            dig(envelope, "context", "System", "application", "applicationId"),
        ]
        present = [i for i in ids if i is not None]
        if not present or any(i != self.skill_id for i in present):
            raise VerificationError("wrong_application_id")


def _header(headers: Mapping[str, str], name: str) -> str:
    """The header's value, matched case-insensitively, or a missing_header failure."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if isinstance(k, str) and k.lower() == name.lower()), None)
    if not isinstance(value, str) or not value.strip():
        raise VerificationError("missing_header")
    return value.strip()


def _decode_signature(value: str) -> bytes:
    """Strict base64, so garbage is named as such rather than failing as a wrong signature."""
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise VerificationError("bad_signature_encoding") from None


def _parse_chain(pem: object) -> list[x509.Certificate]:
    """Parse a PEM chain, leaf first."""
    if not isinstance(pem, (bytes, bytearray)):
        raise VerificationError("bad_cert_chain")
    try:
        return x509.load_pem_x509_certificates(bytes(pem))
    except ValueError:
        raise VerificationError("bad_cert_chain") from None


def _dns_names(cert: x509.Certificate) -> set[str]:
    """The DNS names in the certificate's SAN extension, lower-cased."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
        return set()
    return {name.lower() for name in san.get_values_for_type(x509.DNSName)}


def _check_signature(leaf: x509.Certificate, signature: bytes, body: bytes) -> None:
    """Verify RSA PKCS#1 v1.5 / SHA-256 over the raw body with the leaf's key."""
    try:
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("bad_signature")
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        raise VerificationError("bad_signature") from None


def parse_envelope(body: bytes) -> dict:
    """The JSON object in the body; VerificationError("bad_body") otherwise."""
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise VerificationError("bad_body") from None
    if not isinstance(envelope, dict):
        raise VerificationError("bad_body")
    return envelope


def _parse_timestamp(value: object) -> datetime:
    """The ISO 8601 request stamp; one without an offset is taken as UTC, which is what Alexa sends."""
    if not isinstance(value, str):
        raise VerificationError("bad_timestamp")
    try:
        sent = datetime.fromisoformat(value)
    except ValueError:
        raise VerificationError("bad_timestamp") from None
    return sent if sent.tzinfo else sent.replace(tzinfo=timezone.utc)


def dig(data: object, *keys: str) -> object:
    """data[k1][k2]..., or None when any level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
