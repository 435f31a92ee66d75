"""The dispatcher: finds due texts, applies consent, quiet hours and expiry, sends, records the result.

Never twice: a text is claimed (state `sending`, by a conditional UPDATE ... WHERE state = 'queued') and
committed before it is handed to the gateway, and is never claimed again. Only a window of texts (by
default two per send thread: one with the gateway, one claimed to follow at once) is `sending` at a time:
each transaction that records finished sends also claims as many more, while the threads go on sending
the ones claimed before. So a crash leaves at most that window in `sending`; `recover_interrupted` marks
them failed (we cannot know whether the provider got them) and counts them.
Paced (`pace`), claims also take tokens from the sender's bucket in the database (dispatch_pacing), so all
threads and processes together stay within the rate Twilio accepts; a rate error slows the bucket down
and puts the text back, unsent, in its place.
A clean stop (`stop()`) claims nothing more, so SIGTERM loses nothing. A failure after the request may
have reached the provider (a read timeout, an unexpected gateway error) is not retried either. On
PostgreSQL due rows are read with FOR UPDATE SKIP LOCKED, so several dispatchers can run at once; on
SQLite the conditional claim still prevents doubles, but run one scheduler process (one writer).
"""
import logging
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from core.clock import utcnow
from core.db import transaction
from core.models import Couple, OutboundMessage, Partner, TextState
from core.phones import mask_phone
from core.ports import SendError, SendReceipt, SmsGateway
from core.services import dispatch_pacing as pacing
from core.services.dispatch_pacing import Pace
from core.services.send_rules import (INTERRUPTED, MAYBE_SENT, THINKING_KINDS, apply_error_code, backoff,
                                      may_have_arrived, verdict)
from core.services.thinking_of_you import reword_if_late
from core.words.segments import segments

log = logging.getLogger(__name__)

# Finished sends are recorded (and the window refilled) when the whole window is done or after this long,
# so one slow send never holds up the others; a status callback still finds its sid within a second.
RECORD_EVERY = 0.05
GATE_AHEAD = 10  # seconds of sending gated at once when paced
RELEASED = object()  # outcome of a claimed text not handed over because the dispatcher is stopping
Claim = tuple[int, str, str]  # (message id, phone, body)
# On the table, not the entity: plain Core statements (compiled once, cached), no ORM bookkeeping per send.
_TEXTS = OutboundMessage.__table__
RECORD_SENT = update(_TEXTS).where(_TEXTS.c.id == bindparam("b_id")).values(provider_sid=bindparam("b_sid"))
# A claim takes only rows nobody else holds (SKIP LOCKED, in id order): two dispatchers whose lists of
# texts to claim overlap never wait for each other, so they cannot deadlock; a row skipped here stays
# queued for whoever holds it, or for the next pass. The state check is what makes it claimed once.
_CLAIMABLE = (select(_TEXTS.c.id).where(_TEXTS.c.id.in_(bindparam("b_ids", expanding=True)),
                                        _TEXTS.c.state == TextState.QUEUED)
              .order_by(_TEXTS.c.id).with_for_update(skip_locked=True))
CLAIM = (update(_TEXTS).where(_TEXTS.c.id.in_(_CLAIMABLE), _TEXTS.c.state == TextState.QUEUED)
         .values(state=TextState.SENDING, attempts=_TEXTS.c.attempts + 1).returning(_TEXTS.c.id))


