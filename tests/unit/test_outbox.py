"""The outbox: one row per idempotency key, and no text queued without consent (except the invitation)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import NotAllowed
from core.models import OutboundMessage
from core.services import couples, outbox, promises

LA = "America/Los_Angeles"


@pytest.fixture
def invited(session, alex, clock):
    """Sam, invited by Alex and not yet answered YES."""
    return couples.invite_partner(session, alex, "+14155550132", "Sam", clock())


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboundMessage))


def draft(key="q:1", kind="daily_question", **kwargs) -> outbox.Draft:
    return outbox.Draft(f"body of {key}", kind, key, **kwargs)


def test_a_text_is_queued_for_now_by_default(session, alex, clock):
    message, created = outbox.queue(session, alex, draft(), clock())
    assert created
    assert (message.partner_id, message.to_phone, message.kind, message.idempotency_key) == (
        alex.id, alex.phone, "daily_question", "q:1")
    assert (message.state, message.send_after, message.expires_at, message.attempts) == ("queued", clock(), None, 0)
    assert (message.respect_quiet, message.promise_id, message.created_at) == (True, None, clock())
    assert message.body == "body of q:1"


def test_a_text_can_wait_and_expire(session, alex, clock):
    later, stale = clock() + timedelta(hours=2), clock() + timedelta(hours=5)
    message, _ = outbox.queue(session, alex, draft(send_after=later, expires_at=stale, respect_quiet=False), clock())
    assert (message.send_after, message.expires_at, message.respect_quiet) == (later, stale, False)


def test_the_same_key_queues_once(session, alex, clock):
    first, created = outbox.queue(session, alex, draft(), clock())
    again, created_again = outbox.queue(session, alex, outbox.Draft("another body", "daily_question", "q:1"),
                                        clock() + timedelta(minutes=1))
    assert created and not created_again
    assert again.id == first.id and again.body == "body of q:1"
    assert stored(session) == 1


def test_the_same_key_queues_once_across_transactions(runtime, tx, clock):
    with tx() as session:
        alex = couples.create_couple(session, "Alex", "+14155550100", clock(), LA)
        first, _ = outbox.queue(session, alex, draft(), clock())
    with tx() as session:
        alex = couples.get_partner(session, alex.id)
        again, created = outbox.queue(session, alex, draft(), clock())
        assert (again.id, created) == (first.id, False)
        assert stored(session) == 1


def test_different_keys_are_different_texts(session, alex, clock):
    outbox.queue(session, alex, draft("q:1"), clock())
    outbox.queue(session, alex, draft("q:2"), clock())
    assert stored(session) == 2
    assert outbox.find(session, "q:2").body == "body of q:2"
    assert outbox.find(session, "q:3") is None


def test_a_partner_who_has_not_said_yes_gets_nothing_but_the_invitation(session, invited, clock):
    with pytest.raises(NotAllowed) as error:
        outbox.queue(session, invited, draft(), clock())
    assert error.value.reason == "no_consent"
    message, created = outbox.queue(session, invited, draft("invite:1", kind="invitation"), clock())
    assert created and message.to_phone == invited.phone
    assert stored(session) == 1


def test_opted_out_partner_gets_nothing(session, alex, clock):
    couples.opt_out(session, alex, clock())
    for kind in ("daily_question", "invitation", "promise_reminder"):
        with pytest.raises(NotAllowed) as error:
            outbox.queue(session, alex, draft(f"k:{kind}", kind=kind), clock())
        assert error.value.reason == "opted_out"
    assert stored(session) == 0


def test_revoked_consent_without_stop_is_no_consent(session, alex, clock):
    alex.consent = "revoked"
    with pytest.raises(NotAllowed) as error:
        outbox.queue(session, alex, draft(), clock())
    assert error.value.reason == "no_consent"


def test_a_number_that_cannot_receive_texts(session, alex, clock):
    alex.phone_invalid = True
    with pytest.raises(NotAllowed) as error:
        outbox.queue(session, alex, draft(), clock())
    assert error.value.reason == "phone_invalid"


def test_no_phone_no_text(session, alex, clock):
    couples.erase_partner(session, alex, clock())
    with pytest.raises(NotAllowed) as error:
        outbox.check_can_text(alex, "invitation")
    assert error.value.reason == "no_phone"


def test_an_already_queued_key_is_returned_even_after_stop(session, alex, clock):
    """A retried request finds its first text (which STOP has cancelled) instead of failing."""
    first, _ = outbox.queue(session, alex, draft(), clock())
    couples.opt_out(session, alex, clock())
    session.expire_all()
    again, created = outbox.queue(session, alex, draft(), clock())
    assert (again.id, created, again.state) == (first.id, False, "cancelled")


def test_cancel_for_promise_cancels_only_its_queued_texts(session, alex, clock):
    made = promises.make_promise(session, alex, "call my mom", clock() + timedelta(hours=5), LA, clock())
    unrelated, _ = outbox.queue(session, alex, draft(), clock())
    later = clock() + timedelta(minutes=10)
    outbox.cancel_for_promise(session, made.id, later)
    session.flush()
    mine = session.scalars(select(OutboundMessage).where(OutboundMessage.promise_id == made.id)).all()
    assert len(mine) == 2 and {(m.state, m.updated_at) for m in mine} == {("cancelled", later)}
    assert unrelated.state == "queued"
