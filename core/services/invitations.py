"""Inviting a partner without letting anyone be texted, probed or harassed through us.

- The reply is the same whether the number is new, already registered, on the do-not-contact list or was
  invited by someone else this week: only whether a text goes out differs, and only we know.
- Names are first names (letters, spaces, hyphen, apostrophe; at most 20), so an invitation cannot carry
  a link or an advert.
- Limits, each a count-then-write under a row lock (couple, then inviter, then the number's guard):
  at most INVITES_PER_DAY per inviter, one pending invitation per couple, one invitation to a number
  every NUMBER_EVERY.
- An invitation expires after INVITATION_VALID, ends when its invitee answers YES or STOP, and is
  cancelled when its inviter erases their data.
"""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.crypto import phone_digest
from core.errors import Conflict, InvalidInput, NotAllowed
from core.locks import lock_couple, lock_partner
from core.models import (Consent, InboundMessage, Invitation, InvitationState, OutboundMessage, Partner, TextKind,
                         TextState)
from core.phones import normalize_phone
from core.services import guards, outbox
from core.words import texts

MAX_FIRST_NAME = 20
INVITES_PER_DAY = 3
INVITATION_VALID = timedelta(days=7)
NUMBER_EVERY = timedelta(days=7)
_FIRST_NAME = re.compile(r"[^\W\d_]+(?:[ '\u2019-][^\W\d_]+)*")


def first_name(raw: str | None) -> str:
    """A first name: letters with single spaces, hyphens or apostrophes between them, at most 20
    characters; no digits, URLs or domains. InvalidInput("missing_name" / "bad_name") otherwise."""
    name = " ".join("".join(ch for ch in (raw or "") if ch.isprintable()).split()).strip(" .,!")
    if not name:
        raise InvalidInput("a first name is needed", "missing_name")
    if len(name) > MAX_FIRST_NAME or not _FIRST_NAME.fullmatch(name):
        raise InvalidInput("a first name is letters only, at most 20", "bad_name")
    return name


def invite(session: Session, inviter: Partner, phone: str, name: str, now: datetime) -> str:
    """INVITE <phone> <name>: record the invitation and, when the number may be invited, add the partner
    and queue the invitation text. Returns the invitee's first name; the caller's reply never depends on
    whether a text went out."""
    name, phone = first_name(name), normalize_phone(phone)
    lock_couple(session, inviter.couple_id)
    lock_partner(session, inviter.id)
    if expire_due(session, now, couple_id=inviter.couple_id):
        session.refresh(inviter.couple, ["partners"])
    others = [p for p in inviter.couple.partners if p.id != inviter.id and p.phone]
    if any(p.consent == Consent.GRANTED for p in others):
        raise Conflict("your couple already has two partners", "couple_full")
    for earlier in (p for p in others if p.consent == Consent.INVITED):
        if not earlier.opted_out:
            raise Conflict("an invitation is already waiting", "invite_pending")
        remove_invitee(session, earlier.id, now)  # they said STOP: their number is on the do-not-contact list
    if _count(session, Invitation.couple_id == inviter.couple_id, Invitation.state == InvitationState.PENDING):
        raise Conflict("an invitation is already waiting", "invite_pending")
    if _count(session, Invitation.inviter_id == inviter.id,
              Invitation.created_at > now - timedelta(days=1)) >= INVITES_PER_DAY:
        raise NotAllowed(f"at most {INVITES_PER_DAY} invitations a day", "invite_limit")
    guard = guards.locked_guard(session, phone, now)
    expire_due(session, now, digest=guard.digest)  # an invitee whose week is over no longer holds the number
    from core.services.couples import find_by_phone  # couples imports this module's erasure helpers
    deliver = (guard.do_not_contact_at is None and find_by_phone(session, phone) is None
               and (guard.invited_at is None or guard.invited_at <= now - NUMBER_EVERY))
    invitation = Invitation(couple_id=inviter.couple_id, inviter_id=inviter.id, phone_digest=guard.digest,
                            invitee_name=name, sent=deliver, state=InvitationState.PENDING, created_at=now,
                            expires_at=now + INVITATION_VALID)
    session.add(invitation)
    session.flush()
    if deliver:
        guard.invited_at = now
        invitee = Partner(couple_id=inviter.couple_id, display_name=name, phone=phone, consent=Consent.INVITED,
                          consent_requested_at=now, created_at=now)
        session.add(invitee)
        session.flush()
        invitation.invitee_id = invitee.id
        # Keyed by the invitation, never deleted: a removed invitee's row id may be reused (SQLite).
        outbox.queue(session, invitee, outbox.Draft(texts.invitation(inviter.display_name), TextKind.INVITATION,
                                                    f"invitation:{invitation.id}", expires_at=invitation.expires_at),
                     now)
    session.flush()
    session.refresh(inviter.couple, ["partners"])
    return name


