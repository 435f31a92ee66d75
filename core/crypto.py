"""Encryption at rest for the free text partners give (check-ins, promises, message bodies)."""
import logging
import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

_keyring: MultiFernet | None = None


class CryptoError(Exception):
    """The encryption key is missing or cannot decrypt stored text."""


def configure(keys: str) -> None:
    """Install the keys (comma-separated Fernet keys, newest first, so old ones still decrypt)."""
    global _keyring
    try:
        _keyring = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
    except (ValueError, TypeError):
        raise CryptoError("ENCRYPTION_KEY: not a valid Fernet key (32 url-safe base64 bytes)") from None


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