@dataclass
class DispatchStats:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    released: int = 0
    throttled: int = 0  # refused by Twilio for rate: back in the queue, the sender slowed down
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed + self.released + self.throttled

    def add(self, other: "DispatchStats") -> None:
        """Fold another pass's counts into these."""
        for name in ("sent", "retried", "failed", "deferred", "skipped", "released", "throttled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


class Dispatcher:
    """Sends what is due through one gateway; safe to run in several processes on PostgreSQL."""

    def __init__(self, session_factory: sessionmaker[Session], gateway: SmsGateway, clock,
                 status_callback: str | None = None, batch: int = 200, concurrency: int = 4,
                 max_attempts: int = 6, lease: timedelta = timedelta(minutes=10), window: int | None = None,
                 pace: Pace | None = None, pace_clock=utcnow):
        self.session_factory, self.gateway, self.clock = session_factory, gateway, clock
        self.status_callback, self.batch, self.concurrency = status_callback, batch, concurrency
        self.max_attempts, self.lease = max_attempts, lease
        self.window = window or 2 * concurrency
        self.pace, self.pace_clock = pace, pace_clock  # the bucket runs on real time, shared by processes
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="sms-send") if concurrency > 1 else None
        self._stopping = threading.Event()
        self._deadline: float | None = None

    def run_once(self) -> DispatchStats:
        """Gate one batch of due texts and send the sendable ones, a window at a time; returns counts."""
        stats = DispatchStats()
        if not self._stopping.is_set():
            self._send_all(*self._gate_batch(stats), stats)
        return stats

    def run_until_idle(self, max_passes: int = 1000, budget_seconds: float | None = None) -> DispatchStats:
        """Repeat passes until nothing due is left, the time budget is spent, or stop() was called."""
        total, started = DispatchStats(), time.monotonic()
        self._deadline = None if budget_seconds is None else started + budget_seconds
        try:
            for _ in range(max_passes):
                stats = self.run_once()
                total.add(stats)
                idle = not (stats.claimed or stats.deferred or stats.skipped or stats.throttled)
                if idle or self._stopping.is_set() or self._out_of_time():
                    break
        finally:
            self._deadline = None
        return total

    def stop(self) -> None:
        """Claim nothing more; texts with the gateway finish, claimed ones not yet started go back to the queue."""
        self._stopping.set()

    def close(self) -> None:
        """Stop the send threads."""
        if self._pool:
            self._pool.shutdown(wait=True)

    def _out_of_time(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _gate_batch(self, stats: DispatchStats) -> tuple[list[Claim], list[Claim], float]:
        """In one transaction: gate up to a batch of due rows (deferring or dropping some), claim the first
        window of the sendable ones; returns (claimed, sendable but not yet claimed, seconds until a token).
        Most urgent first (priority), then by due time. When paced, a batch is what the sender can send in
        GATE_AHEAD seconds, so quiet hours and expiry are judged close to the moment of sending."""
        now = self.clock()
        due = (OutboundMessage.state == TextState.QUEUED, OutboundMessage.send_after <= now)
        limit = min(self.batch, max(self.window, self.pace.seconds_ahead(GATE_AHEAD))) if self.pace else self.batch
        with transaction(self.session_factory) as session:
            if session.scalar(select(OutboundMessage.id).where(*due).limit(1)) is None:
                return [], [], 0.0  # the idle tick: one indexed look, no lock taken
            bucket = pacing.lock(session, self.pace, self.pace_clock()) if self.pace else None
            rows = session.scalars(select(OutboundMessage).where(*due)
                                   .order_by(OutboundMessage.priority, OutboundMessage.send_after,
                                             OutboundMessage.id)
                                   .limit(limit).with_for_update(skip_locked=True)).all()
            loaded = _load_partners(session, rows)  # noqa: F841 (held: the session only keeps weak references)
            sendable = [(row.id, row.to_phone, row.body) for row in rows if self._gate(session, row, now, stats)]
            claimed, taken, delay = self._claim(session, bucket, sendable[:self.window], now)
            return claimed, sendable[taken:], delay

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

    def _send_all(self, claimed: list[Claim], waiting: list[Claim], delay: float, stats: DispatchStats) -> None:
        """Keep every send thread busy from the claimed texts; each record of finished sends claims more
        (while the next ones are already with the gateway), up to `window` claimed at once and as the
        sender's pace allows. Sleeps (within the budget) when only tokens are missing."""
        ready, waiting, pending, outcomes = deque(claimed), deque(waiting), set(), []
        not_before = recorded = time.monotonic() + delay
        while ready or pending or outcomes or (waiting and not (self._stopping.is_set() or self._out_of_time())):
            finished, pending = self._progress(ready, pending)
            outcomes += finished
            now = time.monotonic()
            room = max(0, min(len(waiting), self.window - len(pending) - len(ready)))
            if self._stopping.is_set() or self._out_of_time() or now < not_before:
                room = 0
            # To the database when the threads are about to run dry, or often enough that results (and
            # the sids status callbacks look for) are stored within RECORD_EVERY.
            due = not (pending and ready) or now - recorded >= RECORD_EVERY
            if (outcomes or room) and due:
                more, taken, delay = self._record(outcomes, [waiting[i] for i in range(room)], stats)
                outcomes, recorded = [], time.monotonic()
                for _ in range(taken):
                    waiting.popleft()
                ready.extend(more)
                not_before = recorded + delay
            elif not (ready or pending or outcomes) and waiting:  # only tokens are missing: wait for one
                self._stopping.wait(max(0.0, min(not_before - now, self._time_left())))

    def _time_left(self) -> float:
        return 3600.0 if self._deadline is None else self._deadline - time.monotonic()

    def _progress(self, ready: deque, pending: set) -> tuple[list, set]:
        """Hand ready texts to free threads; return the outcomes that finished (waiting at most
        RECORD_EVERY for the first) and the sends still running. Stopping releases the ready ones."""
        if self._stopping.is_set():
            released = [(claim[0], RELEASED) for claim in ready]
            ready.clear()
        else:
            released = []
        if not self._pool:
            outcomes = [self._send(claim) for claim in ready]
            ready.clear()
            return released + outcomes, set()
        self._start(ready, pending)
        if not pending:
            return released, pending
        done, pending = wait(pending, timeout=RECORD_EVERY, return_when=FIRST_COMPLETED)
        self._start(ready, pending)  # threads freed just now get work before we go to the database
        return released + [future.result() for future in done], pending

    def _start(self, ready: deque, pending: set) -> None:
        while ready and len(pending) < self.concurrency:
            pending.add(self._pool.submit(self._send, ready.popleft()))

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

    def _record(self, outcomes: list, more: list[Claim], stats: DispatchStats) -> tuple[list[Claim], int, float]:
        """In one short transaction: store the results of finished sends and claim `more` to follow (as
        far as the pace allows); returns (claimed, candidates used up, seconds until the next token)."""
        now = self.clock()
        state = TextState.SENT if self.gateway.delivers else TextState.OUTBOX
        sent = [{"b_id": mid, "b_sid": result.sid} for mid, result in outcomes if isinstance(result, SendReceipt)]
        errors = [(mid, result) for mid, result in outcomes if isinstance(result, SendError)]
        with transaction(self.session_factory) as session:
            # The bucket first, in every transaction that claims: one lock order for all dispatchers.
            needs_bucket = self.pace and (more or any(pacing.is_rate_error(e) for _, e in errors))
            bucket = pacing.lock(session, self.pace, self.pace_clock()) if needs_bucket else None
            if sent:
                session.execute(RECORD_SENT.values(state=state, sent_at=now, updated_at=now), sent)  # executemany
            for mid, result in outcomes:
                if result is RELEASED:
                    _release(session.get(OutboundMessage, mid), now, stats)
            for mid, error in errors:
                self._record_error(session, session.get(OutboundMessage, mid), error, now, stats, bucket)
            claimed = self._claim(session, bucket, more, now)
        stats.sent += len(sent)
        return claimed

    def _claim(self, session: Session, bucket, candidates: list[Claim], now: datetime):
        """Take tokens for a prefix of the candidates and claim those still queued (tokens of the others go
        back); returns (claimed, candidates used up, seconds until the next token)."""
        if bucket is None:
            return _claim(session, candidates, now), len(candidates), 0.0
        costs = [segments(body or "") for _, _, body in candidates]
        taken = pacing.take(bucket, self.pace, costs)
        claimed = _claim(session, candidates[:taken], now)
        got = {claim[0] for claim in claimed}
        pacing.give_back(bucket, [cost for claim, cost in zip(candidates[:taken], costs) if claim[0] not in got])
        next_cost = costs[taken] if taken < len(costs) else 1
        return claimed, taken, pacing.wait_seconds(bucket, self.pace, next_cost, self.pace_clock())

    def _record_error(self, session, message: OutboundMessage, error: SendError, now, stats, bucket) -> None:
        """A rate error slows the sender and puts the text back as it was (it was not sent); other errors
        are retried later with backoff when that is safe and useful; otherwise the text is marked failed."""
        message.error_code, message.updated_at = error.code, now
        maybe_sent = may_have_arrived(error)
        if pacing.is_rate_error(error) and not maybe_sent:
            message.state, message.claimed_at, message.attempts = TextState.QUEUED, None, message.attempts - 1
            if bucket is not None:
                pacing.slow_down(bucket, self.pace, self.pace_clock())
            else:  # unpaced: at least do not ask again at once
                message.send_after = max(message.send_after, now + pacing.PAUSE)
            stats.throttled += 1
            return
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
    claimed = set(session.scalars(CLAIM.values(claimed_at=now, updated_at=now),
                                  {"b_ids": [c[0] for c in candidates]}))
    return [claim for claim in candidates if claim[0] in claimed]


def _spent(started: float, budget_seconds: float | None) -> bool:
    return budget_seconds is not None and time.monotonic() - started >= budget_seconds


def _load_partners(session: Session, rows: list[OutboundMessage]) -> list[Couple]:
    """Load the batch's couples with all their partners (the gate asks whether the couple is the reviewer's)
    in two queries, so gating a row costs no round trip and each partner is read (and its number decrypted)
    once. Names are not read: the gate never needs them."""
    ids = {row.partner_id for row in rows if row.partner_id}
    if not ids:
        return []
    of_batch = select(Partner.couple_id).where(Partner.id.in_(ids))
    return list(session.scalars(select(Couple).where(Couple.id.in_(of_batch))
                                .options(selectinload(Couple.partners).defer(Partner.display_name))))


def _release(message: OutboundMessage, now: datetime, stats: DispatchStats) -> None:
    """Put a claimed text back in the queue: it never reached the gateway."""
    message.state, message.claimed_at, message.updated_at = TextState.QUEUED, None, now
    message.attempts -= 1
    stats.released += 1
