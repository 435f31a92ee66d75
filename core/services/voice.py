"""Voice: who is speaking on a shared device, the link code to speak, and when a spoken promise falls due.

Alexa-free: callers pass plain ids, local dates and minutes. Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import NotAllowed
from core.models import PairingCode, Partner, Promise
from core.services import linking, outbox, promises

REUSE_CODE_FOR = timedelta(minutes=5)  # a code spoken again must leave time to type it


@dataclass(frozen=True)
class Speaker:
    """The partner speaking (None when unknown) among those this Alexa account could be."""

    partner: Partner | None = None
    candidates: tuple[Partner, ...] = ()
    by_voice: bool = False  # recognised by an Alexa voice profile, not by name or by being the only one

    @property
    def linked(self) -> bool:
        """True when at least one partner is linked to this account and could be speaking."""
        return bool(self.candidates)

    @property
    def ambiguous(self) -> bool:
        """True when two partners share the device and we cannot tell which one this is."""
        return self.partner is None and len(self.candidates) > 1


def resolve_speaker(session: Session, user_id: str, person_id: str | None, chosen_id: int | None) -> Speaker:
    """The voice profile decides; else the partner chosen this session; else the only one linked."""
    partners = linking.partners_for_alexa(session, user_id)
    if person_id:
        mine = [p for p in partners if p.alexa_person_id == person_id]
        if mine:
            return Speaker(mine[0], tuple(mine), by_voice=True)
        # Someone recognised as a different person must never hear a profile-linked partner's data.
        partners = [p for p in partners if not p.alexa_person_id]
    chosen = next((p for p in partners if p.id == chosen_id), None)
    if chosen is None and len(partners) == 1:
        chosen = partners[0]
    return Speaker(chosen, tuple(partners))


def pick_by_name(candidates: tuple[Partner, ...], name: str | None) -> Partner | None:
    """The candidate whose display name (or its first word) is `name`, ignoring case."""
    wanted = " ".join((name or "").casefold().split())
    if not wanted:
        return None
    for partner in candidates:
        full = " ".join(partner.display_name.casefold().split())
        if wanted in (full, full.split(" ")[0]):
            return partner
    return None


def link_code(session: Session, user_id: str, person_id: str | None, now: datetime) -> str:
    """A link code for this Alexa user and person: the unused one still fresh, else a new one."""
    existing = session.scalar(select(PairingCode.code).where(
        PairingCode.kind == "link", PairingCode.alexa_user_id == user_id,
        PairingCode.alexa_person_id.is_(None) if person_id is None else PairingCode.alexa_person_id == person_id,
        PairingCode.used_at.is_(None), PairingCode.expires_at > now + REUSE_CODE_FOR)
        .order_by(PairingCode.expires_at.desc()))
    return existing or linking.start_link(session, user_id, person_id, now)


def promise_due(day: date | None, minute_of_day: int, tz: str, now: datetime) -> datetime:
    """The UTC instant of a spoken day and time in `tz`; with no day, a time already past means tomorrow.
    A time inside a spring-forward gap moves to the gap's end (local_time.local_to_utc)."""
    local_now = local_time.local_now(now, tz).replace(tzinfo=None)
    clock = time(minute_of_day // 60, minute_of_day % 60)
    local = datetime.combine(day or local_now.date(), clock)
    if day is None and local <= local_now:
        local += timedelta(days=1)
    return local_time.local_to_utc(local, tz)


def reminder_plan(promiser: Partner, promise: Promise, now: datetime) -> tuple[datetime | None, str | None]:
    """When the promise's reminder text goes (None if too close), or the reason it cannot be texted."""
    try:
        outbox.check_can_text(promiser, "promise_reminder")
    except NotAllowed as error:
        return None, error.reason
    return promises.reminder_time(promise, now), None
