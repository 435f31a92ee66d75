"""The dispatcher's Core statements (core.services.dispatch_rows): the gate built from rows decides exactly
as `verdict` on the loaded entities, the due texts come most urgent first, and the one-statement claim
takes each text once (on PostgreSQL skipping, not waiting for, a text another transaction holds)."""
import itertools
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core.models import Consent, Couple, OutboundMessage, Partner, TextKind, TextState
from core.services import dispatch_rows as rows
from core.services.send_rules import verdict

LA = "America/Los_Angeles"
# Partner situations the rules tell apart (field overrides), each in a couple of its own.
SITUATIONS = {
    "ready": {},
    "no_consent": {"consent": Consent.NONE},
    "opted_out": {"opted_out": True},
    "phone_invalid": {"phone_invalid": True},
    "paused": {"paused": True},
    "no_thinking": {"takes_thinking": False},
    "quiet_now": {"quiet_start": 0, "quiet_end": 23},  # 17:00 UTC is 09:00 in Los Angeles: inside
    "quiet_wrapping": {"quiet_start": 8, "quiet_end": 7},
    "no_quiet": {"quiet_start": 5, "quiet_end": 5},
    "no_phone": {"phone": None},
    "reviewer": {"reviewer": True},
    "reviewer_partner": {},  # the reviewer's partner: the same couple as "reviewer"
}
KINDS = [TextKind.DAILY_QUESTION, TextKind.INVITATION, TextKind.PROMISE_REMINDER, TextKind.THINKING,
         TextKind.LINK_CONSENT, TextKind.SIGN_IN]


def seed(session, now) -> list[int]:
    """A text of every kind, quiet or not, expired or not, to every situation, to a changed number, and
    to nobody; returns the texts' ids."""
    couples = {}
    partners = {}
    for n, (name, fields) in enumerate(SITUATIONS.items()):
        key = "reviewer" if name.startswith("reviewer") else name
        if key not in couples:
            couples[key] = Couple(timezone=LA, created_at=now)
            session.add(couples[key])
        values = dict(display_name=name, phone=f"+1415555{n:04d}", consent=Consent.GRANTED, quiet_start=21,
                      quiet_end=8, created_at=now)
        values.update(fields)
        partners[name] = Partner(couple=couples[key], **values)
        session.add(partners[name])
    session.flush()
    messages = []
    recipients = [(p, p.phone) for p in partners.values()] + [(partners["ready"], "+14155559999"), (None, "+1415")]
    for n, ((partner, phone), kind, quiet, expired) in enumerate(
            itertools.product(recipients, KINDS, (True, False), (False, True))):
        messages.append(OutboundMessage(
            partner_id=partner.id if partner else None, to_phone=phone, body=f"text {n}", kind=kind,
            idempotency_key=f"rows:{n}", state=TextState.QUEUED, send_after=now - timedelta(minutes=n % 7),
            expires_at=now - timedelta(minutes=1) if expired else now + timedelta(hours=1), respect_quiet=quiet,
            priority=n % 3, attempts=0, created_at=now - timedelta(minutes=5), updated_at=now))
    session.add_all(messages)
    session.flush()
    return [m.id for m in messages]


def test_the_gate_from_rows_decides_as_verdict_on_the_entities(runtime, clock):
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)
    with runtime.engine.connect() as connection:
        gated = rows.due_texts(connection, now, limit=len(ids) + 10)
    assert sorted(t.id for t, _ in gated) == sorted(ids)

    decisions = Counter()
    with runtime.sessions() as session:
        for due, recipient in gated:
            message = session.get(OutboundMessage, due.id)
            partner = session.get(Partner, message.partner_id) if message.partner_id else None
            expected = verdict(partner, message, now)
            assert verdict(recipient, due, now) == expected, (due.id, message.kind, expected)
            assert (recipient is None) == (partner is None)
            if expected == "defer":
                assert recipient.quiet_hours_end(now) == partner.quiet_hours_end(now)
            assert (due.to_phone, due.body, due.kind, due.created_at) == (
                message.to_phone, message.body, message.kind, message.created_at)
            decisions[expected] += 1
    # every outcome the rules have was reached, so the comparison above means something
    assert set(decisions) == {"send", "defer", TextState.EXPIRED, TextState.BLOCKED, TextState.CANCELLED,
                              TextState.OUTBOX}


