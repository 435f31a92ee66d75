"""Database faults injected at the driver, so SQLAlchemy and the app see exactly what a real failure gives them:
the server unreachable (every new connection refused), one statement failing (the connection dropped or the
database locked mid-request), or the COMMIT failing."""
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

MESSAGES = {"sqlite": "database is locked", "postgresql": "server closed the connection unexpectedly"}


class Outage:
    """Switchable faults on one engine; `tripped` says whether the armed fault fired."""

    def __init__(self, engine: Engine):
        self.engine, self.tripped = engine, False
        self._fail_at, self._seen = 0, 0
        self._error = engine.dialect.loaded_dbapi.OperationalError
        self._message = MESSAGES[engine.dialect.name]

    def _raise(self) -> None:
        self.tripped = True
        raise self._error(self._message)

    @contextmanager
    def unreachable(self):
        """No connection can be made (the server is down or the file cannot be opened) for the duration."""
        def refuse(*_args):
            self._raise()
        self.engine.dispose()  # pooled connections go too, as they do when the server restarts
        event.listen(self.engine, "do_connect", refuse)
        try:
            yield self
        finally:
            event.remove(self.engine, "do_connect", refuse)

    @contextmanager
    def statement_fails(self, n: int):
        """The nth statement from now fails (the ones before it run normally)."""
        self._fail_at, self._seen, self.tripped = n, 0, False

        def count(*_args):
            self._seen += 1
            if self._seen == self._fail_at:
                self._raise()
        event.listen(self.engine, "before_cursor_execute", count)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", count)

    @contextmanager
    def commit_fails(self):
        """The next COMMIT fails at the driver (nothing was committed)."""
        dialect, self.tripped = self.engine.dialect, False

        def failing(_dbapi_connection):
            vars(dialect).pop("do_commit", None)  # only once
            self._raise()
        dialect.do_commit = failing  # shadows the class's method on this one dialect object
        try:
            yield self
        finally:
            vars(dialect).pop("do_commit", None)
