"""Encryption at rest for the free text partners give (check-ins, promises, message bodies), and keyed
digests for finding a value (a phone number, an Alexa id) without storing it in clear.

Two separate keys: ENCRYPTION_KEY (Fernet, reversible, rotated with MultiFernet) and LOOKUP_KEY (HMAC-SHA256,
one-way; a digest can be matched, never read back). A leaked database alone yields neither the text nor a
list of numbers that could be tested against a phone book."""
import hashlib
import hmac
import logging
import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

_keyring: MultiFernet | None = None
_lookup_key: bytes | None = None


class CryptoError(Exception):
    """The encryption key is missing or cannot decrypt stored text."""


def configure(keys: str) -> None:
    """Install the keys (comma-separated Fernet keys, newest first, so old ones still decrypt)."""
    global _keyring
    try:
        _keyring = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
    except (ValueError, TypeError):
        raise CryptoError("ENCRYPTION_KEY: not a valid Fernet key (32 url-safe base64 bytes)") from None


def configure_lookup(key: str) -> None:
    """Install the lookup key (LOOKUP_KEY, or the development one in var/)."""
    global _lookup_key
    key = key.strip()
    if len(key) < 32:
        raise CryptoError("LOOKUP_KEY: at least 32 characters of random text")
    _lookup_key = key.encode("utf-8")


def digest(kind: str, value: str) -> bytes:
    """The keyed digest of `value` for lookups and uniqueness: HMAC-SHA256 under LOOKUP_KEY, with `kind`
    ("phone", "alexa_user", ...) mixed in so equal strings of different kinds never collide. 32 bytes."""
    if _lookup_key is None:
        raise CryptoError("lookups are not configured (call core.crypto.configure_lookup first)")
    return hmac.new(_lookup_key, f"{kind}\x1f{value}".encode("utf-8"), hashlib.sha256).digest()


def phone_digest(e164: str) -> bytes:
    """The digest a phone number (already normalised to E.164) is found by."""
    return digest("phone", e164)


def development_key(var_dir: Path) -> str:
    """Read or create the development key under var/ (never used in production)."""
    path = Path(var_dir) / "encryption.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting together, one writes the key and both read it.
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key())
    log.warning("generated a development encryption key at %s", path)
    return path.read_text().strip()


def _read_when_written(path: Path) -> str:
    """The key another process is writing right now may take a moment to appear."""
    for _ in range(100):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise CryptoError(f"development key file {path} is empty")


def encrypt(text: str) -> bytes:
    """Encrypt text with the newest key."""
    return _ring().encrypt(text.encode("utf-8"))


def decrypt(token: bytes) -> str:
    """Decrypt text stored by `encrypt`."""
    try:
        return _ring().decrypt(token).decode("utf-8")
    except InvalidToken:
        raise CryptoError("stored text cannot be decrypted with the configured ENCRYPTION_KEY") from None


def _ring() -> MultiFernet:
    if _keyring is None:
        raise CryptoError("encryption is not configured (call core.crypto.configure first)")
    return _keyring


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; Python sees plain str."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(bytes(value))


class EncryptedInt(TypeDecorator):
    """A small whole number (a mood) stored encrypted; Python sees plain int."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(str(int(value)))

    def process_result_value(self, value, dialect):
        return None if value is None else int(decrypt(bytes(value)))


def keyed(kind: str, value: str | bytes | None) -> bytes | None:
    """`value` as its keyed digest of `kind`: a str is digested, a digest (bytes, already keyed) is kept."""
    if value is None or isinstance(value, bytes):
        return value
    return digest(kind, value)


class KeyedDigest(TypeDecorator):
    """An identifier kept only as its keyed digest (an Alexa user or person id): a str bound to it, as a
    value or in a comparison (`Partner.alexa_user_id == user_id`), is digested first; rows read back hold
    the 32-byte digest, which can be matched but never read."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def process_bind_param(self, value, dialect):
        return keyed(self.kind, value)

    def process_result_value(self, value, dialect):
        return None if value is None else bytes(value)
