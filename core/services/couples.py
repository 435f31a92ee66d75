"""Couples and partners: joining, inviting and pairing, consent, preferences, erasure."""
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.orm import Session, contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core import local_time
from core.crypto import phone_digest
from core.errors import Conflict, InvalidInput, NotFound
from core.locks import lock_couple
from core.models import (Awaiting, CheckIn, Consent, Couple, GentleQuestion, InboundMessage, InvitationState,
                         NudgeSchedule, OutboundMessage, PairingCode, Partner, Promise, QuestionHeard, Role,
                         TextState,
                         VoiceSetup)
from core.models import AnswerNotice, EchoPreference  # issue 12: erased with the rest
from core.phones import normalize_phone

MAX_NAME = 40
AWAIT_MINUTES = 60 * 24
ERASE_CONFIRM_MINUTES = 10  # DELETE MY DATA erases only when confirmed within this window


def clean_name(raw: str | None) -> str:
    """A display name: trimmed, printable, at most 40 characters; InvalidInput when empty."""
    name = " ".join("".join(ch for ch in (raw or "") if ch.isprintable()).split())[:MAX_NAME]
    if not name:
        raise InvalidInput("a name is needed", "missing_name")
    return name


def create_couple(session: Session, name: str, phone: str, now: datetime, timezone: str,
                  question_minute: int = 19 * 60, quiet_hours: tuple[int, int] = (21, 8)) -> Partner:
    """Start a couple with its first partner, who asked to join and so consents to texts."""
    phone = normalize_phone(phone)
    if find_by_phone(session, phone):
        raise Conflict("this number is already in Trust Builder", "already_joined")
    couple = Couple(timezone=timezone, question_minute=question_minute, created_at=now)
    couple.next_question_at = local_time.next_at_minute(now, question_minute, timezone)
    from core.services.invitations import first_name  # the one rule for names others will read
    partner = Partner(couple=couple, display_name=first_name(name), phone=phone, consent=Consent.GRANTED,
                      consent_at=now, quiet_start=quiet_hours[0], quiet_end=quiet_hours[1], created_at=now)
    session.add_all([couple, partner])
    session.flush()
    return partner


def invite_partner(session: Session, inviter: Partner, phone: str, name: str, now: datetime) -> Partner:
    """Add the second partner, waiting for their YES before anything but the invitation is sent."""
    phone = normalize_phone(phone)
    # Two partners per couple: lock the couple, then count its partners as committed now (another INVITE
    # may have added one while we waited); the number itself is unique by constraint.
    lock_couple(session, inviter.couple_id)
    session.refresh(inviter.couple, ["partners"])
    if other_partner(inviter):
        raise Conflict("your couple already has two partners", "couple_full")
    if find_by_phone(session, phone):
        raise Conflict("that number is already in Trust Builder", "phone_taken")
    # The invitee starts with the inviter's quiet hours (the same household); QUIET makes them their own.
    partner = Partner(couple_id=inviter.couple_id, display_name=clean_name(name), phone=phone,
                      consent=Consent.INVITED, consent_requested_at=now, quiet_start=inviter.quiet_start,
                      quiet_end=inviter.quiet_end, created_at=now)
    session.add(partner)
    session.flush()
    session.refresh(inviter.couple, ["partners"])
    return partner


def invite(session: Session, inviter: Partner, phone: str, name: str, now: datetime) -> Partner | None:
    """INVITE, as core.services.invitations does it (limits, do-not-contact, the same reply for anyone);
    returns the invitee added, None when no text could go. For callers inside core and tests only: an
    adapter must never tell the inviter which it was."""
    from core.services import invitations
    invitations.invite(session, inviter, phone, name, now)
    invitee = find_by_phone(session, normalize_phone(phone))
    return invitee if invitee is not None and invitee.couple_id == inviter.couple_id else None


