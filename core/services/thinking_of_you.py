""""Thinking about you": a short text to the partner, capped per day so it can never be used to harass."""
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import NotAllowed, NotFound
from core.models import OutboundMessage, Partner, TextKind
from core.services import outbox
from core.services.couples import other_partner


def thinking_body(sender: Partner) -> str:
    """Says who it is from and that it comes through Trust Builder."""
    return f"{sender.display_name} is thinking about you right now. (Sent with Trust Builder.)"


def send_thinking(session: Session, sender: Partner, now: datetime, daily_cap: int,
                  source_id: str) -> OutboundMessage:
    """Queue a thinking-about-you text to the sender's partner now; NotAllowed when capped or not allowed."""
    recipient = other_partner(sender)
    if recipient is None:
        raise NotFound("no partner yet", "no_partner")
    outbox.check_can_text(recipient, TextKind.THINKING)
    if sent_today(session, sender, now) >= daily_cap:
        raise NotAllowed(f"at most {daily_cap} a day", "capped")
    message, _ = outbox.queue(session, recipient, outbox.Draft(
        thinking_body(sender), TextKind.THINKING, f"thinking:{sender.id}:{source_id}"), now)
    return message


def sent_today(session: Session, sender: Partner, now: datetime) -> int:
    """How many thinking-about-you texts the sender queued in their local day so far."""
    day = local_time.local_date(now, sender.couple.timezone)
    start = local_time.at_minute(day, 0, sender.couple.timezone)
    recipient = other_partner(sender)
    if recipient is None:
        return 0
    return session.scalar(select(func.count(OutboundMessage.id)).where(
        OutboundMessage.kind.in_((TextKind.THINKING, TextKind.THINKING_AUTO)), OutboundMessage.partner_id == recipient.id,
        OutboundMessage.created_at >= start, OutboundMessage.created_at < start + timedelta(days=1),
        OutboundMessage.idempotency_key.like(f"thinking:{sender.id}:%")))
