"""What a web request may use (Flask glue shared by the blueprints): the app's runtime and one database session
per request."""
from flask import current_app, g
from sqlalchemy.orm import Session

from core.runtime import Runtime

EXTENSION = "trustbuilder"


def runtime() -> Runtime:
    """The runtime that create_app built for this app."""
    return current_app.extensions[EXTENSION]


def db() -> Session:
    """This request's session, opened on first use (the view commits; teardown closes)."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    return g.db_session


def close_db(_error=None) -> None:
    """Teardown: roll back anything uncommitted and give the connection back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
