"""The dispatcher: finds due texts, applies consent, quiet hours and expiry, sends, records the result.

Never twice: a text is claimed (state `sending`, by a conditional UPDATE ... WHERE state = 'queued') and
committed before it is handed to the gateway, and is never claimed again. Only a window of texts (by
default one per send thread) is `sending` at a time: each transaction that records finished sends also
claims as many more. So a crash leaves at most that window in `sending`, the texts really in doubt;
`recover_interrupted` marks them failed (we cannot know whether the provider got them) and counts them.
A clean stop (`stop()`) claims nothing more, so SIGTERM loses nothing. A failure after the request may
have reached the provider (a read timeout, an unexpected gateway error) is not retried either. On
PostgreSQL due rows are read with FOR UPDATE SKIP LOCKED, so several dispatchers can run at once; on
SQLite the conditional claim still prevents doubles, but run one scheduler process (one writer).
"""
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from core.db import transaction
from core.models import OutboundMessage, Partner, TextState
from core.phones import mask_phone
from core.ports import SendError, SendReceipt, SmsGateway
from core.services.send_rules import (INTERRUPTED, MAYBE_SENT, THINKING_KINDS, apply_error_code, backoff,
                                      may_have_arrived, verdict)
from core.services.thinking_of_you import reword_if_late

log = logging.getLogger(__name__)

# Finished sends are recorded (and the window refilled) when the whole window is done or after this long,
# so one slow send never holds up the others; a status callback still finds its sid within a second.
RECORD_EVERY = 0.05
RELEASED = object()  # outcome of a claimed text not handed over because the dispatcher is stopping
Claim = tuple[int, str, str]  # (message id, phone, body)


