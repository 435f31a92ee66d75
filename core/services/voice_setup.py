"""Setting up by voice: an Echo nobody linked yet asks for a mobile number (and a first name), we text that
number one consent message, and the YES texted back links that Alexa account (and voice profile) to the
person, joining them to Trust Builder when the number is new, or to the couple that invited them.

The state "a YES from this number would link that Echo" lives here only (`pending_for`), so the SMS side
reads a YES in context without knowing about Alexa. Limits: one consent text per number per hour and a few
per Alexa account per hour; whatever happens, the caller gets the same `Started` whether or not the number
is registered, so nobody can probe who uses Trust Builder. The number is kept only as its keyed digest.

The certification reviewer's number (Settings.reviewer_phone_number, a fictional 555-01xx number) is the
one exception: its texts are kept in the outbox, never sent, and its YES is taken as given at once.
Nothing here commits.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import crypto
from core.config import Settings, reviewer_number
from core.errors import InvalidInput
from core.crypto import keyed
from core.models import ALEXA_USER, Consent, OutboundMessage, Partner, TextKind, TextState, VoiceSetup
from core.phones import normalize_phone
from core.services import couples, linking
from core.words import texts

CONSENT_VALID = timedelta(hours=24)  # a YES later than this links nothing
ONE_TEXT_PER = timedelta(hours=1)  # per number
PER_ACCOUNT_PER_HOUR = 3  # consent texts one Alexa account may cause in an hour
TEXT_EXPIRES = timedelta(minutes=30)  # a consent text not sent by then is dropped (the person has moved on)


@dataclass(frozen=True)
class Started:
    """What the Echo may say: the set-up's id (for the session) and whether the reviewer path linked it at
    once. Deliberately nothing about whether the number was known or a text was actually sent."""

    setup_id: int
    linked_now: bool = False


@dataclass(frozen=True)
class Linked:
    """A YES linked an Echo: to whom, whether they joined just now, and whom they invited."""

    partner: Partner
    new: bool
    invited: str | None = None


def read_number(spoken: str | None, region: str = "US") -> str:
    """The number heard (AMAZON.PhoneNumber digits, dialled as in `region`) as E.164; InvalidInput when it is
    not a phone number."""
    return normalize_phone(spoken or "", region)


def start(session: Session, settings: Settings, alexa_user_id: str, person_id: str | None, phone: str,
          first_name: str | None, now: datetime) -> Started:
    """Begin a set-up for this Echo (and voice) with `phone` (E.164): text the consent message unless a limit
    holds it back. The answer is the same either way."""
    if not alexa_user_id:
        raise InvalidInput("no Alexa user id", "no_user")
    name = couples.clean_name(first_name) if first_name else None
    digest = crypto.phone_digest(phone)
    reviewer = phone == reviewer_number(settings)
    row = VoiceSetup(phone_digest=digest, alexa_user_id=alexa_user_id, alexa_person_id=person_id, first_name=name,
                     texted=False, expires_at=now + CONSENT_VALID, created_at=now)
    if not reviewer and _held_back(session, digest, alexa_user_id, now):
        row.used_at = now  # kept only to count towards the account's limit; a YES never finds it
        session.add(row)
        session.flush()
        return Started(row.id)
    _supersede(session, digest, now)
    session.add(row)
    session.flush()
    partner = couples.find_by_phone(session, phone)
    row.texted = _queue_consent(session, row, partner, phone, reviewer, now)
    if reviewer:
        accept(session, settings, phone, now, reviewer=True)
        return Started(row.id, linked_now=True)
    return Started(row.id)


def add_invitee(session: Session, setup_id: int, alexa_user_id: str, name: str, phone: str, now: datetime) -> bool:
    """Remember whom to invite once the set-up's YES arrives (the invitation goes then, from them). False when
    the set-up is not this Echo's or is over."""
    row = session.get(VoiceSetup, setup_id)
    if row is None or row.alexa_user_id != keyed(ALEXA_USER, alexa_user_id) or row.expires_at <= now:
        return False
    row.invitee_name, row.invitee_phone = couples.clean_name(name), normalize_phone(phone)
    session.flush()
    return True