def test_due_texts_come_most_urgent_first_and_only_when_due_and_queued(runtime, clock):
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)
        later = session.get(OutboundMessage, ids[0])
        later.send_after = now + timedelta(seconds=1)
        session.get(OutboundMessage, ids[1]).state = TextState.SENDING
    with runtime.engine.connect() as connection:
        first = rows.due_texts(connection, now, limit=10)
        every = rows.due_texts(connection, now, limit=1000)
    with runtime.sessions() as session:
        expected = list(session.scalars(
            select(OutboundMessage.id).where(OutboundMessage.state == TextState.QUEUED,
                                             OutboundMessage.send_after <= now)
            .order_by(OutboundMessage.priority, OutboundMessage.send_after, OutboundMessage.id)))
    assert [t.id for t, _ in every] == expected and len(expected) == len(ids) - 2
    assert [t.id for t, _ in first] == expected[:10]


def test_a_claim_takes_each_queued_text_once(runtime, clock):
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)[:5]
        session.get(OutboundMessage, ids[4]).state = TextState.CANCELLED
    with runtime.engine.connect() as connection:
        with connection.begin():
            first = rows.claim(connection, ids[:3], now)
        with connection.begin():
            second = rows.claim(connection, ids, now + timedelta(seconds=1))
    assert first == set(ids[:3]) and second == {ids[3]}
    with runtime.sessions() as session:
        states = {i: session.get(OutboundMessage, i) for i in ids}
    assert [states[i].state for i in ids] == ["sending"] * 4 + ["cancelled"]
    assert [states[i].attempts for i in ids] == [1, 1, 1, 1, 0]
    assert [states[i].claimed_at for i in ids[:4]] == [now] * 3 + [now + timedelta(seconds=1)]


def test_a_claim_on_postgresql_skips_a_row_another_transaction_holds_instead_of_waiting(runtime, clock):
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)[:3]
    with runtime.engine.connect() as holder, holder.begin():  # another dispatcher, mid-transaction
        holder.execute(text("SELECT id FROM outbound_message WHERE id = :id FOR UPDATE"), {"id": ids[1]})
        with runtime.engine.connect() as connection, connection.begin():
            connection.execute(text("SET LOCAL lock_timeout = '2s'"))  # a wait fails the test, not hangs it
            claimed = rows.claim(connection, ids, now)
    assert claimed == {ids[0], ids[2]}
    with runtime.sessions() as session:
        assert session.get(OutboundMessage, ids[1]).state == TextState.QUEUED


def test_a_record_transaction_in_a_pipeline_stores_the_sends_and_says_what_it_claimed(runtime, clock):
    """The record and the claim sent together (psycopg's pipeline on PostgreSQL; nothing special on
    SQLite): the claimed ids are read after the COMMIT, and are exactly the texts now `sending`."""
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)[:6]
    with runtime.engine.connect() as connection:
        with connection.begin():
            rows.claim(connection, ids[:2], now)
        with rows.pipeline(connection), connection.begin():
            rows.record_sent(connection, [{"b_id": i, "b_sid": f"SM{i}", "b_state": "sent", "b_now": now}
                                          for i in ids[:2]])
            answer = rows.claim_then(connection, ids[2:], now)
        claimed = answer()
    assert claimed == set(ids[2:])
    with runtime.sessions() as session:
        stored = [session.get(OutboundMessage, i) for i in ids]
    assert [(m.state, m.provider_sid, m.sent_at) for m in stored[:2]] == [("sent", f"SM{i}", now) for i in ids[:2]]
    assert [m.state for m in stored[2:]] == ["sending"] * 4


def test_a_failing_statement_in_a_pipeline_keeps_nothing(runtime, clock):
    """A record that breaks a constraint (two texts with one provider sid) fails the transaction: the
    claim sent with it is not kept either, so no text is handed over as claimed when it is not."""
    now = clock()
    with runtime.sessions.begin() as session:
        ids = seed(session, now)[:4]
    with runtime.engine.connect() as connection:
        with pytest.raises(Exception):
            with rows.pipeline(connection), connection.begin():
                rows.record_sent(connection, [{"b_id": i, "b_sid": "SM-same", "b_state": "sent", "b_now": now}
                                              for i in ids[:2]])
                answer = rows.claim_then(connection, ids[2:], now)
            answer()
    with runtime.sessions() as session:
        assert {session.get(OutboundMessage, i).state for i in ids} == {"queued"}