def accept_invite(session: Session, partner: Partner, now: datetime) -> Partner:
    """The invited partner said YES: they now consent to texts."""
    if partner.consent != Consent.INVITED:
        raise Conflict("there is no invitation waiting", "no_invite")
    from core.services import invitations  # invitations reads couples' lookups
    if invitations.has_expired(session, partner, now):
        raise Conflict("the invitation has expired", "no_invite")
    invitations.end(session, partner, InvitationState.ACCEPTED, now)
    partner.consent, partner.consent_at = Consent.GRANTED, now
    session.flush()
    return partner


# Webhooks and the skill go on to read the couple and both partners: load them in the same statement
# instead of two lazy loads later.
WITH_COUPLE = joinedload(Partner.couple).joinedload(Couple.partners)


def with_their_couples(where) -> Select:
    """Every partner of the couples that have a partner matching `where`, each with its couple, in id order:
    one row per partner (a joined load of partner, couple and the couple's partners reads the partner again
    on each of its couple's rows, and decrypts it each time). `gathered` then fills each couple's partners."""
    theirs = select(Partner.couple_id).where(where)
    return (select(Partner).join(Partner.couple).where(Partner.couple_id.in_(theirs)).order_by(Partner.id)
            .options(contains_eager(Partner.couple)))


def gathered(partners: list[Partner]) -> list[Partner]:
    """The partners `with_their_couples` read, with each couple's partners filled from them (all of a couple's
    partners are among them), so nothing loads them again."""
    of_couple: dict[int, list[Partner]] = {}
    for partner in partners:
        of_couple.setdefault(partner.couple_id, []).append(partner)
    for partner in partners:
        if "partners" not in partner.couple.__dict__:
            set_committed_value(partner.couple, "partners", of_couple[partner.couple_id])
    return partners


# Built once with a bound parameter: rebuilding it per call costs more than running it.
BY_PHONE = with_their_couples(Partner.phone_digest == bindparam("digest"))


def find_by_phone(session: Session, phone: str) -> Partner | None:
    """The partner with this E.164 number, if any, with their couple and its partners loaded. Numbers are
    stored encrypted: this is the one place a partner is found by number, through its keyed digest."""
    digest = phone_digest(phone)
    return next((p for p in gathered(list(session.scalars(BY_PHONE, {"digest": digest})))
                 if p.phone_digest == digest), None)


def get_partner(session: Session, partner_id: int) -> Partner:
    """The partner with this id; NotFound otherwise."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}", "unknown_partner")
    return partner


def other_partner(partner: Partner) -> Partner | None:
    """The other person in the couple, if they have been invited and have not erased their data."""
    return next((p for p in partner.couple.partners if p.id != partner.id and p.phone), None)


def opt_out(session: Session, partner: Partner, now: datetime) -> None:
    """STOP: record it at once and cancel every text still waiting for this partner."""
    partner.opted_out, partner.opted_out_at = True, now
    if partner.consent == Consent.GRANTED:
        partner.consent = Consent.REVOKED
    session.execute(update(OutboundMessage)
                    .where(OutboundMessage.partner_id == partner.id, OutboundMessage.state == TextState.QUEUED)
                    .values(state=TextState.CANCELLED, updated_at=now))
    session.flush()


def opt_in(session: Session, partner: Partner, now: datetime) -> None:
    """START after STOP: texts may be sent again."""
    partner.opted_out, partner.opted_out_at = False, None
    partner.consent, partner.consent_at = Consent.GRANTED, now
    session.flush()


def set_question_time(session: Session, couple: Couple, minute_of_day: int, now: datetime) -> None:
    """Move the daily question (shared by both); takes effect from the next occurrence. Partners change it
    through personal_settings.set_question_time, which also tells the other one."""
    if not 0 <= minute_of_day < 24 * 60:
        raise InvalidInput("a time of day is needed", "bad_time")
    couple.question_minute = minute_of_day
    couple.next_question_at = local_time.next_at_minute(now, minute_of_day, couple.timezone)
    session.flush()


def set_timezone(session: Session, couple: Couple, tz: str, now: datetime) -> None:
    """Change the couple's time zone (shared by both) and re-plan its daily question."""
    couple.timezone = tz
    couple.next_question_at = local_time.next_at_minute(now, couple.question_minute, tz)
    couple.next_summary_at = None
    session.flush()


