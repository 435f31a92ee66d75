"""Missed, cancelled and moved by voice; two open promises with the same words told apart by day and time."""
from datetime import datetime, timezone

from sqlalchemy import select

from core.models import OutboundMessage, Promise, PromiseState, TextKind, TextState

UTC = timezone.utc


def promises_by_text(look):
    look.expire_all()
    return {p.text: p for p in look.scalars(select(Promise).order_by(Promise.id))}


def test_missed_and_cancelled_by_voice(alexa, couple, look):
    alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    alexa.intent("MakePromiseIntent", task="walk the dog", time="19:00")
    missed = alexa.intent("MissedPromiseIntent", task="call Sam")
    assert missed.speech == ("Thanks for being honest. I've marked your promise to call Sam as missed. "
                             "Saying so matters.")
    cancelled = alexa.intent("CancelPromiseIntent", task="walk the dog")
    assert cancelled.speech == "OK, I've cancelled your promise to walk the dog, and its reminders."
    made = promises_by_text(look)
    assert made["call Sam"].state == PromiseState.MISSED and made["walk the dog"].state == PromiseState.CANCELLED
    waiting = look.scalars(select(OutboundMessage).where(OutboundMessage.state == TextState.QUEUED)).all()
    assert waiting == []


def test_moved_by_voice_with_new_reminders(alexa, couple, look):
    alexa.intent("MakePromiseIntent", task="take out the trash", time="18:00")
    moved = alexa.intent("MovePromiseIntent", time="21:00")
    assert moved.speech == ("Done: take out the trash is now today at 9 PM. I'll text you a reminder at 8:30 PM.")
    promise = promises_by_text(look)["take out the trash"]
    assert promise.due_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    reminders = look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.PROMISE_REMINDER)
                             .order_by(OutboundMessage.id)).all()
    assert [r.state for r in reminders] == [TextState.CANCELLED, TextState.QUEUED]
    assert reminders[1].send_after == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)


def test_move_without_a_time_asks_for_one(alexa, couple):
    alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    said = alexa.intent("MovePromiseIntent")
    assert said.speech.startswith("To what time?") and said.directives[0]["slotToElicit"] == "time"


def test_two_promises_with_the_same_words_are_named_by_day_and_time(alexa, couple, look):
    alexa.intent("MakePromiseIntent", task="call mom", time="18:00")
    alexa.intent("MakePromiseIntent", task="call mom", date="2026-11-24", time="19:00")
    asked = alexa.intent("KeptPromiseIntent", task="call mom")
    assert asked.speech == "You have more than one like that. Do you mean call mom, today at 6 PM?"
    second = alexa.intent("AMAZON.NoIntent")
    assert second.speech == "You have more than one like that. Do you mean call mom, tomorrow at 7 PM?"
    kept = alexa.intent("AMAZON.YesIntent")
    assert kept.speech.startswith("Well done.")
    look.expire_all()
    states = [p.state for p in look.scalars(select(Promise).order_by(Promise.id))]
    assert states == [PromiseState.OPEN, PromiseState.KEPT]


def test_the_follow_up_names_the_day_and_time_when_words_are_shared(alexa, couple, look):
    alexa.intent("MakePromiseIntent", task="call mom", time="18:00")
    alexa.intent("MakePromiseIntent", task="call mom", date="2026-11-24", time="19:00")
    look.expire_all()
    bodies = [m.body for m in look.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == TextKind.PROMISE_FOLLOWUP).order_by(OutboundMessage.id))]
    assert bodies[0] == ("Did you keep your promise to call mom (today at 6 PM)? Reply KEPT or MISSED. "
                         "Either way is OK to say.")
    assert bodies[1] == ("Did you keep your promise to call mom (today at 7 PM)? Reply KEPT or MISSED. "
                         "Either way is OK to say.")


def test_a_forged_pick_in_the_session_is_ignored(alexa, couple, look):
    alexa.intent("MakePromiseIntent", task="call mom", time="18:00")
    alexa.attributes = {"offer": "pick_promise", "pick": {"action": "kept", "ids": ["x"], "index": 7}}
    said = alexa.intent("AMAZON.YesIntent")
    assert said.status == 200 and "Well done" not in said.speech
    assert promises_by_text(look)["call mom"].state == PromiseState.OPEN