def pending_for(session: Session, phone: str, now: datetime) -> VoiceSetup | None:
    """The set-up a YES from this number would answer: the newest one texted and still waiting."""
    return session.scalar(select(VoiceSetup).where(
        VoiceSetup.phone_digest == crypto.phone_digest(phone), VoiceSetup.used_at.is_(None),
        VoiceSetup.texted.is_(True), VoiceSetup.expires_at > now).order_by(VoiceSetup.id.desc()))


def accept(session: Session, settings: Settings, phone: str, now: datetime, reviewer: bool = False) -> Linked | None:
    """YES from `phone`: link the waiting Echo to its partner; a new number joins (this YES is its consent),
    an invited one accepts its invitation. None when nothing waits for this number."""
    row = pending_for(session, phone, now)
    if row is None:
        return None
    partner, new = couples.find_by_phone(session, phone), False
    if partner is None:
        partner = couples.create_couple(session, row.first_name or "Friend", phone, now, settings.default_timezone,
                                        question_minute=_minute(settings.daily_question_time),
                                        quiet_hours=settings.quiet_hours)
        new = True
    elif partner.consent == Consent.INVITED:
        couples.accept_invite(session, partner, now)
    elif partner.consent != Consent.GRANTED:
        couples.opt_in(session, partner, now)  # texting YES to our text is as clear a yes as START
    partner.reviewer = partner.reviewer or reviewer
    linking.link_alexa(session, partner, row.alexa_user_id, row.alexa_person_id)
    row.used_at, row.partner_id = now, partner.id
    invited = _invite_waiting(session, row, partner, now)
    session.flush()
    return Linked(partner, new, invited)


def remove_expired(session: Session, now: datetime) -> int:
    """Housekeeping: drop set-ups past their time; returns how many."""
    from sqlalchemy import delete
    result = session.execute(delete(VoiceSetup).where(VoiceSetup.expires_at <= now))
    return result.rowcount or 0


def _held_back(session: Session, digest: bytes, alexa_user_id: str, now: datetime) -> bool:
    """One consent text per number per hour, and a few per Alexa account: anything more is held back."""
    since = now - ONE_TEXT_PER
    for_number = session.scalar(select(func.count()).select_from(VoiceSetup).where(
        VoiceSetup.phone_digest == digest, VoiceSetup.texted.is_(True), VoiceSetup.created_at > since))
    for_account = session.scalar(select(func.count()).select_from(VoiceSetup).where(
        VoiceSetup.alexa_user_id == alexa_user_id, VoiceSetup.created_at > since))
    return bool(for_number) or for_account >= PER_ACCOUNT_PER_HOUR


def _supersede(session: Session, digest: bytes, now: datetime) -> None:
    """Only the newest set-up for a number can be answered."""
    session.execute(update(VoiceSetup).where(VoiceSetup.phone_digest == digest, VoiceSetup.used_at.is_(None))
                    .values(used_at=now))


def _queue_consent(session: Session, row: VoiceSetup, partner: Partner | None, phone: str, reviewer: bool,
                   now: datetime) -> bool:
    """The consent text, to a registered partner (unless they said STOP or the number fails) or to a new
    number; the reviewer's stays in the outbox. True when it was queued."""
    if partner is not None and partner.text_refusal(asks_consent=True):
        return False
    session.add(OutboundMessage(
        partner_id=partner.id if partner else None, to_phone=phone, body=texts.link_consent(),
        kind=TextKind.LINK_CONSENT, idempotency_key=f"link-consent:{row.id}",
        state=TextState.OUTBOX if reviewer else TextState.QUEUED, send_after=now, expires_at=now + TEXT_EXPIRES,
        respect_quiet=False, attempts=0, created_at=now, updated_at=now, sent_at=now if reviewer else None))
    return True


def _invite_waiting(session: Session, row: VoiceSetup, partner: Partner, now: datetime) -> str | None:
    """The partner named during the set-up is invited now, when the couple has room and the number is free."""
    if not (row.invitee_name and row.invitee_phone) or couples.other_partner(partner):
        return None
    if couples.find_by_phone(session, row.invitee_phone):
        return None
    invitee = couples.invite(session, partner, row.invitee_phone, row.invitee_name, now)
    row.invitee_name = row.invitee_phone = None
    return invitee.display_name


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
