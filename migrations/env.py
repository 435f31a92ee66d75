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
        settings = load_settings(app_env="development")  # only DATABASE_URL matters here
        engine = make_engine(settings.database_url)
        log.info("database: %s", engine.url.render_as_string(hide_password=True))
    return engine


def run_migrations_online() -> None:
    """Run the migrations in one transaction (render_as_batch lets SQLite alter tables)."""
    command_line = context.config.attributes.get("engine") is None
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if command_line:
            log.info("schema now at revision %s", context.get_context().get_current_revision())


run_migrations_online()