@dataclass
class DispatchStats:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed + self.released

    def add(self, other: "DispatchStats") -> None:
        """Fold another pass's counts into these."""
        for name in ("sent", "retried", "failed", "deferred", "skipped", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


class Dispatcher:
    """Sends what is due through one gateway; safe to run in several processes on PostgreSQL."""

    def __init__(self, session_factory: sessionmaker[Session], gateway: SmsGateway, clock,
                 status_callback: str | None = None, batch: int = 200, concurrency: int = 4,
                 max_attempts: int = 6, lease: timedelta = timedelta(minutes=10), window: int | None = None):
        self.session_factory, self.gateway, self.clock = session_factory, gateway, clock
        self.status_callback, self.batch, self.concurrency = status_callback, batch, concurrency
        self.max_attempts, self.lease, self.window = max_attempts, lease, window or concurrency
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="sms-send") if concurrency > 1 else None
        self._stopping = threading.Event()

    def run_once(self) -> DispatchStats:
        """Gate one batch of due texts and send the sendable ones, a window at a time; returns counts."""
        stats = DispatchStats()
        if not self._stopping.is_set():
            self._send_all(*self._gate_batch(stats), stats)
        return stats

    def run_until_idle(self, max_passes: int = 1000, budget_seconds: float | None = None) -> DispatchStats:
        """Repeat passes until nothing due is left, the time budget is spent, or stop() was called."""
        total, started = DispatchStats(), time.monotonic()
        for _ in range(max_passes):
            stats = self.run_once()
            total.add(stats)
            idle = not (stats.claimed or stats.deferred or stats.skipped)
            if idle or self._stopping.is_set() or _spent(started, budget_seconds):
                break
        return total

    def stop(self) -> None:
        """Claim nothing more; texts with the gateway finish, claimed ones not yet started go back to the queue."""
        self._stopping.set()

    def close(self) -> None:
        """Stop the send threads."""
        if self._pool:
            self._pool.shutdown(wait=True)

    def _gate_batch(self, stats: DispatchStats) -> tuple[list[Claim], list[Claim]]:
        """In one transaction: gate up to `batch` due rows (deferring or dropping some), claim the first
        window of the sendable ones; returns (claimed, sendable but not yet claimed)."""
        now = self.clock()
        with transaction(self.session_factory) as session:
            rows = session.scalars(select(OutboundMessage)
                                   .where(OutboundMessage.state == TextState.QUEUED, OutboundMessage.send_after <= now)
                                   .order_by(OutboundMessage.send_after, OutboundMessage.id)
                                   .limit(self.batch).with_for_update(skip_locked=True)).all()
            partners = _load_partners(session, rows)  # noqa: F841 (held: the session only keeps weak references)
            sendable = [(row.id, row.to_phone, row.body) for row in rows if self._gate(session, row, now, stats)]
            return _claim(session, sendable[:self.window], now), sendable[self.window:]

    def _gate(self, session: Session, message: OutboundMessage, now: datetime, stats: DispatchStats) -> bool:
        """Decide for one due text: True to send now; else defer or drop it (with the reason on the row)."""
        partner = session.get(Partner, message.partner_id) if message.partner_id else None
        decision = verdict(partner, message, now)
        if decision == "defer":
            message.send_after = partner.quiet_hours_end(now)
            message.updated_at = now
            stats.deferred += 1
        elif decision != "send":
            message.state, message.updated_at = decision, now
            log.info("text %s %s (%s)", message.id, decision, message.kind)
            stats.skipped += 1
        elif message.kind in THINKING_KINDS:
            reword_if_late(session, message, now)  # "right now" only when it is
        return decision == "send"

    def _send_all(self, claimed: list[Claim], waiting: list[Claim], stats: DispatchStats) -> None:
        """Send the claimed window; each record of finished sends claims as many of `waiting` to follow."""
        waiting, pending = deque(waiting), set()
        while claimed or pending:
            outcomes, pending = self._finish_some(claimed, pending)
            refill = 0 if self._stopping.is_set() else min(len(outcomes), len(waiting))
            claimed = self._record(outcomes, [waiting.popleft() for _ in range(refill)], stats) if outcomes else []

    def _finish_some(self, claimed: list[Claim], pending: set) -> tuple[list, set]:
        """Start the newly claimed sends; return the outcomes that finished within RECORD_EVERY, and the rest."""
        if not self._pool:
            return [self._send(claim) for claim in claimed], set()
        pending = pending | {self._pool.submit(self._send, claim) for claim in claimed}
        done, pending = wait(pending, timeout=RECORD_EVERY)
        return [future.result() for future in done], pending

    def _send(self, claim: Claim):
        """Hand one text to the gateway; returns (id, receipt, SendError or RELEASED). No transaction here."""
        message_id, phone, body = claim
        if self._stopping.is_set():
            return message_id, RELEASED
        try:
            return message_id, self.gateway.send(phone, body, status_callback=self.status_callback)
        except SendError as error:
            return message_id, error
        except Exception as error:  # a gateway bug must not leave the row in `sending` forever
            log.exception("gateway crashed sending text %s", message_id)
            return message_id, SendError(f"gateway error: {type(error).__name__}", ambiguous=True)

    def _record(self, outcomes: list, more: list[Claim], stats: DispatchStats) -> list[Claim]:
        """In one short transaction: store the results of finished sends and claim `more` to follow."""
        now = self.clock()
        state = TextState.SENT if self.gateway.delivers else TextState.OUTBOX
        sent = [{"id": mid, "state": state, "provider_sid": result.sid, "sent_at": now, "updated_at": now}
                for mid, result in outcomes if isinstance(result, SendReceipt)]
        with transaction(self.session_factory) as session:
            if sent:
                session.execute(update(OutboundMessage), sent)  # one executemany by primary key
            for mid, result in outcomes:
                if result is RELEASED:
                    _release(session.get(OutboundMessage, mid), now, stats)
                elif isinstance(result, SendError):
                    self._record_error(session, session.get(OutboundMessage, mid), result, now, stats)
            claimed = _claim(session, more, now)
        stats.sent += len(sent)
        return claimed

    def _record_error(self, session, message: OutboundMessage, error: SendError, now, stats) -> None:
        """Retry later with backoff when that is safe and useful; otherwise mark the text failed."""
        message.error_code, message.updated_at = error.code, now
        maybe_sent = may_have_arrived(error)
        if error.retryable and not maybe_sent and message.attempts < self.max_attempts:
            message.state, message.send_after = TextState.QUEUED, now + backoff(message.attempts)
            stats.retried += 1
            return
        message.state = TextState.FAILED
        if maybe_sent:
            message.error_code = MAYBE_SENT
        stats.failed += 1
        stats.errors.append(f"{message.id}:{message.error_code}")
        log.warning("text %s to %s failed: code %s", message.id, mask_phone(message.to_phone), message.error_code)
        apply_error_code(session, message, error.code, now)

    def recover_interrupted(self) -> int:
        """Texts left `sending` by a crashed dispatcher: we cannot know if Twilio got them, and sending
        twice is worse than once too few, so they are marked failed (code -1) and counted. Only claims
        older than the lease are touched, so a live dispatcher's texts in flight are left alone."""
        now = self.clock()
        with transaction(self.session_factory) as session:
            result = session.execute(update(OutboundMessage).where(
                OutboundMessage.state == TextState.SENDING, OutboundMessage.claimed_at < now - self.lease)
                .values(state=TextState.FAILED, error_code=INTERRUPTED, updated_at=now))
            count = result.rowcount or 0
        if count:
            log.warning("%d texts were interrupted mid-send; marked failed, not sent again", count)
        return count


def _claim(session: Session, candidates: list[Claim], now: datetime) -> list[Claim]:
    """Mark the candidates `sending` if still queued; the state check means a text another dispatcher (or
    an opt-out) got to first is left alone. Returns the candidates this call claimed."""
    if not candidates:
        return []
    claimed = set(session.scalars(
        update(OutboundMessage).where(OutboundMessage.id.in_([c[0] for c in candidates]),
                                      OutboundMessage.state == TextState.QUEUED)
        .values(state=TextState.SENDING, claimed_at=now, updated_at=now, attempts=OutboundMessage.attempts + 1)
        .returning(OutboundMessage.id), execution_options={"synchronize_session": False}))
    return [claim for claim in candidates if claim[0] in claimed]


def _spent(started: float, budget_seconds: float | None) -> bool:
    return budget_seconds is not None and time.monotonic() - started >= budget_seconds


def _load_partners(session: Session, rows: list[OutboundMessage]) -> list[Partner]:
    """Load the batch's partners and couples in one query, so gating a row costs no round trip."""
    ids = {row.partner_id for row in rows if row.partner_id}
    if not ids:
        return []
    return list(session.scalars(select(Partner).where(Partner.id.in_(ids)).options(joinedload(Partner.couple))))


def _release(message: OutboundMessage, now: datetime, stats: DispatchStats) -> None:
    """Put a claimed text back in the queue: it never reached the gateway."""
    message.state, message.claimed_at, message.updated_at = TextState.QUEUED, None, now
    message.attempts -= 1
    stats.released += 1
