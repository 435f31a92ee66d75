"""Throwaway databases: a PostgreSQL database of one's own beside the one a URL names (the role needs
CREATEDB), dropped afterwards, so nobody's tables are touched and concurrent runs never see each other;
or a SQLite file in a folder when no server is given."""
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def throwaway_database(server_url: str, prefix: str = "devkit", template: str | None = None) -> Iterator[str]:
    """Yield the URL of a new, empty database on `server_url`'s PostgreSQL server (a copy of the database
    `template` when given); drop it on the way out. (A database, not a schema: core.db's make_engine
    replaces any `options` in the URL, so a search_path there would be lost.)"""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_database(server_url: str | None, folder: Path, prefix: str = "devkit") -> Iterator[str]:
    """A throwaway database on `server_url`, or without one a SQLite file `<prefix>.db` in `folder`."""
    if not server_url:
        yield f"sqlite:///{Path(folder) / f'{prefix}.db'}"
        return
    with throwaway_database(server_url, prefix) as url:
        yield url
