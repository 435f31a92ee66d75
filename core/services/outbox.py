"""The outbound queue: every text is a row with a unique idempotency key, so it is queued (and sent) once."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import NotAllowed
from core.models import OutboundMessage, Partner, TextKind, TextState

#: Texts that may go to someone who has not opted in yet: the invitation and the voice set-up's consent text.
CONSENT_REQUESTS = {TextKind.INVITATION, TextKind.LINK_CONSENT}
REFUSALS = {"no_phone": "no phone number", "opted_out": "opted out of texts",
            "phone_invalid": "the number cannot receive texts", "no_consent": "has not turned on texts yet"}


@dataclass(frozen=True)
class Draft:
    """A text to queue: who, what, why (kind), and the key that makes it unique."""

    body: str
    kind: str
    key: str
    send_after: datetime | None = None
    expires_at: datetime | None = None
    respect_quiet: bool = True
    promise_id: int | None = None


def check_can_text(partner: Partner, kind: str) -> None:
    """Raise NotAllowed (with the reason) unless this partner may receive a text of this kind
    (Partner.text_refusal is the rule)."""
    reason = partner.text_refusal(asks_consent=kind in CONSENT_REQUESTS)
    if reason:
        raise NotAllowed(REFUSALS[reason], reason)


def queue(session: Session, partner: Partner, draft: Draft, now: datetime) -> tuple[OutboundMessage, bool]:
    """Queue `draft` for `partner`; returns (message, created). A key seen before returns the first message."""
    existing = find(session, draft.key)
    if existing is not None:
        return existing, False
    check_can_text(partner, draft.kind)
    message = OutboundMessage(partner_id=partner.id, to_phone=partner.phone, body=draft.body, kind=draft.kind,
                              idempotency_key=draft.key, state=TextState.QUEUED, send_after=draft.send_after or now,
                              expires_at=draft.expires_at, respect_quiet=draft.respect_quiet,
                              promise_id=draft.promise_id, attempts=0, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # Another process queued the same key between our look and our insert: theirs stands.
        return find(session, draft.key), False
    return message, True


def find(session: Session, key: str) -> OutboundMessage | None:
    """The message queued under `key`, if any."""
    return session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == key))


def cancel_for_promise(session: Session, promise_id: int, now: datetime) -> None:
    """A promise was settled: its reminders still waiting are no longer wanted."""
    for message in session.scalars(select(OutboundMessage).where(
            OutboundMessage.promise_id == promise_id, OutboundMessage.state == TextState.QUEUED)):
        message.state, message.updated_at = TextState.CANCELLED, now


def cancel_thinking_to(session: Session, partner: Partner, now: datetime) -> int:
    """THINKING OFF: thinking-about-you texts still waiting for `partner` are dropped; returns how many."""
    messages = list(session.scalars(select(OutboundMessage).where(
        OutboundMessage.partner_id == partner.id, OutboundMessage.state == TextState.QUEUED,
        OutboundMessage.kind.in_((TextKind.THINKING, TextKind.THINKING_AUTO)))))
    for message in messages:
        message.state, message.updated_at = TextState.CANCELLED, now
    return len(messages)


def waiting(session: Session, now: datetime) -> tuple[int, int]:
    """The queue's depth: texts queued, and how many of them are due now (the scheduler's heartbeat)."""
    queued = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.state == TextState.QUEUED)
    return session.scalar(queued), session.scalar(queued.where(OutboundMessage.send_after <= now))
