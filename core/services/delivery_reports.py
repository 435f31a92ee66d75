"""Delivery reports: Twilio's status callbacks move a sent text forward (sent -> delivered, or undelivered or
failed with an error code that may say the number opted out or cannot receive texts)."""
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.models import OutboundMessage, TextState
from core.services import dispatch_pacing
from core.services.send_rules import apply_error_code

QUEUE_OVERFLOW = 30001
REQUEUE_LIMIT = 6  # attempts, as the dispatcher's max_attempts

#: How far along each state is: a report only ever moves a text forward.
STATUS_RANK = {TextState.QUEUED: 0, TextState.SENDING: 1, TextState.SENT: 2, TextState.OUTBOX: 2,
               TextState.DELIVERED: 3, TextState.UNDELIVERED: 3, TextState.FAILED: 3}
BY_SID = select(OutboundMessage).where(OutboundMessage.provider_sid == bindparam("sid"))


def update_status(session: Session, sid: str, status: str, error_code: int | None, now: datetime) -> bool:
    """Apply a Twilio status callback; states only move forward (a late `sent` never undoes `delivered`)."""
    message = session.scalar(BY_SID, {"sid": sid})
    if message is None or status not in STATUS_RANK:
        return False
    if STATUS_RANK[status] <= STATUS_RANK.get(message.state, 0):
        return False
    if error_code == QUEUE_OVERFLOW and message.attempts < REQUEUE_LIMIT:
        # Twilio dropped it from an overflowing queue before any carrier saw it: it waits for the
        # (now slower) sender's turn again instead of failing.
        message.state, message.provider_sid, message.claimed_at = TextState.QUEUED, None, None
        message.error_code, message.updated_at = error_code, now
        dispatch_pacing.slow_down_all(session)
        return True
    message.state, message.updated_at = status, now
    if error_code:
        message.error_code = error_code
        apply_error_code(session, message, error_code, now)
    return True
