"""The time source: services take `now`; entry points get it from a clock that tests can set."""
from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    """The current instant, aware UTC."""
    return datetime.now(timezone.utc)


class SettableClock:
    """A clock that stands still until moved (tests, the console and the benchmark)."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> datetime:
        """Move forward by timedelta(**delta) and return the new time."""
        self.current += timedelta(**delta)
        return self.current

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (aware)."""
        self.current = instant
