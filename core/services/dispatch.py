"""The dispatcher: claims due texts, applies consent, quiet hours and expiry, sends, records the result.

Exactly-once design: a text is claimed (state `sending`) in one short transaction before it is handed to
the gateway, and never claimed again; a crash between claim and record can lose at most the texts in
flight (at most `concurrency`), it can never send one twice. On PostgreSQL claims use
FOR UPDATE SKIP LOCKED, so several dispatchers can run at once.
"""
import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core import timezones
from core.db import transaction
from core.models import OutboundMessage, Partner
from core.phones import mask_phone
from core.ports import SendError, SmsGateway
from core.services import outbox
from core.services.couples import opt_out
from core.errors import NotAllowed

log = logging.getLogger(__name__)

PAUSABLE = {"daily_question", "nudge_offer", "thinking_auto", "weekly_summary", "promise_followup"}
OPTED_OUT = 21610
UNREACHABLE = {21211, 21614, 21612, 21408}
STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "outbox": 2, "delivered": 3, "undelivered": 3, "failed": 3}
INTERRUPTED = -1


@dataclass
class DispatchStats:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed


class Dispatcher:
    """Sends what is due through one gateway; safe to run in several processes on PostgreSQL."""

    def __init__(self, session_factory: sessionmaker[Session], gateway: SmsGateway, clock,
                 status_callback: str | None = None, batch: int = 200, concurrency: int = 4,
                 max_attempts: int = 6, lease: timedelta = timedelta(minutes=10)):
        self.session_factory, self.gateway, self.clock = session_factory, gateway, clock
        self.status_callback, self.batch, self.concurrency = status_callback, batch, concurrency
        self.max_attempts, self.lease = max_attempts, lease
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="sms-send") if concurrency > 1 else None

    def run_once(self) -> DispatchStats:
        """Claim one batch of due texts and send them; returns counts."""
        stats = DispatchStats()
        claimed = self._claim(stats)
        sends = self._pool.map(self._send, claimed) if self._pool else map(self._send, claimed)
        for message_id, outcome in sends:
            self._record(message_id, outcome, stats)
        return stats

    def run_until_idle(self, max_passes: int = 1000) -> DispatchStats:
        """Repeat passes until nothing due is left (catch-up after downtime, tests, the console)."""
        total = DispatchStats()
        for _ in range(max_passes):
            stats = self.run_once()
            for name in ("sent", "retried", "failed", "deferred", "skipped"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            if not (stats.claimed or stats.deferred or stats.skipped):
                break
        return total

    def close(self) -> None:
        """Stop the send threads."""
        if self._pool:
            self._pool.shutdown(wait=True)

    def _claim(self, stats: DispatchStats) -> list[tuple[int, str, str]]:
        """In one transaction: gate each due row, mark the sendable ones `sending`."""
        now = self.clock()
        with transaction(self.session_factory) as session:
            rows = session.scalars(select(OutboundMessage)
                                   .where(OutboundMessage.state == "queued", OutboundMessage.send_after <= now)
                                   .order_by(OutboundMessage.send_after, OutboundMessage.id)
                                   .limit(self.batch).with_for_update(skip_locked=True)).all()
            return [claim for row in rows if (claim := self._gate(session, row, now, stats))]

    def _gate(self, session: Session, message: OutboundMessage, now: datetime, stats: DispatchStats):
        """Decide for one due text: send now, defer, or drop (with the reason kept on the row)."""
        partner = session.get(Partner, message.partner_id) if message.partner_id else None
        verdict = _verdict(partner, message, now)
        if verdict == "send":
            message.state, message.claimed_at, message.updated_at = "sending", now, now
            message.attempts += 1
            return message.id, message.to_phone, message.body
        if verdict == "defer":
            couple = partner.couple
            message.send_after = timezones.quiet_hours_end(now, couple.timezone, couple.quiet_start, couple.quiet_end)
            stats.deferred += 1
        else:
            message.state, message.updated_at = verdict, now
            log.info("text %s %s (%s)", message.id, verdict, message.kind)
            stats.skipped += 1
        return None

    def _send(self, claim: tuple[int, str, str]):
        """Hand one text to the gateway; returns (id, receipt or SendError). Runs outside any transaction."""
        message_id, phone, body = claim
        try:
            return message_id, self.gateway.send(phone, body, status_callback=self.status_callback)
        except SendError as error:
            return message_id, error
        except Exception as error:  # a gateway bug must not leave the row in `sending` forever
            log.exception("gateway crashed sending text %s", message_id)
            return message_id, SendError(f"gateway error: {type(error).__name__}", retryable=True)

    def _record(self, message_id: int, outcome, stats: DispatchStats) -> None:
        """Store the result of one send in its own short transaction."""
        now = self.clock()
        with transaction(self.session_factory) as session:
            message = session.get(OutboundMessage, message_id)
            if isinstance(outcome, SendError):
                self._record_error(session, message, outcome, now, stats)
                return
            message.provider_sid, message.sent_at, message.updated_at = outcome.sid, now, now
            message.state = "sent" if self.gateway.delivers else "outbox"
            stats.sent += 1

    def _record_error(self, session, message: OutboundMessage, error: SendError, now, stats) -> None:
        message.error_code, message.updated_at = error.code, now
        if error.retryable and message.attempts < self.max_attempts:
            message.state, message.send_after = "queued", now + backoff(message.attempts)
            stats.retried += 1
            return
        message.state = "failed"
        stats.failed += 1
        stats.errors.append(f"{message.id}:{error.code}")
        log.warning("text %s to %s failed: code %s", message.id, mask_phone(message.to_phone), error.code)
        partner = session.get(Partner, message.partner_id) if message.partner_id else None
        if partner is not None and error.code == OPTED_OUT:
            opt_out(session, partner, now)
        elif partner is not None and error.code in UNREACHABLE:
            partner.phone_invalid = True

    def recover_interrupted(self) -> int:
        """Texts left `sending` by a crashed dispatcher: we cannot know if Twilio got them, and sending
        twice is worse than once too few, so they are marked failed (code -1) and counted."""
        now = self.clock()
        with transaction(self.session_factory) as session:
            result = session.execute(update(OutboundMessage).where(
                OutboundMessage.state == "sending", OutboundMessage.claimed_at < now - self.lease)
                .values(state="failed", error_code=INTERRUPTED, updated_at=now))
            return result.rowcount or 0


def _verdict(partner: Partner | None, message: OutboundMessage, now: datetime) -> str:
    """send | defer | expired | blocked | cancelled."""
    if message.expires_at is not None and message.expires_at <= now:
        return "expired"
    if partner is None or partner.phone != message.to_phone:
        return "blocked"
    try:
        outbox.check_can_text(partner, message.kind)
    except NotAllowed:
        return "blocked"
    couple = partner.couple
    if couple.paused and message.kind in PAUSABLE:
        return "cancelled"
    if message.respect_quiet and timezones.in_quiet_hours(now, couple.timezone, couple.quiet_start,
                                                           couple.quiet_end):
        return "defer"
    return "send"


def backoff(attempt: int, base: float = 30.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with jitter: about 30 s, 1 min, 2 min... at most an hour."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))


def update_status(session: Session, sid: str, status: str, error_code: int | None, now: datetime) -> bool:
    """Apply a Twilio status callback; states only move forward (a late `sent` never undoes `delivered`)."""
    message = session.scalar(select(OutboundMessage).where(OutboundMessage.provider_sid == sid))
    if message is None or status not in STATUS_RANK:
        return False
    if STATUS_RANK[status] <= STATUS_RANK.get(message.state, 0):
        return False
    message.state, message.updated_at = status, now
    if error_code:
        message.error_code = error_code
        partner = session.get(Partner, message.partner_id) if message.partner_id else None
        if partner is not None and error_code == OPTED_OUT:
            opt_out(session, partner, now)
        elif partner is not None and error_code in UNREACHABLE:
            partner.phone_invalid = True
    return True