def _count(session: Session, *where) -> int:
    return session.scalar(select(func.count()).select_from(Invitation).where(*where))


def pending_for(session: Session, invitee: Partner, now: datetime) -> Invitation | None:
    """The invitation waiting for this invitee's YES, if it has not expired."""
    return session.scalar(select(Invitation).where(Invitation.invitee_id == invitee.id,
                                                   Invitation.state == InvitationState.PENDING,
                                                   Invitation.expires_at > now))


def has_expired(session: Session, invitee: Partner, now: datetime) -> bool:
    """True when this invitee's invitation ran out before they said YES (housekeeping removes them)."""
    return session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.invitee_id == invitee.id, Invitation.state == InvitationState.PENDING,
        Invitation.expires_at <= now)) > 0


def pending_name(session: Session, couple_id: int, now: datetime) -> str | None:
    """The first name on the couple's pending invitation (sent or not), for replies to the inviter."""
    return session.scalar(select(Invitation.invitee_name).where(
        Invitation.couple_id == couple_id, Invitation.state == InvitationState.PENDING, Invitation.expires_at > now))


def end(session: Session, invitee: Partner, state: str, now: datetime) -> None:
    """The invitee answered: YES accepts, STOP declines (and their number goes on the do-not-contact list)."""
    session.execute(update(Invitation).where(Invitation.invitee_id == invitee.id,
                                             Invitation.state == InvitationState.PENDING)
                    .values(state=state, ended_at=now))
    if state == InvitationState.DECLINED and invitee.phone:
        guards.add_do_not_contact(session, invitee.phone, now)


def cancel_by(session: Session, inviter: Partner, now: datetime) -> list[int]:
    """The inviter erased their data: their pending invitations end, and the invitees' ids are returned
    so the caller removes them and their unsent invitation texts."""
    rows = list(session.scalars(select(Invitation).where(Invitation.inviter_id == inviter.id,
                                                         Invitation.state == InvitationState.PENDING)))
    for row in rows:
        row.state, row.ended_at = InvitationState.CANCELLED, now
    return [row.invitee_id for row in rows if row.invitee_id]


def expire_due(session: Session, now: datetime, couple_id: int | None = None, digest: bytes | None = None) -> int:
    """Invitations past their 7 days end (all, one couple's, or one number's); an invitee who never said YES
    is removed with their unsent text."""
    where = [Invitation.state == InvitationState.PENDING, Invitation.expires_at <= now]
    if couple_id is not None:
        where.append(Invitation.couple_id == couple_id)
    if digest is not None:
        where.append(Invitation.phone_digest == digest)
    rows = list(session.scalars(select(Invitation).where(*where)))
    for row in rows:
        row.state, row.ended_at = InvitationState.EXPIRED, now
        if row.invitee_id:
            remove_invitee(session, row.invitee_id, now)
    session.flush()
    return len(rows)


def remove_invitee(session: Session, invitee_id: int, now: datetime) -> None:
    """An invitee who never said YES leaves no trace but the invitation record: no number, no texts."""
    invitee = session.get(Partner, invitee_id)
    if invitee is None or invitee.consent != Consent.INVITED:
        return
    session.execute(update(OutboundMessage).where(OutboundMessage.partner_id == invitee_id,
                                                  OutboundMessage.state == TextState.QUEUED)
                    .values(state=TextState.CANCELLED, updated_at=now))
    session.execute(update(OutboundMessage).where(OutboundMessage.partner_id == invitee_id)
                    .values(body=None, to_phone=None, partner_id=None))
    session.execute(update(InboundMessage).where(InboundMessage.partner_id == invitee_id)
                    .values(partner_id=None, reply=None))
    session.execute(update(Invitation).where(Invitation.invitee_id == invitee_id).values(invitee_id=None))
    session.delete(invitee)
    session.flush()
