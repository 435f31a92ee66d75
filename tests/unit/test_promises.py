"""Promises: the reminder before and the follow-up after, picking which promise someone means,
settling it (only its maker), and telling the partner (only when its maker asks) so they may say thanks."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import OutboundMessage, Promise
from core.services import couples, outbox, promises
from core.services.promises import FOLLOW_UP_AFTER, FOLLOW_UP_STALE

LA = "America/Los_Angeles"
DUE = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)  # 14:00 in LA, five hours after the clock's start


def texts(session, promise=None) -> dict[str, OutboundMessage]:
    """Queued texts by kind (of one promise, when given)."""
    query = select(OutboundMessage)
    if promise is not None:
        query = query.where(OutboundMessage.promise_id == promise.id)
    return {m.kind: m for m in session.scalars(query)}


def promise(session, partner, words, now, due=DUE, **kwargs) -> Promise:
    return promises.make_promise(session, partner, words, due, LA, now, **kwargs)


# Making a promise


def test_a_promise_queues_its_reminder_and_follow_up(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    assert (made.state, made.promiser_id, made.partner_id, made.due_at, made.lead_minutes) == (
        "open", alex.id, sam.id, DUE, 30)
    queued = texts(session, made)
    assert set(queued) == {"promise_reminder", "promise_followup"}

    reminder = queued["promise_reminder"]
    assert reminder.idempotency_key == f"promise-reminder:{made.id}"
    assert (reminder.send_after, reminder.expires_at) == (DUE - timedelta(minutes=30), DUE)
    assert reminder.respect_quiet is False  # asked for at that time, so it goes even in quiet hours
    assert (reminder.partner_id, reminder.to_phone, reminder.state) == (alex.id, alex.phone, "queued")
    assert reminder.body == "Reminder from Trust Builder: call your mom, today at 2 PM."  # turned to its reader

    follow_up = queued["promise_followup"]
    assert follow_up.idempotency_key == f"promise-followup:{made.id}"
    assert (follow_up.send_after, follow_up.expires_at) == (DUE + FOLLOW_UP_AFTER, DUE + FOLLOW_UP_STALE)
    assert (follow_up.send_after, follow_up.expires_at) == (DUE + timedelta(minutes=30), DUE + timedelta(hours=36))
    assert follow_up.respect_quiet is True
    assert follow_up.body.startswith("Did you keep your promise to call your mom?")
    assert "KEPT or MISSED" in follow_up.body


def test_the_reminder_says_the_minutes_in_local_time(session, alex, clock):
    made = promise(session, alex, "pick up the kids", clock(), due=DUE + timedelta(minutes=45))
    assert texts(session, made)["promise_reminder"].body.endswith(", today at 2:45 PM.")


def test_the_reminder_names_the_day_as_seen_when_it_arrives(session, alex, clock):
    due = datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)  # Wednesday 09:00 in LA
    made = promise(session, alex, "bring coffee", clock(), due=due, lead_minutes=12 * 60)
    reminder = texts(session, made)["promise_reminder"]
    assert reminder.send_after == datetime(2026, 11, 25, 5, 0, tzinfo=timezone.utc)  # Tuesday 21:00 in LA
    assert reminder.body.endswith("bring coffee, tomorrow at 9 AM.")


def test_a_custom_lead_time(session, alex, clock):
    made = promise(session, alex, "book the table", clock(), lead_minutes=120)
    assert texts(session, made)["promise_reminder"].send_after == DUE - timedelta(hours=2)


def test_a_promise_due_soon_is_reminded_at_once(session, alex, clock):
    made = promise(session, alex, "text back", clock(), due=clock() + timedelta(minutes=10))
    assert texts(session, made)["promise_reminder"].send_after == clock()


def test_a_promise_due_in_moments_gets_no_reminder_only_a_follow_up(session, alex, clock):
    made = promise(session, alex, "say thanks", clock(), due=clock() + timedelta(minutes=3))
    assert set(texts(session, made)) == {"promise_followup"}


def test_no_texts_when_the_promiser_cannot_text(session, alex, clock):
    couples.opt_out(session, alex, clock())
    made = promise(session, alex, "call my mom", clock())
    assert made.state == "open"
    assert texts(session) == {}


def test_no_texts_for_an_invited_partner_who_has_not_said_yes(session, alex, clock):
    sam = couples.invite_partner(session, alex, "+14155550132", "Sam", clock())
    promise(session, sam, "walk the dog", clock())
    assert texts(session) == {}


@pytest.mark.parametrize("due", [DUE.replace(hour=17), DUE.replace(hour=16)])
def test_a_time_already_past_is_rejected(session, alex, clock, due):
    with pytest.raises(InvalidInput) as error:
        promise(session, alex, "call my mom", clock(), due=due)
    assert error.value.reason == "past_due"
    assert session.scalar(select(func.count()).select_from(Promise)) == 0


@pytest.mark.parametrize("words", ["", "   ", None])
def test_a_promise_needs_words(session, alex, clock, words):
    with pytest.raises(InvalidInput) as error:
        promise(session, alex, words, clock())
    assert error.value.reason == "empty_promise"


def test_promise_text_is_tidied_and_capped(session, alex, clock):
    assert promise(session, alex, "  call \n my   mom ", clock()).text == "call my mom"
    assert len(promise(session, alex, "word " * 100, clock()).text) == promises.MAX_TEXT


def test_the_same_source_makes_one_promise(session, alex, clock):
    first = promise(session, alex, "call my mom", clock(), source_id="SM1")
    again = promise(session, alex, "call my mom", clock(), source_id="SM1")
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Promise)) == 1
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 2


# Which promise does someone mean?


@pytest.fixture
def three(session, alex, clock):
    """Three open promises, made in an order different from their due order."""
    later = promise(session, alex, "buy the groceries", clock(), due=DUE + timedelta(hours=2))
    soon = promise(session, alex, "call my mom", clock(), due=DUE)
    latest = promise(session, alex, "fix the fence, then rest", clock(), due=DUE + timedelta(days=1))
    return soon, later, latest


def test_open_promises_are_listed_soonest_first(session, alex, three):
    assert promises.open_promises(session, alex) == list(three)


def test_pick_by_number(session, alex, clock, three):
    assert promises.pick_promise(session, alex, clock(), number=2) is three[1]
    for bad in (0, 4, -1):
        with pytest.raises(InvalidInput) as error:
            promises.pick_promise(session, alex, clock(), number=bad)
        assert error.value.reason == "bad_number"


def test_pick_by_words(session, alex, clock, three):
    assert promises.pick_promise(session, alex, clock(), words="groceries") is three[1]
    assert promises.pick_promise(session, alex, clock(), words="I called MOM") is three[0]
    with pytest.raises(NotFound) as error:
        promises.pick_promise(session, alex, clock(), words="the dishes")
    assert error.value.reason == "no_match"


def test_pick_by_words_ignores_punctuation(session, alex, clock, three):
    assert promises.pick_promise(session, alex, clock(), words="fence") is three[2]


def test_pick_without_a_hint_is_the_soonest_when_none_is_due(session, alex, clock, three):
    assert promises.pick_promise(session, alex, clock()) is three[0]


def test_pick_without_a_hint_is_the_most_recently_due(session, alex, clock, three):
    after_both = DUE + timedelta(hours=3)
    assert promises.pick_promise(session, alex, after_both) is three[1]
    between = DUE + timedelta(hours=1)
    assert promises.pick_promise(session, alex, between) is three[0]


def test_pick_with_no_open_promises(session, alex, clock):
    with pytest.raises(NotFound) as error:
        promises.pick_promise(session, alex, clock())
    assert error.value.reason == "no_promises"


def test_settled_promises_are_not_picked(session, alex, clock, three):
    promises.settle(session, alex, three[0], "kept", clock())
    assert promises.open_promises(session, alex) == [three[1], three[2]]
    assert promises.pick_promise(session, alex, clock(), number=1) is three[1]


# Settling


@pytest.mark.parametrize("state", ["kept", "missed", "cancelled"])
def test_settling_cancels_the_texts_still_waiting(session, alex, sam, clock, state):
    made = promise(session, alex, "call my mom", clock())
    other = promise(session, alex, "buy the groceries", clock())
    texts(session, made)["promise_reminder"].state = "sent"
    later = clock() + timedelta(hours=1)
    promises.settle(session, alex, made, state, later)
    assert (made.state, made.resolved_at) == (state, later)
    queued = texts(session, made)
    assert queued["promise_reminder"].state == "sent"  # already gone: left as it was
    assert (queued["promise_followup"].state, queued["promise_followup"].updated_at) == ("cancelled", later)
    assert {m.state for m in texts(session, other).values()} == {"queued"}


def test_only_the_maker_can_settle(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    with pytest.raises(NotAllowed) as error:
        promises.settle(session, sam, made, "missed", clock())
    assert error.value.reason == "not_yours"
    assert made.state == "open"
    assert {m.state for m in texts(session, made).values()} == {"queued"}


def test_a_promise_is_settled_once(session, alex, clock):
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "kept", clock())
    with pytest.raises(Conflict) as error:
        promises.settle(session, alex, made, "missed", clock())
    assert error.value.reason == "already_settled"
    assert made.state == "kept"


def test_an_unknown_state_is_invalid(session, alex, clock):
    made = promise(session, alex, "call my mom", clock())
    with pytest.raises(InvalidInput) as error:
        promises.settle(session, alex, made, "done", clock())
    assert error.value.reason == "bad_state"


# A kept promise is told to the partner only when its maker asks (TELL); the partner may say thanks


def test_keeping_a_promise_sends_the_partner_nothing_by_itself(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "kept", clock())
    assert outbox.find(session, f"promise-thanks:{made.id}") is None
    assert couples.awaited(sam, clock()) is None


def test_tell_sends_appreciation_and_thanks_goes_back_once(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "kept", clock())
    told, partner = promises.tell_partner_kept(session, alex, clock())
    assert (told.id, partner.id, told.wants_thanks) == (made.id, sam.id, True)
    news = outbox.find(session, f"promise-thanks:{made.id}")
    assert (news.partner_id, news.kind, news.state) == (sam.id, "promise_thanks", "queued")
    assert news.body == "Alex kept their promise to call their mom. Reply THANKS to let them know."
    assert couples.awaited(sam, clock()) is None  # no question is waiting: THANKS is optional

    thanked = promises.thank(session, sam, clock())
    assert thanked.thanked_at == clock()
    back = outbox.find(session, f"thanks:{made.id}")
    assert (back.partner_id, back.body) == (alex.id, "Sam says thank you for keeping your promise to call your mom.")
    with pytest.raises(NotFound) as error:
        promises.thank(session, sam, clock())
    assert error.value.reason == "nothing_to_thank"


def test_tell_is_only_for_a_promise_kept_in_the_last_day(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "missed", clock())
    with pytest.raises(NotFound) as error:
        promises.tell_partner_kept(session, alex, clock())
    assert error.value.reason == "nothing_to_tell"
    other = promise(session, alex, "walk the dog", clock())
    promises.settle(session, alex, other, "kept", clock())
    clock.advance(hours=25)
    with pytest.raises(NotFound):
        promises.tell_partner_kept(session, alex, clock())


def test_tell_to_a_partner_who_said_stop_is_refused(session, alex, sam, clock):
    couples.opt_out(session, sam, clock())
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "kept", clock())
    with pytest.raises(NotAllowed):
        promises.tell_partner_kept(session, alex, clock())
    assert outbox.find(session, f"promise-thanks:{made.id}") is None


def test_only_the_partner_told_can_thank(session, alex, sam, clock):
    made = promise(session, alex, "call my mom", clock())
    promises.settle(session, alex, made, "kept", clock())
    promises.tell_partner_kept(session, alex, clock())
    with pytest.raises(NotFound):
        promises.thank(session, alex, clock())  # the promiser cannot thank themselves
    clock.advance(days=3)
    with pytest.raises(NotFound):
        promises.thank(session, sam, clock())  # too late to be about this promise
