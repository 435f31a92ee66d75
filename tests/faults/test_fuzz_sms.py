"""Thousands of fuzzed Twilio webhooks, all correctly signed: inbound texts from members, strangers and broken
numbers (random unicode, commands with odd arguments, missing or extra fields, retried or broken MessageSids)
and delivery reports with real and invented statuses. Never a 5xx or a traceback, always valid TwiML, and
afterwards a consistent database: every check-in belongs to a partner of its couple and to a text we answered,
each MessageSid is stored once, no couple has more than two partners."""
import time
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import create_app
from core.models import CheckIn, InboundMessage, OutboundMessage, Partner, Promise
from core.services import outbox
from core.services.delivery_reports import STATUS_RANK
from core.services.dispatch import Dispatcher
from sms.forms import MESSAGE_SID
from tests.faults.conftest import ALEX, SAM, leaks_traceback, no_fsync, report
from tests.faults.fuzz import Fuzzer
from tests.sms.conftest import signed_post

pytestmark = pytest.mark.faults

SQLITE_TEXTS, POSTGRES_TEXTS, STATUS_REPORTS = 2_000, 500, 500
STRANGERS = [f"+120255501{n:02d}" for n in range(20, 28)]


def check_twiml(response) -> str | None:
    """Fail unless the answer is a 400 or a TwiML <Response> with at most one <Message>; return the text."""
    assert response.status_code in (200, 400), (response.status_code, response.data[:300])
    assert not leaks_traceback(response.data), response.data[:500]
    if response.status_code == 400:
        return None
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    messages = root.findall("Message")
    assert root.tag == "Response" and len(messages) <= 1 and len(root) == len(messages)
    return messages[0].text if messages else None


def text_storm(client, clock, fuzzer: Fuzzer, count: int) -> tuple[set, Counter]:
    """Post `count` fuzzed inbound texts; returns the MessageSids answered with 200, and status counts."""
    people, sids, answered, statuses = [ALEX, SAM, *STRANGERS], [], set(), Counter()
    for n in range(count):
        if n % 40 == 0:
            clock.advance(hours=5)  # days roll over; awaited replies and codes expire
        form = fuzzer.sms_form(people, sids)
        response = signed_post(client, "/sms/inbound", form)
        check_twiml(response)
        statuses[response.status_code] += 1
        if response.status_code == 200:
            answered.add(form["MessageSid"])
        if MESSAGE_SID.fullmatch(form.get("MessageSid", "")):
            sids.append(form["MessageSid"])
    return answered, statuses


def assert_consistent(look, answered: set[str]) -> None:
    """Rows belong to partners of their couples, and to texts we answered."""
    look.rollback()
    partners = {p.id: p for p in look.scalars(select(Partner))}
    check_ins = look.scalars(select(CheckIn)).all()
    assert all(c.partner_id in partners and partners[c.partner_id].couple_id == c.couple_id for c in check_ins)
    stored = set(look.scalars(select(InboundMessage.message_sid)))
    assert stored == answered  # each answered text is kept once (its sid is unique), nothing else is
    sms_check_ins = {c.source_id for c in check_ins if c.channel == "sms"}
    assert sms_check_ins <= stored
    by_sid = {m.message_sid: m.partner_id for m in look.scalars(select(InboundMessage))}
    assert all(by_sid[c.source_id] == c.partner_id for c in check_ins if c.channel == "sms")
    assert all(p.promiser_id in partners for p in look.scalars(select(Promise)))
    sizes = look.execute(select(Partner.couple_id, func.count()).group_by(Partner.couple_id)).all()
    assert all(n <= 2 for _, n in sizes)
    for message in look.scalars(select(OutboundMessage).where(OutboundMessage.partner_id.is_not(None))):
        assert message.partner_id in partners


def test_thousands_of_fuzzed_texts_never_break_the_webhook(runtime, couple, clock, look):
    no_fsync(runtime.engine)
    client = create_app(runtime=runtime).test_client()
    count = SQLITE_TEXTS if runtime.engine.dialect.name == "sqlite" else POSTGRES_TEXTS

    started = time.monotonic()
    answered, statuses = text_storm(client, clock, Fuzzer(99), count)

    report(f"[sms fuzz / {runtime.engine.dialect.name}] {count} signed texts in {time.monotonic() - started:.1f} s: "
           f"{dict(statuses)}; {len(answered)} stored")
    assert statuses[200] > count * 0.7 and statuses[400] > 0
    assert_consistent(look, answered)


def send_texts(runtime, clock, couple, count: int) -> None:
    """Queue `count` texts to Alex and Sam and send them through the runtime's recording gateway."""
    clock.set(clock().replace(hour=18))  # 10:00 in Los Angeles: outside quiet hours
    with runtime.sessions.begin() as session:
        for n in range(count):
            partner = session.get(Partner, couple.alex if n % 2 else couple.sam)
            outbox.queue(session, partner, outbox.Draft(f"thinking {n}", "thinking", f"fuzz-status:{n}"), clock())
    sender = Dispatcher(runtime.sessions, runtime.gateway, clock, concurrency=1)
    try:
        sender.run_until_idle()
    finally:
        sender.close()


def test_fuzzed_delivery_reports_never_break_the_webhook(runtime, couple, clock, look):
    no_fsync(runtime.engine)
    client = create_app(runtime=runtime).test_client()
    fuzzer = Fuzzer(5)
    send_texts(runtime, clock, couple, 20)  # texts to report on: sent, so their sids are known
    text_storm(client, clock, fuzzer, 60)
    known = [sid for sid in look.scalars(select(OutboundMessage.provider_sid)) if sid]
    statuses, before = Counter(), look.scalar(select(func.count()).select_from(OutboundMessage))

    for _ in range(STATUS_REPORTS):
        response = signed_post(client, "/sms/status", fuzzer.status_form(known))
        check_twiml(response)
        statuses[response.status_code] += 1

    report(f"[sms status fuzz] {STATUS_REPORTS} signed reports ({len(known)} texts known): {dict(statuses)}")
    assert len(known) > 10
    assert statuses[200] > STATUS_REPORTS / 2
    look.rollback()
    assert look.scalar(select(func.count()).select_from(OutboundMessage)) == before  # reports never add rows
    states = set(look.scalars(select(OutboundMessage.state).where(OutboundMessage.provider_sid.in_(known))))
    assert states <= set(STATUS_RANK) - {"queued", "sending"}  # a report never moves a text back
