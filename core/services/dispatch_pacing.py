"""Pacing: the sending rate Twilio accepts, kept as a token bucket per sender in the database, so every
send thread and every scheduler process draws on the same budget.

A text is claimed only with tokens (one per SMS segment, since Twilio meters segments), taken in the
claim's own transaction under the bucket row's lock; the bucket refills at the set rate up to `burst`.
Over any stretch of T seconds a sender therefore gets at most burst + rate * T segments, however many
dispatchers share it. A rate error from Twilio (HTTP 429, codes 20429 and 30001) empties the bucket,
pauses it briefly and halves its rate (once per overshoot); the rate doubles back after each quiet ten
seconds.

Default rates (messages per second per sender, US): a long code 1 (Twilio, error 30001: "a US long code
number can send one message segment per second"), a toll-free number 3 (AWS End User Messaging MPS
limits, matching Twilio's default), a short code 100 (both sources), a Messaging Service 1 per sender in
its pool, so set SMS_RATE_PER_SECOND to the pool's sum (Twilio spreads a service's load over its senders).
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import SendPace
from core.ports import SendError

SENDER_RATES = {"long_code": 1.0, "toll_free": 3.0, "short_code": 100.0, "messaging_service": 1.0}
RATE_ERROR_CODES = frozenset({20429, 30001})
PAUSE = timedelta(seconds=2)  # no tokens at all for this long after a rate error
RECOVER_EVERY = timedelta(seconds=10)  # the rate doubles back after each such stretch without one
SLOWEST = 1 / 16  # the share of the set rate a sender is never slowed below


@dataclass(frozen=True)
class Pace:
    """One sender's budget: `rate` segments per second, at most `burst` at once."""

    sender: str
    rate: float
    burst: float
    pause: timedelta = PAUSE  # no tokens for this long after a rate error

    @classmethod
    def for_sender(cls, sender: str, kind: str = "long_code", rate: float | None = None) -> "Pace":
        """The pace of `sender`: `rate` if given, else the default for its kind. The burst is a fifth of a
        second's worth (at least one text): small, so the jitter between claiming a text and Twilio
        receiving it stays within what Twilio itself lets through."""
        per_second = rate or SENDER_RATES[kind]
        return cls(sender, per_second, max(1.0, per_second / 5))

    def seconds_ahead(self, seconds: float) -> int:
        """How many texts this pace sends in `seconds` (at least one)."""
        return max(1, math.ceil(self.rate * seconds))


def pace_from_settings(settings) -> Pace:
    """The scheduler's pace: its Twilio sender at SMS_RATE_PER_SECOND, or the default for SMS_SENDER_KIND."""
    sender = settings.twilio_messaging_service_sid or settings.twilio_from_number or "outbox"
    return Pace.for_sender(sender, settings.sms_sender_kind, settings.sms_rate_per_second or None)


def is_rate_error(error: SendError) -> bool:
    """Twilio said "too fast" (nothing was sent): the text waits for the bucket instead of failing."""
    return error.http_status == 429 or error.code in RATE_ERROR_CODES


def lock(session: Session, pace: Pace, now: datetime) -> SendPace:
    """The sender's bucket, locked for this transaction (created full the first time) and refilled to `now`."""
    bucket = session.get(SendPace, pace.sender, with_for_update=True)
    if bucket is None:
        try:
            with session.begin_nested():
                session.add(SendPace(sender=pace.sender, tokens=pace.burst, refilled_at=now, slowdown=1.0))
        except IntegrityError:  # another dispatcher made it first
            pass
        bucket = session.get(SendPace, pace.sender, with_for_update=True, populate_existing=True)
    _refill(bucket, pace, now)
    return bucket


def _refill(bucket: SendPace, pace: Pace, now: datetime) -> None:
    start = max(bucket.refilled_at, bucket.slow_until or bucket.refilled_at)
    if bucket.slowdown < 1 and bucket.slow_until and now >= bucket.slow_until + RECOVER_EVERY:
        bucket.slowdown, bucket.slow_until = min(1.0, bucket.slowdown * 2), now
    if now > start:
        gained = (now - start).total_seconds() * pace.rate * bucket.slowdown
        bucket.tokens = min(pace.burst, bucket.tokens + gained)
    bucket.refilled_at = max(bucket.refilled_at, now)


def take(bucket: SendPace, pace: Pace, costs: list[int]) -> int:
    """Take tokens for as many of `costs` (in order) as the bucket allows; returns how many. A text dearer
    than the whole burst goes when the bucket is full, leaving it in debt, so the rate still holds."""
    count = 0
    for cost in costs:
        if bucket.tokens < min(cost, pace.burst) - 1e-9:
            break
        bucket.tokens -= cost
        count += 1
    return count


def give_back(bucket: SendPace, costs: list[int]) -> None:
    """Return the tokens of texts taken but not claimed (another dispatcher, or an opt-out, got there first)."""
    bucket.tokens += sum(costs)


def wait_seconds(bucket: SendPace, pace: Pace, cost: int, now: datetime) -> float:
    """How long until the bucket has `cost` tokens (capped at the burst)."""
    missing = max(0.0, min(cost, pace.burst) - bucket.tokens)
    paused = max(0.0, ((bucket.slow_until or now) - now).total_seconds())
    return paused + missing / (pace.rate * bucket.slowdown)


def slow_down(bucket: SendPace, pace: Pace, now: datetime) -> None:
    """Twilio refused for rate: empty the bucket, pause it, halve its share of the set rate."""
    if bucket.slow_until is None or now >= bucket.slow_until:  # refusals of one overshoot count once
        bucket.slowdown = max(SLOWEST, bucket.slowdown / 2)
    bucket.tokens = min(bucket.tokens, 0.0)
    bucket.slow_until = now + pace.pause
    bucket.refilled_at = max(bucket.refilled_at, now)


def slow_down_all(session: Session) -> None:
    """A delivery report said Twilio's queue overflowed (30001): slow every sender down (usually one)."""
    now = utcnow()  # bucket time is real time, whatever clock the caller runs on
    session.execute(update(SendPace).values(tokens=0.0, slow_until=now + PAUSE,
                                            slowdown=case((SendPace.slowdown / 2 < SLOWEST, SLOWEST),
                                                          else_=SendPace.slowdown / 2)))
