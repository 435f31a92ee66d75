"""Linking an Alexa account to a partner: the skill speaks a code, the partner texts LINK <code>."""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from core.crypto import keyed
from core.models import ALEXA_USER, CodeKind, PairingCode, Partner
from core.services.couples import gathered, with_their_couples

LINK_VALID = timedelta(minutes=10)
REUSE_CODE_FOR = timedelta(minutes=5)  # a code spoken again must leave time to type it
# Every Alexa request runs this: built once, with the couple and both partners loaded in the same statement.
BY_ALEXA_USER = with_their_couples(Partner.alexa_user_id == bindparam("user_id"))


def start_link(session: Session, alexa_user_id: str, person_id: str | None, now: datetime) -> str:
    """A fresh 6-digit code for this Alexa user (and recognised person), valid 10 minutes."""
    if not alexa_user_id:
        raise InvalidInput("no Alexa user id", "no_user")
    for _ in range(5):
        code = f"{secrets.randbelow(900000) + 100000}"
        try:
            with session.begin_nested():
                session.add(PairingCode(kind=CodeKind.LINK, code=code, alexa_user_id=alexa_user_id,
                                        alexa_person_id=person_id, expires_at=now + LINK_VALID, created_at=now))
            return code
        except IntegrityError:
            continue  # a code still in use elsewhere; draw again
    raise RuntimeError("could not draw a free link code")


def link_code(session: Session, user_id: str, person_id: str | None, now: datetime) -> str:
    """The code to speak for this Alexa user and person: the unused one still fresh, else a new one."""
    existing = session.scalar(select(PairingCode.code).where(
        PairingCode.kind == CodeKind.LINK, PairingCode.alexa_user_id == user_id,
        PairingCode.alexa_person_id.is_(None) if person_id is None else PairingCode.alexa_person_id == person_id,
        PairingCode.used_at.is_(None), PairingCode.expires_at > now + REUSE_CODE_FOR)
        .order_by(PairingCode.expires_at.desc()))
    return existing or start_link(session, user_id, person_id, now)


def complete_link(session: Session, partner: Partner, code: str, now: datetime) -> PairingCode:
    """LINK <code> from a phone: tie that Alexa user (and person) to the partner texting."""
    row = session.scalar(select(PairingCode).where(PairingCode.kind == CodeKind.LINK,
                                                   PairingCode.code == (code or "")))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise NotFound("that code is unknown or has expired", "bad_code")
    row.used_at, row.partner_id = now, partner.id
    link_alexa(session, partner, row.alexa_user_id, row.alexa_person_id)
    return row


def link_alexa(session: Session, partner: Partner, alexa_user_id: str, person_id: str | None) -> None:
    """Tie this Alexa account (and voice profile, when one was recognised) to the partner."""
    _release_voice_profile(session, partner, person_id)
    partner.alexa_user_id, partner.alexa_person_id = alexa_user_id, person_id
    session.flush()


def _release_voice_profile(session: Session, partner: Partner, person_id: str | None) -> None:
    """A voice profile belongs to one partner: unlink it from anyone else who had it."""
    if person_id:
        for other in session.scalars(select(Partner).where(Partner.alexa_person_id == person_id,
                                                           Partner.id != partner.id)):
            other.alexa_person_id = None


def partners_for_alexa(session: Session, user_id: str) -> list[Partner]:
    """Every partner linked to this Alexa account (two partners may share one device)."""
    if not user_id:
        return []
    return of_account(gathered(list(session.scalars(BY_ALEXA_USER, {"user_id": user_id}))), user_id)


def of_account(partners: list[Partner], user_id: str) -> list[Partner]:
    """Of the partners BY_ALEXA_USER read (the account's and the rest of their couples), the account's own."""
    digest = keyed(ALEXA_USER, user_id)
    return [p for p in partners if p.alexa_user_id == digest]


def remove_expired(session: Session, now: datetime) -> int:
    """Housekeeping: drop codes past their time; returns how many."""
    result = session.execute(delete(PairingCode).where(PairingCode.expires_at <= now))
    return result.rowcount or 0
