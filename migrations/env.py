"""Alembic environment: uses the engine the app hands over, or DATABASE_URL from the settings."""
from alembic import context

from core.models import Base


def _engine():
    engine = context.config.attributes.get("engine")
    if engine is None:
        from core.config import load_settings
        from core.db import make_engine
        settings = load_settings(app_env="development")  # only DATABASE_URL matters here
        engine = make_engine(settings.database_url)
    return engine


def run_migrations_online() -> None:
    """Run the migrations in one transaction (render_as_batch lets SQLite alter tables)."""
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
