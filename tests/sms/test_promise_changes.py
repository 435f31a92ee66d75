"""Promises changed by text: CANCEL n, MOVE n <when>, MISSED in plain words, and promises said the way
people say them ("tonight at nine"). Signed webhooks, SQLite and PostgreSQL."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from core.models import OutboundMessage, Promise, PromiseState, TextKind, TextState
from tests.sms.conftest import ALEX

pytestmark = pytest.mark.usefixtures("couple")
UTC = timezone.utc  # the clock starts Monday 9:00 AM in Los Angeles


def promises(db):
    db.expire_all()
    return db.scalars(select(Promise).order_by(Promise.id)).all()


def test_tonight_at_nine_is_nine_pm_by_text(text, db):
    assert text(ALEX, "PROMISE take out the trash tonight at nine").startswith(
        "OK: take out the trash, today at 9 PM.")
    assert promises(db)[0].due_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_cancel_by_number_is_a_promise_change_not_an_answer(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    reply = text(ALEX, "CANCEL 1")
    assert reply == "OK, your promise to call mom is cancelled, and its reminders too."
    [promise] = promises(db)
    assert promise.state == PromiseState.CANCELLED
    assert db.scalars(select(OutboundMessage).where(OutboundMessage.promise_id == promise.id,
                                                    OutboundMessage.state == TextState.QUEUED)).all() == []


def test_cancel_alone_is_still_stop(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    assert text(ALEX, "CANCEL") is None
    assert promises(db)[0].state == PromiseState.OPEN


def test_cancel_in_plain_words(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    text(ALEX, "PROMISE walk the dog friday 8am")
    assert text(ALEX, "cancel my promise to walk the dog").startswith("OK, your promise to walk the dog")
    assert [p.state for p in promises(db)] == [PromiseState.OPEN, PromiseState.CANCELLED]


def test_move_by_number_and_in_plain_words(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    assert text(ALEX, "MOVE 1 9pm") == "Moved: call mom, now today at 9 PM. I'll text you a reminder at 8:30 PM."
    assert promises(db)[0].due_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert text(ALEX, "move it to tomorrow 7pm").startswith("Moved: call mom, now tomorrow at 7 PM.")
    db.expire_all()
    reminders = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.PROMISE_REMINDER)).all()
    assert sorted(r.state for r in reminders) == [TextState.CANCELLED, TextState.CANCELLED, TextState.QUEUED]


def test_move_without_a_time_says_how(text):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    assert text(ALEX, "MOVE 1") == "When should it be? e.g. MOVE 1 9pm or MOVE 1 tomorrow 7pm"
    assert text(ALEX, "MOVE").startswith("Tell me which and when")


def test_missed_in_plain_words(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    assert text(ALEX, "I didn't keep my promise").startswith(
        "Thanks for telling me you didn't get to call mom this time.")
    assert promises(db)[0].state == PromiseState.MISSED


def test_two_promises_with_the_same_words_are_listed_with_day_and_time(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    text(ALEX, "PROMISE call mom friday 6pm")
    reply = text(ALEX, "cancel my promise to call mom")
    assert reply == ("More than one promise fits: 1) call mom, tomorrow at 6 PM; 2) call mom, Friday at 6 PM. "
                     "Reply CANCEL 1 (or the number you mean).")
    assert [p.state for p in promises(db)] == [PromiseState.OPEN, PromiseState.OPEN]
