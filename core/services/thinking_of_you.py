""""Thinking about you": a short text to the partner, capped per day so it can never be used to harass."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import NotAllowed, NotFound
from core.locks import lock_partner
from core.models import OutboundMessage, Partner, TextKind
from core.services import outbox
from core.services.couples import clear_awaited, other_partner
from core.words import texts


@dataclass(frozen=True)
class ThinkingSent:
    """A thinking-about-you text queued; `held_for_quiet_hours` when it waits for the couple's quiet hours to end."""

    message: OutboundMessage
    held_for_quiet_hours: bool


def send_thinking(session: Session, sender: Partner, now: datetime, daily_cap: int,
                  source_id: str) -> ThinkingSent:
    """Queue a thinking-about-you text to the sender's partner now; NotAllowed when capped or not allowed."""
    recipient = other_partner(sender)
    if recipient is None:
        raise NotFound("no partner yet", "no_partner")
    outbox.check_can_text(recipient, TextKind.THINKING)
    lock_partner(session, sender.id)  # the cap is the sender's: a second request waits, then counts again
    if sent_today(session, sender, now) >= daily_cap:
        raise NotAllowed(f"at most {daily_cap} a day", "capped")
    message, _ = outbox.queue(session, recipient, outbox.Draft(
        texts.thinking_of_you(sender.display_name), TextKind.THINKING, f"thinking:{sender.id}:{source_id}"), now)
    couple = sender.couple
    return ThinkingSent(message, local_time.in_quiet_hours(now, couple.timezone, couple.quiet_start,
                                                            couple.quiet_end))


def answer_offer(session: Session, sender: Partner, send: bool, now: datetime, daily_cap: int,
                 source_id: str) -> ThinkingSent | None:
    """The sender's reply to a scheduled "Reply 1 to send" offer: the offer is over; 1 or YES sends it now."""
    clear_awaited(sender)
    return send_thinking(session, sender, now, daily_cap, source_id) if send else None


def sent_today(session: Session, sender: Partner, now: datetime) -> int:
    """How many thinking-about-you texts the sender queued in their local day so far."""
    day = local_time.local_date(now, sender.couple.timezone)
    start = local_time.at_minute(day, 0, sender.couple.timezone)
    recipient = other_partner(sender)
    if recipient is None:
        return 0
    return session.scalar(select(func.count(OutboundMessage.id)).where(
        OutboundMessage.kind.in_((TextKind.THINKING, TextKind.THINKING_AUTO)),
        OutboundMessage.partner_id == recipient.id,
        OutboundMessage.created_at >= start, OutboundMessage.created_at < start + timedelta(days=1),
        OutboundMessage.idempotency_key.like(f"thinking:{sender.id}:%")))
