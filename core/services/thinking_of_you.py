""""Thinking about you": a short text to the partner, within limits that keep it a kindness and never a way
to harass: the recipient's own pause, quiet hours and THINKING OFF are respected; at most one an hour and
`daily_cap` a day from the same sender; never more than one waiting over the recipient's quiet hours. The
sender is told honestly whether it goes now, waits (until when), or won't go; a text that waited says when
it was sent ("earlier today, at 6:10 AM"), never "right now".

The caps are count-then-write rules, so the sender's row is locked first (core.locks) and two texts at once
on PostgreSQL cannot both pass."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import NotAllowed, NotFound
from core.locks import lock_partner
from core.models import OutboundMessage, Partner, TextKind, TextState
from core.services import outbox
from core.services.couples import clear_awaited, other_partner
from core.words import texts

KINDS = (TextKind.THINKING, TextKind.THINKING_AUTO)
MIN_GAP = timedelta(hours=1)  # at most one an hour from the same sender
LATE = timedelta(minutes=10)  # a text that goes later than this after it was sent says when it was sent
_SENDER = re.compile(r"thinking:([0-9]+):")


@dataclass(frozen=True)
class ThinkingSent:
    """A thinking-about-you text queued; `held_until` when it waits for the recipient's quiet hours to end."""

    message: OutboundMessage
    held_until: datetime | None = None

    @property
    def held_for_quiet_hours(self) -> bool:
        return self.held_until is not None


def send_thinking(session: Session, sender: Partner, now: datetime, daily_cap: int,
                  source_id: str) -> ThinkingSent:
    """Queue a thinking-about-you text to the sender's partner; NotAllowed (with the reason) when it won't go."""
    recipient = other_partner(sender)
    if recipient is None:
        raise NotFound("no partner yet", "no_partner")
    key = f"thinking:{sender.id}:{source_id}"
    if (existing := outbox.find(session, key)) is not None:  # a retried request: the same answer
        return _sent(existing, recipient)
    outbox.check_can_text(recipient, TextKind.THINKING)
    check_recipient_takes(recipient)
    lock_partner(session, sender.id)  # the caps below count then write
    check_limits(session, sender, recipient, now, daily_cap)
    message, _ = outbox.queue(session, recipient, outbox.Draft(
        texts.thinking_of_you(sender.display_name), TextKind.THINKING, key), now)
    return _sent(message, recipient)


def _sent(message: OutboundMessage, recipient: Partner) -> ThinkingSent:
    held = recipient.in_quiet_hours(message.created_at)
    return ThinkingSent(message, recipient.quiet_hours_end(message.created_at) if held else None)


def check_recipient_takes(recipient: Partner) -> None:
    """The recipient's own choices: THINKING OFF, or PAUSE (nothing scheduled or sent to them for now)."""
    if not recipient.takes_thinking:
        raise NotAllowed("they turned thinking-about-you texts off", "thinking_off")
    if recipient.paused:
        raise NotAllowed("they paused their texts", "partner_paused")


def check_limits(session: Session, sender: Partner, recipient: Partner, now: datetime, daily_cap: int) -> None:
    """The sender's limits (call with the sender's row locked): one an hour, `daily_cap` a day, one waiting."""
    last = _latest_from(session, sender, recipient)
    if last is not None and now - last < MIN_GAP:
        raise NotAllowed("at most one an hour", "thinking_too_soon")
    if sent_today(session, sender, now) >= daily_cap:
        raise NotAllowed(f"at most {daily_cap} a day", "capped")
    if recipient.in_quiet_hours(now) and waiting_from(session, sender, recipient):
        raise NotAllowed("one is already waiting for their quiet hours to end", "thinking_waiting")


def answer_offer(session: Session, sender: Partner, send: bool, now: datetime, daily_cap: int,
                 source_id: str) -> ThinkingSent | None:
    """The sender's reply to a scheduled "Reply 1 to send" offer: the offer is over; 1 or YES sends it now."""
    clear_awaited(sender)
    return send_thinking(session, sender, now, daily_cap, source_id) if send else None


def _from(sender: Partner, recipient: Partner):
    """Thinking texts from `sender` to `recipient` (the key names the sender: `thinking:<sender id>:...`)."""
    return (OutboundMessage.kind.in_(KINDS), OutboundMessage.partner_id == recipient.id,
            OutboundMessage.idempotency_key.like(f"thinking:{sender.id}:%"))


def _latest_from(session: Session, sender: Partner, recipient: Partner) -> datetime | None:
    return session.scalar(select(func.max(OutboundMessage.created_at)).where(*_from(sender, recipient)))


def waiting_from(session: Session, sender: Partner, recipient: Partner) -> int:
    """How many thinking texts from `sender` are still waiting to go to `recipient`."""
    return session.scalar(select(func.count(OutboundMessage.id)).where(
        *_from(sender, recipient), OutboundMessage.state == TextState.QUEUED))


def sent_today(session: Session, sender: Partner, now: datetime) -> int:
    """How many thinking-about-you texts the sender queued in their local day so far."""
    day = local_time.local_date(now, sender.couple.timezone)
    start = local_time.at_minute(day, 0, sender.couple.timezone)
    recipient = other_partner(sender)
    if recipient is None:
        return 0
    return session.scalar(select(func.count(OutboundMessage.id)).where(
        *_from(sender, recipient),
        OutboundMessage.created_at >= start, OutboundMessage.created_at < start + timedelta(days=1)))


def sender_of(session: Session, message: OutboundMessage) -> Partner | None:
    """Who sent a thinking text, from its key."""
    match = _SENDER.match(message.idempotency_key or "")
    return session.get(Partner, int(match[1])) if match else None


def reword_if_late(session: Session, message: OutboundMessage, now: datetime) -> None:
    """Just before a thinking text goes: if it waited (quiet hours, a retry), say when it was sent instead
    of "right now". Computed at send time, so it is true whenever it arrives."""
    written_at = message.created_at  # an automatic one is queued at its moment, so this holds for both
    if now - written_at <= LATE:
        return
    sender = sender_of(session, message)
    if sender is None or not sender.phone:
        return  # an erased sender's texts are cancelled by the erasure
    tz = sender.couple.timezone
    sent, today = local_time.local_now(written_at, tz), local_time.local_date(now, tz)
    message.body = texts.thinking_of_you_earlier(sender.display_name, sent.date(), today,
                                                 sent.hour * 60 + sent.minute)
