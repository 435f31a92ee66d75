"""Re-encrypt every encrypted column under the newest ENCRYPTION_KEY, so an old key can be retired.

    python -m core.rotate_keys            # re-encrypt what is not under the newest key yet; prints progress
    python -m core.rotate_keys --check    # only count what is still under an older key (exit 1 if any)

ENCRYPTION_KEY lists keys newest first (MultiFernet): the app encrypts with the first and decrypts with any.
The procedure (docs/security.md, "Rotating keys"): put the new key first, restart every process, run this
command, run it with --check, then remove the old key and restart again.

Safe while the app runs: it walks each table by id in batches, one short transaction per batch; a value
already under the newest key is left alone (so a run that stopped half-way simply resumes, and a second run
writes nothing); each update is optimistic (`WHERE id = ? AND column = <the ciphertext read>`), so a value the
app rewrote meanwhile (new text, an erasure) is never overwritten: the app wrote it under the newest key.
Keyed digests (LOOKUP_KEY) do not depend on ENCRYPTION_KEY and are not touched.
"""
import argparse
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary, Table, column, select, table, update
from sqlalchemy.engine import Connection, Engine

from core.crypto import EncryptedInt, EncryptedText
from core.models import Base

log = logging.getLogger("trustbuilder.rotate_keys")
BATCH = 500
ENCRYPTED_TYPES = (EncryptedText, EncryptedInt)


def encrypted_columns() -> dict[str, list[str]]:
    """Every column stored as Fernet ciphertext, by table (read from the models, so new ones are included)."""
    found: dict[str, list[str]] = {}
    for model_table in Base.metadata.sorted_tables:
        names = [c.name for c in model_table.columns if isinstance(c.type, ENCRYPTED_TYPES)]
        if names:
            found[model_table.name] = names
    return found


@dataclass
class Progress:
    """What a run did: values looked at, re-encrypted, left because the app changed them, still old."""

    checked: int = 0
    rotated: int = 0
    changed_meanwhile: int = 0
    still_old: int = 0
    unreadable: int = 0  # under none of the configured keys: left as it is, and reported
    tables: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    row_id: int
    column: str
    old: bytes
    new: bytes


class Rotator:
    """Re-encrypts under `keys[0]` what was encrypted under any of `keys` (Fernet key strings, newest first)."""

    def __init__(self, keys: list[str], batch: int = BATCH):
        if not keys:
            raise ValueError("no keys")
        self.newest = Fernet(keys[0])
        self.ring = MultiFernet([Fernet(k) for k in keys])
        self.batch = batch

    def is_current(self, token: bytes) -> bool:
        """True when the newest key decrypts `token` (nothing to do)."""
        try:
            self.newest.decrypt(token)
            return True
        except InvalidToken:
            return False

    def plan(self, connection: Connection, name: str, columns: list[str], after_id: int,
             rotate: bool = True, progress: Progress | None = None) -> tuple[list[Change], int | None, int]:
        """The next batch of `name` after `after_id`: the changes it needs (new ciphertext when `rotate`), the
        last id read (None at the end) and how many values were looked at."""
        raw = _raw_table(name, columns)
        rows = connection.execute(select(raw.c.id, *(raw.c[c] for c in columns)).where(raw.c.id > after_id)
                                  .order_by(raw.c.id).limit(self.batch)).all()
        if not rows:
            return [], None, 0
        changes, checked = [], 0
        for row in rows:
            for name_, value in zip(columns, row[1:]):
                if value is None:
                    continue
                checked += 1
                token = bytes(value)
                if self.is_current(token):
                    continue
                try:
                    new = self.ring.rotate(token) if rotate else _readable(self.ring, token)
                except InvalidToken:
                    log.warning("%s %s: %s is under none of the configured keys; left as it is", name, row[0], name_)
                    if progress is not None:
                        progress.unreadable += 1
                    continue
                changes.append(Change(row[0], name_, token, new))
        return changes, rows[-1][0], checked

    def apply(self, connection: Connection, name: str, columns: list[str], changes: list[Change]) -> int:
        """Write the changes whose row still holds what was read; returns how many were written."""
        raw = _raw_table(name, columns)
        written = 0
        for change in changes:
            result = connection.execute(update(raw).where(raw.c.id == change.row_id,
                                                          raw.c[change.column] == change.old)
                                        .values({change.column: change.new}))
            written += result.rowcount or 0
        return written

    def run(self, engine: Engine, check_only: bool = False, max_batches: int | None = None,
            say=lambda line: None) -> Progress:
        """Every encrypted column of every table, batch by batch (each its own transaction)."""
        progress, batches = Progress(), 0
        for name, columns in encrypted_columns().items():
            after_id = 0
            while True:
                if max_batches is not None and batches >= max_batches:
                    return progress
                with engine.begin() as connection:
                    changes, last, checked = self.plan(connection, name, columns, after_id, not check_only,
                                                       progress)
                    written = 0 if check_only else self.apply(connection, name, columns, changes)
                batches += 1
                if last is None:
                    break
                progress.checked += checked
                if check_only:
                    progress.still_old += len(changes)
                else:
                    progress.rotated += written
                    progress.changed_meanwhile += len(changes) - written
                progress.tables[name] = progress.tables.get(name, 0) + (len(changes) if check_only else written)
                after_id = last
            done = "still under an older key" if check_only else "re-encrypted"
            say(f"{name}: {progress.tables.get(name, 0)} values {done}")
        return progress


def _readable(ring: MultiFernet, token: bytes) -> bytes:
    """Raise InvalidToken unless some configured key reads `token` (the check mode writes nothing)."""
    ring.decrypt(token)
    return b""


def _raw_table(name: str, columns: list[str]) -> Table:
    """The table with its encrypted columns as plain bytes (no decryption on the way in or out)."""
    return table(name, column("id"), *(column(c, LargeBinary) for c in columns))


def main(argv: list[str] | None = None) -> int:
    from core import crypto
    from core.config import ConfigError, ensure_var_dir, load_settings
    from core.db import SchemaError, check_schema, describe_error, make_engine

    parser = argparse.ArgumentParser(prog="python -m core.rotate_keys", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="count values still under an older key; write nothing")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per transaction (default {BATCH})")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    keys = [k.strip() for k in settings.encryption_key.split(",") if k.strip()]
    if not keys:
        keys = [crypto.development_key(ensure_var_dir(settings.var_dir))]
    if len(keys) == 1 and not args.check:
        print("ENCRYPTION_KEY holds one key: everything is already under it. To rotate, put a new key first "
              "(NEW,OLD), restart the app and the scheduler, then run this again.")
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        progress = Rotator(keys, args.batch).run(engine, check_only=args.check, say=print)
    except SchemaError as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:  # a database that refuses: one clear line, no statement values
        if not hasattr(error, "orig"):
            raise
        print(describe_error(error), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if progress.unreadable:
        print(f"{progress.unreadable} values are under none of the keys in ENCRYPTION_KEY (see the log): "
              "find the key they were written with before removing any", file=sys.stderr)
    if args.check:
        print(f"{progress.checked} encrypted values, {progress.still_old} still under an older key")
        if progress.still_old or progress.unreadable:
            print("run `python -m core.rotate_keys` (without --check) before removing the old key")
            return 1
        print("every value is under the newest key: the older keys may be removed from ENCRYPTION_KEY")
        return 0
    print(f"{progress.checked} encrypted values checked, {progress.rotated} re-encrypted, "
          f"{progress.changed_meanwhile} changed by the app meanwhile (already under the newest key)")
    return 1 if progress.unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
