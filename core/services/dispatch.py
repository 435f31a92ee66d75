"""The dispatcher: finds due texts, applies consent, quiet hours and expiry, sends, records the result.

Never twice: a text is claimed (state `sending`, by a conditional UPDATE ... WHERE state = 'queued') and
committed before it is handed to the gateway, and is never claimed again. Only a window of texts (by
default three per send thread: one with the gateway, two claimed to follow) is `sending` at a time:
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
import queue
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from core.clock import utcnow
from core.db import transaction
from core.models import OutboundMessage, TextState
from core.phones import mask_phone
from core.ports import SendError, SendReceipt, SmsGateway
from core.services import dispatch_pacing as pacing
from core.services import dispatch_rows as rows
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


class _Raised:
    """A send thread's outcome that is not a result: the BaseException (a crash) to raise in the dispatcher."""

    def __init__(self, error: BaseException):
        self.error = error


class _Unit:
    """One transaction on the pass's kept connection: Core statements on `connection`, and an ORM session
    on the same connection and transaction (`session`), made only when a rarer path asks for one."""

    def __init__(self, connection: Connection):
        self.connection, self._session = connection, None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(bind=self.connection, join_transaction_mode="rollback_only",
                                    expire_on_commit=False)
        return self._session


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
        # Three per thread: while a record transaction is on its way (about 5 ms on PostgreSQL), the texts
        # claimed to follow keep every thread busy; with two per thread they ran dry during each one.
        self.window = window or 3 * concurrency
        self.pace, self.pace_clock = pace, pace_clock  # the bucket runs on real time, shared by processes
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="sms-send") if concurrency > 1 else None
        self._stopping = threading.Event()
        self._deadline: float | None = None
        with session_factory() as session:  # the engine; a pass keeps one of its connections
            self._engine = session.get_bind()
        self._connection: Connection | None = None
        self._done: queue.SimpleQueue = queue.SimpleQueue()  # outcomes from the send threads, this pass

    def run_once(self) -> DispatchStats:
        """Gate one batch of due texts and send the sendable ones, a window at a time; returns counts. The
        pass keeps one connection for all its transactions (checked out, and pinged, once)."""
        stats = DispatchStats()
        if not self._stopping.is_set():
            with self._engine.connect() as connection:
                self._connection, self._done = connection, queue.SimpleQueue()
                try:
                    self._send_all(*self._gate_batch(stats), stats)
                finally:
                    self._connection = None
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

    @contextmanager
    def _unit(self, pipelined: bool = False):
        """One transaction on the pass's connection (BEGIN IMMEDIATE at the write gate on SQLite, as every
        transaction of the app): commit on success, roll back on any error. `pipelined`: on PostgreSQL its
        statements go in psycopg's pipeline mode (for Core statements only; see dispatch_rows.pipeline)."""
        connection = self._connection
        with rows.pipeline(connection) if pipelined else nullcontext(), connection.begin():
            unit = _Unit(connection)
            try:
                yield unit
                if unit._session is not None:
                    unit._session.flush()
            finally:
                if unit._session is not None:
                    unit._session.close()

    def _gate_batch(self, stats: DispatchStats) -> tuple[list[Claim], list[Claim], float]:
        """In one transaction: gate up to a batch of due rows (deferring or dropping some), claim the first
        window of the sendable ones; returns (claimed, sendable but not yet claimed, seconds until a token).
        Most urgent first (priority), then by due time. When paced, a batch is what the sender can send in
        GATE_AHEAD seconds, so quiet hours and expiry are judged close to the moment of sending."""
        now = self.clock()
        limit = min(self.batch, max(self.window, self.pace.seconds_ahead(GATE_AHEAD))) if self.pace else self.batch
        with self._unit() as unit:
            if not rows.any_due(unit.connection, now):
                return [], [], 0.0  # the idle tick: one indexed look, no lock taken
            bucket = pacing.lock(unit.session, self.pace, self.pace_clock()) if self.pace else None
            deferred, dropped, sendable = [], [], []
            for text, partner in rows.due_texts(unit.connection, now, limit):
                decision = verdict(partner, text, now)
                if decision == "send":
                    sendable.append((text.id, text.to_phone, self._reworded(unit, text, now)))
                elif decision == "defer":
                    deferred.append({"b_id": text.id, "b_until": partner.quiet_hours_end(now), "b_now": now})
                else:
                    dropped.append({"b_id": text.id, "b_state": decision, "b_now": now})
                    log.info("text %s %s (%s)", text.id, decision, text.kind)
            if deferred:
                unit.connection.execute(rows.DEFER, deferred)
            if dropped:
                unit.connection.execute(rows.DROP, dropped)
            stats.deferred += len(deferred)
            stats.skipped += len(dropped)
            claimed, taken, delay = self._claim(unit, bucket, sendable[:self.window], now)
            return claimed, sendable[taken:], delay

    @staticmethod
    def _reworded(unit: _Unit, text: rows.DueText, now: datetime) -> str:
        """The body to send: a thinking text that waited says when it was written (thinking_of_you)."""
        if text.kind not in THINKING_KINDS:
            return text.body
        message = unit.session.get(OutboundMessage, text.id)
        reword_if_late(unit.session, message, now)  # "right now" only when it is
        return message.body

    def _send_all(self, claimed: list[Claim], waiting: list[Claim], delay: float, stats: DispatchStats) -> None:
        """Keep every send thread busy from the claimed texts, all handed to the pool at once (a thread that
        finishes takes the next without waiting for this one); each record of finished sends claims more
        while the threads go on, up to `window` claimed at once and as the sender's pace allows. Sleeps
        (within the budget) when only tokens are missing."""
        waiting, outcomes, done = deque(waiting), [], self._done
        in_flight = self._hand_over(claimed, outcomes)
        # To the database once as many have finished as there are threads (each record claims as many to
        # follow, while the texts still queued in the pool keep the threads busy); with a window no larger
        # than the threads, at every finished send.
        low = self.window - max(1, min(self.concurrency, self.window - self.concurrency))
        not_before = recorded = time.monotonic() + delay
        while True:
            stopping = self._stopping.is_set() or self._out_of_time()
            if not (in_flight or outcomes or (waiting and not stopping)):
                return
            now = time.monotonic()
            can_claim = bool(waiting) and not stopping and now >= not_before
            if in_flight and not (can_claim and in_flight <= low):
                wait_for = RECORD_EVERY if not outcomes else max(0.0, recorded + RECORD_EVERY - now)
                try:
                    outcomes.append(done.get(timeout=wait_for))
                    in_flight -= 1
                except queue.Empty:
                    pass
            while in_flight:
                try:
                    outcomes.append(done.get_nowait())
                except queue.Empty:
                    break
                in_flight -= 1
            for outcome in outcomes:
                if isinstance(outcome, _Raised):
                    raise outcome.error
            now = time.monotonic()
            stopping = self._stopping.is_set() or self._out_of_time()
            room = min(len(waiting), self.window - in_flight) if waiting and not stopping and now >= not_before else 0
            # To the database when the threads are about to run dry, or often enough that results (and
            # the sids status callbacks look for) are stored within RECORD_EVERY.
            if (outcomes or room) and (in_flight <= low or now - recorded >= RECORD_EVERY):
                more, taken, delay = self._record(outcomes, [waiting[i] for i in range(room)], stats)
                outcomes, recorded = [], time.monotonic()
                for _ in range(taken):
                    waiting.popleft()
                in_flight += self._hand_over(more, outcomes)
                not_before = recorded + delay
            elif not (in_flight or outcomes) and waiting and not stopping:  # only tokens are missing
                self._stopping.wait(max(0.0, min(not_before - now, self._time_left())))

    def _time_left(self) -> float:
        return 3600.0 if self._deadline is None else self._deadline - time.monotonic()

    def _hand_over(self, claims: list[Claim], outcomes: list) -> int:
        """Give claimed texts to the send threads (the pool queues those beyond its threads); returns how
        many are now in flight. Without a pool they are sent here, one after another."""
        if not self._pool:
            outcomes += [self._send(claim) for claim in claims]
            return 0
        for claim in claims:
            self._pool.submit(self._send_into, claim, self._done)
        return len(claims)

    def _send_into(self, claim: Claim, done: queue.SimpleQueue) -> None:
        """In a send thread: send, and hand the outcome (or a crash, to re-raise) back to the dispatcher."""
        try:
            outcome = self._send(claim)
        except BaseException as error:  # noqa: B902 (a crash is raised again in the dispatcher's thread)
            outcome = _Raised(error)
        done.put(outcome)

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
        state = str(TextState.SENT if self.gateway.delivers else TextState.OUTBOX)  # the string the column holds
        sent = [{"b_id": mid, "b_sid": result.sid, "b_state": state, "b_now": now}
                for mid, result in outcomes if isinstance(result, SendReceipt)]
        errors = [(mid, result) for mid, result in outcomes if isinstance(result, SendError)]
        if len(sent) == len(outcomes) and not self.pace:  # the common case: Core statements only
            with self._unit(pipelined=True) as unit:
                rows.record_sent(unit.connection, sent)  # executemany
                answer = rows.claim_then(unit.connection, [c[0] for c in more], now)
            got = answer()  # (after the COMMIT: in a pipeline, the claim's rows arrive with it)
            stats.sent += len(sent)
            return [claim for claim in more if claim[0] in got], len(more), 0.0
        with self._unit() as unit:
            # The bucket first, in every transaction that claims: one lock order for all dispatchers.
            needs_bucket = self.pace and (more or any(pacing.is_rate_error(e) for _, e in errors))
            bucket = pacing.lock(unit.session, self.pace, self.pace_clock()) if needs_bucket else None
            rows.record_sent(unit.connection, sent)  # executemany
            for mid, result in outcomes:
                if result is RELEASED:
                    _release(unit.session.get(OutboundMessage, mid), now, stats)
            for mid, error in errors:
                self._record_error(unit.session, unit.session.get(OutboundMessage, mid), error, now, stats, bucket)
            claimed = self._claim(unit, bucket, more, now)
        stats.sent += len(sent)
        return claimed

    def _claim(self, unit: _Unit, bucket, candidates: list[Claim], now: datetime):
        """Take tokens for a prefix of the candidates and claim those still queued (tokens of the others go
        back); returns (claimed, candidates used up, seconds until the next token)."""
        if bucket is None:
            return _claim(unit, candidates, now), len(candidates), 0.0
        costs = [segments(body or "") for _, _, body in candidates]
        taken = pacing.take(bucket, self.pace, costs)
        claimed = _claim(unit, candidates[:taken], now)
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


def _claim(unit: _Unit, candidates: list[Claim], now: datetime) -> list[Claim]:
    """Mark the candidates `sending` if still queued; the state check means a text another dispatcher (or
    an opt-out) got to first is left alone. Returns the candidates this call claimed. The session's own
    changes (a released or failed text, the bucket) go first, so the claim sees them."""
    if not candidates:
        return []
    if unit._session is not None:
        unit._session.flush()
    claimed = rows.claim(unit.connection, [c[0] for c in candidates], now)
    return [claim for claim in candidates if claim[0] in claimed]


def _spent(started: float, budget_seconds: float | None) -> bool:
    return budget_seconds is not None and time.monotonic() - started >= budget_seconds


def _release(message: OutboundMessage, now: datetime, stats: DispatchStats) -> None:
    """Put a claimed text back in the queue: it never reached the gateway."""
    message.state, message.claimed_at, message.updated_at = TextState.QUEUED, None, now
    message.attempts -= 1
    stats.released += 1
