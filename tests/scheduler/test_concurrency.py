"""Two schedulers at once: each with its own engine, gateway and dispatcher, over thousands of due texts,
through the real twilio client to FakeTwilio. Zero duplicates, zero misses."""
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from core.models import OutboundMessage
from scheduler import jobs
from tests.scheduler.conftest import close_world, open_world

START = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
LA = "America/Los_Angeles"
COUPLES = 100
PER_PARTNER = 12  # 100 couples x 2 partners x 12 = 2,400 due texts


def seed(world, couples: int = COUPLES, per_partner: int = PER_PARTNER) -> list[str]:
    """Couples through the services, then their due texts in one bulk insert; returns the bodies."""
    phones = {}
    for n in range(couples):
        pair = (f"+1415555{2 * n:04d}", f"+1415555{2 * n + 1:04d}")
        phones.update(zip(world.couple(LA, pair), pair))
    now = world.clock()
    rows = [dict(partner_id=pid, to_phone=phone, body=f"load {pid}-{k}", kind="thinking",
                 idempotency_key=f"load:{pid}:{k}", state="queued", send_after=now - timedelta(seconds=k),
                 respect_quiet=True, attempts=0, created_at=now) for pid, phone in phones.items()
            for k in range(per_partner)]
    with world.tx() as session:
        session.execute(insert(OutboundMessage), rows)
    return [row["body"] for row in rows]


def run_together(*calls) -> list:
    """Start the calls in threads at the same moment; return their results in order."""
    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def runner(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # surfaced below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_two_dispatchers_on_postgresql_send_every_text_exactly_once(tmp_path, pg_url, twilio):
    first = open_world(tmp_path / "a", pg_url, twilio, START, concurrency=4)
    second = open_world(tmp_path / "b", pg_url, twilio, START, concurrency=4)
    try:
        bodies = seed(first)
        for world in (first, second):
            world.dispatcher.batch = 100
        stats = run_together(first.dispatcher.run_until_idle, second.dispatcher.run_until_idle)
        states = {m.state for m in first.messages()}
    finally:
        close_world(first)
        close_world(second)

    sent = Counter(m["body"] for m in twilio.sent)
    assert len(bodies) >= 2000
    assert sum(n - 1 for n in sent.values()) == 0, "duplicates"
    assert set(bodies) - set(sent) == set(), "misses"
    assert stats[0].sent + stats[1].sent == len(bodies) and min(stats[0].sent, stats[1].sent) > 0
    assert states == {"sent"}


def test_two_planners_on_postgresql_plan_each_couple_once(tmp_path, pg_url, twilio):
    first = open_world(tmp_path / "a", pg_url, twilio, START)
    second = open_world(tmp_path / "b", pg_url, twilio, START)
    try:
        for n in range(100):
            first.couple(LA, (f"+1415555{2 * n:04d}", f"+1415555{2 * n + 1:04d}"))
        for world in (first, second):
            world.clock.set(START + timedelta(hours=10))  # 19:00 in Los Angeles
        counts = run_together(lambda: jobs.plan(first.runtime, batch=10),
                              lambda: jobs.plan(second.runtime, batch=10))
        questions = first.messages(kind="daily_question")
    finally:
        close_world(first)
        close_world(second)

    assert counts[0]["questions"] + counts[1]["questions"] == 100  # no couple handled by both
    assert min(counts[0]["questions"], counts[1]["questions"]) > 0  # and both did some
    assert len(questions) == 200 and len({m.idempotency_key for m in questions}) == 200


def test_two_dispatchers_on_one_sqlite_file_never_send_twice(tmp_path, twilio):
    """SQLite is documented as one scheduler; even so the conditional claim keeps a second from doubling."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = open_world(tmp_path / "a", url, twilio, START, concurrency=2)
    second = open_world(tmp_path / "b", url, twilio, START, concurrency=2)
    try:
        bodies = seed(first, couples=25)
        run_together(first.dispatcher.run_until_idle, second.dispatcher.run_until_idle)
    finally:
        close_world(first)
        close_world(second)

    sent = Counter(m["body"] for m in twilio.sent)
    assert max(sent.values()) == 1 and set(sent) == set(bodies)


def test_a_claim_on_postgresql_skips_a_text_another_dispatcher_holds_instead_of_waiting(tmp_path, pg_url, twilio):
    """Two dispatchers' lists of texts to claim overlap (each gated the same due rows): a claim that waited
    for the other's locks could deadlock with it. It takes what nobody holds and leaves the rest queued."""
    from core.services.dispatch_rows import claim
    world = open_world(tmp_path / "a", pg_url, twilio, START)
    try:
        seed(world, couples=1, per_partner=2)
        ids = sorted(m.id for m in world.messages())
        with world.runtime.sessions() as holder, holder.begin():  # another dispatcher's transaction
            holder.get(OutboundMessage, ids[0], with_for_update=True)
            with world.runtime.engine.connect() as connection, connection.begin():
                connection.execute(text("SET LOCAL lock_timeout = '2s'"))  # a wait would fail the test, not hang it
                claimed = claim(connection, ids, START)
        states = {m.id: m.state for m in world.messages()}
    finally:
        close_world(world)

    assert sorted(claimed) == ids[1:]
    assert states[ids[0]] == "queued" and {states[i] for i in ids[1:]} == {"sending"}
