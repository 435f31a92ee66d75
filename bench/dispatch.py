"""Dispatch benchmark: the Dispatcher sending a burst of due texts through the real twilio client, against
a bare loop of the same client, both to FakeTwilio on loopback.

    python bench/dispatch.py                          # 10,000 couples (20,000 texts), temporary SQLite; ~2 min
    python -m bench.dispatch --couples 500            # a quick look
    python bench/dispatch.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/dispatch.py --couples 500 --paced 50  # lateness when paced to a sender of 50 texts/s

It seeds N couples (two partners each, no quiet hours) with one text due per partner, all due at the same
instant (like 19:00 for everyone in one time zone), runs Dispatcher.run_until_idle with the real
TwilioGateway, then prints messages/second, lateness p50/p99 (sent_at - send_after), duplicates and misses
(counted at the fake), peak memory (getrusage), and the same number of messages sent by a bare loop of the
twilio client (one thread, and as many threads as the dispatcher), with the ratios. On PostgreSQL it works
in a temporary database of its own (the role needs CREATEDB) and drops it afterwards. Nothing leaves 127.0.0.1.
"""
import argparse
import cProfile
import logging
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.clock import utcnow  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.models import Couple, OutboundMessage, Partner  # noqa: E402
from core.runtime import open_runtime  # noqa: E402
from core.services.dispatch import Dispatcher  # noqa: E402
from core.services.dispatch_pacing import Pace  # noqa: E402
from devkit.databases import scratch_database  # noqa: E402
from devkit.fakes.twilio_api import FakeTwilio  # noqa: E402
from sms.gateway import TwilioGateway  # noqa: E402

FROM = "+15550001111"
CHUNK = 5000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Dispatcher throughput and lateness against a bare twilio loop.")
    parser.add_argument("--couples", type=int, default=10_000, help="couples to seed (two texts each)")
    parser.add_argument("--database-url", help="a PostgreSQL server (a temporary database is made on it); "
                        "default: temporary SQLite")
    parser.add_argument("--concurrency", type=int, default=4, help="dispatcher send threads")
    parser.add_argument("--batch", type=int, default=200, help="due texts gated per pass")
    parser.add_argument("--window", type=int, help="texts `sending` at once (default: three times the concurrency)")
    parser.add_argument("--profile", metavar="PATH", help="write a cProfile of the dispatcher's run to PATH "
                        "(read it with python -m pstats PATH)")
    parser.add_argument("--paced", type=float, metavar="RATE",
                        help="instead: a fake that answers 429 above RATE texts/s, the dispatcher paced at RATE, "
                        "and one urgent text per 100 due last; prints lateness by kind")
    return parser.parse_args(argv)


@contextmanager
def database(url: str | None):
    """Yield (url, label): a temporary SQLite file, or a temporary database on the given PostgreSQL server
    (created beside the one named in the URL and dropped afterwards, so your tables are never touched)."""
    with tempfile.TemporaryDirectory() as folder, scratch_database(url, Path(folder), "bench_dispatch") as scratch:
        yield scratch, (f"PostgreSQL (temporary database {make_url(scratch).database})" if url
                        else "SQLite (temporary file)")


def seed(sessions, couples: int) -> int:
    """N couples in UTC without quiet hours, two partners each, one due text per partner; bulk inserts."""
    now = utcnow()
    with sessions.begin() as session:
        for start in range(0, couples, CHUNK):
            ids = range(start + 1, min(couples, start + CHUNK) + 1)
            session.execute(insert(Couple), [dict(id=c, timezone="UTC", question_minute=19 * 60, created_at=now)
                                             for c in ids])
            people = [(2 * c - k, c) for c in ids for k in (1, 0)]
            session.execute(insert(Partner), [_partner(pid, c, now) for pid, c in people])
            session.execute(insert(OutboundMessage), [_text(pid, now) for pid, _ in people])
    return 2 * couples


def _partner(pid: int, couple_id: int, now) -> dict:
    return dict(id=pid, couple_id=couple_id, display_name=f"P{pid}", phone=_phone(pid), consent="granted",
                consent_at=now, opted_out=False, phone_invalid=False, quiet_start=0,
                quiet_end=0, paused=False, takes_thinking=True, role="unsaid", created_at=now)


def _text(pid: int, now) -> dict:
    return dict(partner_id=pid, to_phone=_phone(pid), body=f"Today's question #{pid}: what made you smile?",
                kind="daily_question", idempotency_key=f"bench:{pid}", state="queued", send_after=now,
                respect_quiet=True, attempts=0, created_at=now, updated_at=now)


def _phone(pid: int) -> str:
    return f"+1415{pid:07d}"


class PacedTwilio(FakeTwilio):
    """FakeTwilio that accepts at most `rate` texts a second (a token bucket holding one second's worth) and
    answers the rest 429 / 20429, as Twilio's API does when a sender is pushed too hard."""

    def __init__(self, rate: float):
        super().__init__()
        self.rate, self.tokens, self.at, self.refused = rate, rate, time.monotonic(), 0

    def next_action(self) -> tuple:
        with self.lock:
            now = time.monotonic()
            self.tokens, self.at = min(self.rate, self.tokens + (now - self.at) * self.rate), now
            if self.tokens < 1:
                self.refused += 1
                return ("error", 429, 20429)
            self.tokens -= 1
        return super().next_action()