def expect_reply(partner: Partner, what: str | None, now: datetime, ref: int | None = None,
                 minutes: int = AWAIT_MINUTES) -> None:
    """Remember what a short reply (YES, 1, KEPT) from this partner would answer."""
    partner.awaiting, partner.awaiting_ref = what, ref
    partner.awaiting_until = now + timedelta(minutes=minutes) if what else None


def clear_awaited(partner: Partner) -> None:
    """Nothing is waiting for a short reply from this partner any more."""
    partner.awaiting = partner.awaiting_ref = partner.awaiting_until = None


def awaited(partner: Partner, now: datetime) -> str | None:
    """What a short reply answers now, if anything is still waiting."""
    if partner.awaiting and partner.awaiting_until and partner.awaiting_until > now:
        return partner.awaiting
    return None


def _forget_awaited_promises(session: Session, partner: Partner, promise_ids, now: datetime) -> None:
    """The other partner may be waiting to confirm one of the erased promises: that question is gone."""
    other = other_partner(partner)
    if other is not None and other.awaiting_ref in set(session.scalars(promise_ids)):
        clear_awaited(other)


def erase_partner(session: Session, partner: Partner, now: datetime) -> None:
    """DELETE MY DATA: the person's own data and every copy of their words (core.services.erasure)."""
    from core.services import erasure  # erasure builds on erase_own_data below
    erasure.erase_person(session, partner, now)


def erase_own_data(session: Session, partner: Partner, now: datetime) -> None:
    """Remove the person's check-ins, promises, texts and phone number; keep an opted-out shell so the
    couple's other partner keeps their own history."""
    pid = partner.id
    session.execute(delete(CheckIn).where(CheckIn.partner_id == pid))
    their_promises = select(Promise.id).where(Promise.promiser_id == pid)
    session.execute(update(OutboundMessage).where(OutboundMessage.promise_id.in_(their_promises))
                    .where(OutboundMessage.state == TextState.QUEUED).values(state=TextState.CANCELLED, updated_at=now))
    session.execute(update(OutboundMessage).where(OutboundMessage.promise_id.in_(their_promises))
                    .values(promise_id=None, body=None))
    _forget_awaited_promises(session, partner, their_promises, now)
    session.execute(delete(Promise).where(Promise.promiser_id == pid))
    session.execute(update(OutboundMessage).where(OutboundMessage.partner_id == pid)
                    .values(body=None, to_phone=None, state=TextState.CANCELLED, updated_at=now)
                    .where(OutboundMessage.state == TextState.QUEUED))
    session.execute(update(OutboundMessage).where(OutboundMessage.partner_id == pid)
                    .values(body=None, to_phone=None))
    session.execute(update(InboundMessage).where(InboundMessage.partner_id == pid).values(reply=None))
    for model in (QuestionHeard, NudgeSchedule, PairingCode, GentleQuestion, VoiceSetup, EchoPreference, AnswerNotice):
        session.execute(delete(model).where(model.partner_id == pid))
    partner.phone, partner.alexa_user_id, partner.alexa_person_id = None, None, None
    partner.opted_out, partner.opted_out_at, partner.consent = True, now, Consent.REVOKED
    partner.display_name = "(deleted)"
    partner.role = Role.UNSAID  # where they stood was theirs too
    clear_awaited(partner)
    session.flush()


def request_erasure(session: Session, partner: Partner, now: datetime) -> bool:
    """DELETE MY DATA: the first request opens a confirmation window; the same request again within it erases.
    True when the partner's data was erased."""
    if awaited(partner, now) == Awaiting.DELETE:
        erase_partner(session, partner, now)
        return True
    expect_reply(partner, Awaiting.DELETE, now, minutes=ERASE_CONFIRM_MINUTES)
    return False


def answer_erasure(session: Session, partner: Partner, confirmed: bool, now: datetime) -> bool:
    """YES (or the request again) inside the window erases; NO keeps everything. True when erased."""
    if not confirmed:
        clear_awaited(partner)
        return False
    erase_partner(session, partner, now)
    return True
