"""Alembic environment: uses the engine the app hands over, or DATABASE_URL from the settings (the
`alembic upgrade head` command line, which then logs each step and where the database ends up)."""
import logging
from logging.config import fileConfig

from alembic import context

from core.models import Base

log = logging.getLogger("alembic.env")


def _engine():
    engine = context.config.attributes.get("engine")
    if engine is None:
        from core.config import load_settings
        from core.db import make_engine
        if context.config.config_file_name:  # the command line: alembic.ini's logging, so it says something
            fileConfig(context.config.config_file_name, disable_existing_loggers=False)
        settings = load_settings(app_env="development")  # DATABASE_URL, and the keys a conversion needs
        _configure_keys(settings)
        engine = make_engine(settings.database_url)
        log.info("database: %s", engine.url.render_as_string(hide_password=True))
    return engine


def _configure_keys(settings) -> None:
    """Migrations that convert rows (0005 encrypts names and numbers) need the app's keys: ENCRYPTION_KEY and
    LOOKUP_KEY from the environment or .env, else the development ones under var/ (never created here for a
    production database: without the keys, 0005 stops before changing anything)."""
    from core import crypto
    from pathlib import Path

    from core.config import development_lookup_key
    var_dir = Path(settings.var_dir)
    if settings.encryption_key:
        crypto.configure(settings.encryption_key)
    elif (var_dir / "encryption.key").exists():
        crypto.configure(crypto.development_key(var_dir))
    if settings.lookup_key:
        crypto.configure_lookup(settings.lookup_key)
    elif (var_dir / "lookup.key").exists():
        crypto.configure_lookup(development_lookup_key(var_dir))


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """A batch migration on SQLite copies a table and drops the old one; with foreign keys on, that DROP
    would cascade (deleting every check-in and promise of the partners, nulling their texts). SQLite only
    changes the setting outside a transaction, so it is set on the driver's connection before Alembic begins
    one, and set back for the app, which goes on using the same pooled connection."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations_online() -> None:
    """Run the migrations in one transaction (render_as_batch lets SQLite alter tables)."""
    command_line = context.config.attributes.get("engine") is None
    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, False)
        try:
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                              compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, True)
        if command_line:
            log.info("schema now at revision %s", context.get_context().get_current_revision())


run_migrations_online()