def run_dispatcher(runtime, gateway, args) -> tuple[float, object]:
    """Make every text due now, then dispatch until idle; returns (seconds, stats)."""
    pace = Pace.for_sender(FROM, rate=args.paced) if args.paced else None
    dispatcher = Dispatcher(runtime.sessions, gateway, utcnow, batch=args.batch, concurrency=args.concurrency,
                            window=args.window, pace=pace)
    with runtime.sessions.begin() as session:
        session.execute(update(OutboundMessage).values(send_after=utcnow()))
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    stats = dispatcher.run_until_idle(max_passes=10**6)
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    dispatcher.close()
    return elapsed, stats


def lateness(sessions, kind: str | None = None) -> tuple[float, float, int]:
    """p50 and p99 of sent_at - send_after in seconds (of one kind if given), and how many rows are not `sent`."""
    same = [OutboundMessage.kind == kind] if kind else []
    with sessions() as session:
        rows = session.execute(select(OutboundMessage.send_after, OutboundMessage.sent_at)
                               .where(OutboundMessage.state == "sent", *same)).all()
        unsent = session.scalar(select(func.count()).where(OutboundMessage.state != "sent", *same))
    delays = sorted((sent - due).total_seconds() for due, sent in rows)
    cuts = statistics.quantiles(delays, n=100) if len(delays) > 1 else delays * 99
    return cuts[49], cuts[98], unsent


def bare_loop(fake, count: int, threads: int) -> float:
    """The same number of messages through a bare twilio client; returns seconds."""
    gateway = TwilioGateway(fake.account_sid, fake.auth_token, from_number=FROM, api_url=fake.url)
    create = gateway.client.messages.create
    send = lambda n: create(to=_phone(n), from_=FROM, body=f"bare {threads} #{n}")  # noqa: E731
    started = time.perf_counter()
    if threads == 1:
        for n in range(1, count + 1):
            send(n)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(send, range(1, count + 1)))
    elapsed = time.perf_counter() - started
    gateway.close()
    return elapsed


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR if args.paced else logging.WARNING)  # paced: 429s are expected
    with (PacedTwilio(args.paced) if args.paced else FakeTwilio()) as fake, \
            database(args.database_url) as (url, label):
        settings = load_settings(environ={}, env_file=None, app_env="development", database_url=url,
                                 encryption_key=Fernet.generate_key().decode(), var_dir=tempfile.gettempdir(),
                                 twilio_account_sid=fake.account_sid, twilio_auth_token=fake.auth_token,
                                 twilio_from_number=FROM, twilio_api_url=fake.url)
        gateway = TwilioGateway(fake.account_sid, fake.auth_token, from_number=FROM, api_url=fake.url)
        runtime = open_runtime(settings, gateway, clock=utcnow)
        try:
            (report_paced if args.paced else report)(args, label, fake, runtime, gateway)
        finally:
            gateway.close()
            runtime.close()
    return 0


def report(args, label: str, fake, runtime, gateway) -> None:
    """Seed, dispatch, count, compare, print."""
    started = time.perf_counter()
    count = seed(runtime.sessions, args.couples)
    print(f"Dispatch benchmark: {args.couples:,} couples, {count:,} due texts, {label}, "
          f"concurrency {args.concurrency}, window {args.window or 3 * args.concurrency}, batch {args.batch}")
    print(f"  seeded in {time.perf_counter() - started:.1f} s; peak RSS so far {peak_mib():.0f} MiB")
    elapsed, stats = run_dispatcher(runtime, gateway, args)
    p50, p99, unsent = lateness(runtime.sessions)
    bodies = Counter(m["body"] for m in fake.sent)
    duplicates = sum(n - 1 for n in bodies.values())
    misses = unsent + sum(1 for pid in range(1, count + 1) if bodies[_text(pid, None)["body"]] == 0)
    rate = stats.sent / elapsed
    print(f"  dispatcher: {stats.sent:,} sent in {elapsed:.1f} s = {rate:,.0f} msg/s; lateness p50 {p50:.2f} s, "
          f"p99 {p99:.2f} s; duplicates {duplicates}; misses {misses}; peak RSS {peak_mib():.0f} MiB")
    for threads in sorted({1, args.concurrency}):
        bare = bare_loop(fake, count, threads)
        print(f"  bare twilio client, {threads} thread{'s' if threads > 1 else ''}: {count:,} in {bare:.1f} s = "
              f"{count / bare:,.0f} msg/s; dispatcher/bare = {rate / (count / bare):.2f}")



def report_paced(args, label: str, fake: PacedTwilio, runtime, gateway) -> None:
    """A burst of daily questions plus urgent texts due after them, through a fake limited to the pace."""
    count = seed(runtime.sessions, args.couples)
    with runtime.sessions.begin() as session:  # every 100th text becomes a promise reminder
        session.execute(update(OutboundMessage).where(OutboundMessage.id % 100 == 0)
                        .values(kind="promise_reminder", priority=0))
    print(f"Paced dispatch: {count:,} due texts ({count // 100} of them promise reminders), {label}, "
          f"sender and fake both at {args.paced:g} texts/s; ideal drain {count / args.paced:.1f} s")
    elapsed, stats = run_dispatcher(runtime, gateway, args)
    print(f"  {stats.sent:,} sent in {elapsed:.1f} s = {stats.sent / elapsed:.1f} texts/s "
          f"({stats.sent / elapsed / args.paced:.2f} of the pace); refused by the fake for rate: {fake.refused}; "
          f"put back after a refusal: {stats.throttled}; failed: {stats.failed}")
    for kind in ("promise_reminder", "daily_question"):
        p50, p99, unsent = lateness(runtime.sessions, kind)
        print(f"  lateness of {kind}: p50 {p50:.2f} s, p99 {p99:.2f} s; not sent {unsent}")


if __name__ == "__main__":
    sys.exit(main())
