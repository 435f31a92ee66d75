"""The operator's status page: how the service is doing, in counts and times only. Nothing here reads a
name, a number, a message or a partner's id: queue depth by state, texts sent per hour, failures by Twilio's
error code, the scheduler's last heartbeat, and which database at which migration."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.db import alembic_config
from core.models import OutboundMessage, SchedulerBeat, TextState

SCHEDULER = "scheduler"
HOURS = 24
FAILED = (TextState.FAILED, TextState.UNDELIVERED)


@dataclass(frozen=True)
class Status:
    """What /admin shows."""

    queue: dict[str, int]  # every TextState, with how many texts are in it
    sends_per_hour: list[tuple[datetime, int]]  # the last 24 whole hours (UTC) and the current one
    failures: dict[str, int]  # Twilio error code (or "none") -> failed or undelivered texts, last 24 hours
    heartbeat: datetime | None
    database: str
    migration: str | None
    code_migration: str  # the newest migration this code knows: equal to `migration` when up to date


def record_heartbeat(session: Session, now: datetime, name: str = SCHEDULER) -> None:
    """The scheduler is alive now (its heartbeat job calls this)."""
    beat = session.get(SchedulerBeat, name)
    if beat is None:
        session.add(SchedulerBeat(name=name, at=now))
    else:
        beat.at = now
    session.flush()


def status(session: Session, now: datetime) -> Status:
    """Everything the page shows, from a handful of aggregate queries."""
    beat = session.get(SchedulerBeat, SCHEDULER)
    return Status(_queue(session), _sends_per_hour(session, now), _failures(session, now),
                  beat.at if beat else None, _database(session), _migration(session), _head())


def _queue(session: Session) -> dict[str, int]:
    counts = dict(session.execute(select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)).all())
    return {state.value: counts.get(state, 0) for state in TextState}


def _hour(now: datetime) -> datetime:
    return now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def _sends_per_hour(session: Session, now: datetime) -> list[tuple[datetime, int]]:
    """Texts handed to the provider in each hour; the times are bucketed here, so it works on any database."""
    first = _hour(now) - timedelta(hours=HOURS)
    counts = {}
    for (sent_at,) in session.execute(select(OutboundMessage.sent_at).where(OutboundMessage.sent_at >= first)):
        counts[_hour(sent_at)] = counts.get(_hour(sent_at), 0) + 1
    return [(first + timedelta(hours=n), counts.get(first + timedelta(hours=n), 0)) for n in range(HOURS + 1)]


def _failures(session: Session, now: datetime) -> dict[str, int]:
    rows = session.execute(select(OutboundMessage.error_code, func.count()).where(
        OutboundMessage.state.in_(FAILED), OutboundMessage.updated_at >= now - timedelta(hours=HOURS))
        .group_by(OutboundMessage.error_code)).all()
    return {("none" if code is None else str(code)): count for code, count in sorted(rows, key=lambda r: -r[1])}


def _database(session: Session) -> str:
    """The kind of database and its server version (no host, no name, no user)."""
    dialect = session.get_bind().dialect
    version = ".".join(str(part) for part in (dialect.server_version_info or ())[:2])
    return f"{dialect.name} {version}".strip()


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _migration(session: Session) -> str | None:
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()
