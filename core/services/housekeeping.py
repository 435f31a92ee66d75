"""Housekeeping: forget what is no longer needed (old message bodies; expired codes are linking's)."""
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import FINISHED_TEXT_STATES, OutboundMessage

#: States a text never leaves (apart from a late delivery report): its words are no longer needed.
FINISHED = sorted(FINISHED_TEXT_STATES)


def redact_old_bodies(session: Session, now: datetime, retention_days: int, limit: int = 1000) -> int:
    """Blank the words of up to `limit` finished texts older than the retention period; the row (key,
    state) stays, so idempotency still holds. Batches keep each statement and its locks short."""
    cutoff = now - timedelta(days=retention_days)
    batch = (select(OutboundMessage.id).where(OutboundMessage.state.in_(FINISHED),
                                              OutboundMessage.created_at < cutoff,
                                              OutboundMessage.body.is_not(None))
             .limit(limit).scalar_subquery())
    result = session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(batch)).values(body=None),
                             execution_options={"synchronize_session": False})
    return result.rowcount or 0
