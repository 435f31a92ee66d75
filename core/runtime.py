"""What both processes (web and scheduler) build at start-up: settings applied, database migrated."""
import fcntl
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import crypto, db
from core.clock import utcnow
from core.config import Settings, development_lookup_key, ensure_var_dir
from core.ports import SmsGateway

log = logging.getLogger("trustbuilder")
MIGRATION_LOCK = 815_2026  # any fixed number: PostgreSQL advisory lock id for start-up migrations


@dataclass
class Runtime:
    """The per-process objects: settings, database sessions, the SMS gateway and the clock."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    gateway: SmsGateway
    clock: Callable[[], datetime]

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def open_runtime(settings: Settings, gateway: SmsGateway, clock=None, migrate: bool = True) -> Runtime:
    """Apply the encryption key, connect, migrate (or check) the schema, and say loudly what is off."""
    for warning in settings.warnings:
        log.warning("*** %s ***", warning)
    crypto.configure(settings.encryption_key or crypto.development_key(ensure_var_dir(settings.var_dir)))
    crypto.configure_lookup(settings.lookup_key or development_lookup_key(settings.var_dir))
    engine = db.make_engine(settings.database_url)
    try:
        migrate_schema(engine, settings.var_dir) if migrate else db.check_schema(engine)
    except Exception:
        engine.dispose()
        raise
    return Runtime(settings, engine, db.make_session_factory(engine), gateway, clock or utcnow)


def migrate_schema(engine: Engine, lock_dir: Path) -> None:
    """Upgrade to head under a lock, so several processes starting at once take turns
    (PostgreSQL: an advisory lock; SQLite: a file lock beside the data)."""
    if engine.dialect.name != "postgresql":
        lock_dir.mkdir(parents=True, exist_ok=True)
        with open(lock_dir / "migrate.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            db.upgrade(engine)
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        try:
            db.upgrade(engine)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
