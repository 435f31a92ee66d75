"""Each partner's own texts, as the scheduler and the real sender (twilio client -> FakeTwilio) carry them:
one partner's PAUSE and quiet hours never change the other's texts; hand-sent thinking-about-you texts
respect the recipient's pause, quiet hours and THINKING OFF, one an hour, one waiting over quiet hours, and
one that waited says when it was sent; the caps hold with many threads at once on PostgreSQL."""
import threading
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from core import local_time
from core.errors import NotAllowed
from core.models import OutboundMessage, Partner
from core.services import personal_settings, thinking_of_you
from tests.conftest import NO_POSTGRES, POSTGRES_URL

LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
EVENING = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)  # 19:00 Monday in LA
ALEX_PHONE, SAM_PHONE = "+14155550171", "+14155550172"


def local(instant: datetime) -> time:
    return local_time.local_now(instant, LA).time()


def send(world, sender_id: int, source: str):
    with world.tx() as session:
        return thinking_of_you.send_thinking(session, session.get(Partner, sender_id), world.clock(),
                                             daily_cap=world.runtime.settings.thinking_daily_cap, source_id=source)


def refusal(world, sender_id: int, source: str) -> str:
    with pytest.raises(NotAllowed) as error:
        send(world, sender_id, source)
    return error.value.reason


def received(world, phone: str) -> list[str]:
    return [m["body"] for m in world.twilio.sent if m["to"] == phone]


def test_one_partners_pause_keeps_the_others_question_coming(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    with world.tx() as session:
        personal_settings.set_paused(session, session.get(Partner, sam), True)

    world.advance_to(EVENING + timedelta(minutes=5))

    assert len([b for b in received(world, ALEX_PHONE) if b.startswith("Today's question")]) == 1
    assert received(world, SAM_PHONE) == []
    assert world.unaccounted() == []


def test_quiet_hours_are_each_partners_own(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    with world.tx() as session:
        personal_settings.set_quiet_hours(session, session.get(Partner, sam), 18, 7)  # Sam rests from 6 PM

    world.advance_to(EVENING + timedelta(minutes=5))

    # The question time falls in Sam's own quiet hours: it is the couple's agreed time, so Sam gets it then,
    # and Alex's evening is unchanged; a thinking text from Alex to Sam waits for Sam's morning.
    assert [local(m.sent_at) for m in world.messages(kind="daily_question")] == [time(19, 0), time(19, 0)]
    held = send(world, alex, "SM-evening")
    assert local(held.held_until) == time(7, 0)
    sam_to_alex = send(world, sam, "SM-back")
    assert sam_to_alex.held_until is None  # Alex's quiet hours start at 9 PM


def test_a_thinking_text_held_overnight_says_when_it_was_sent(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    world.clock.set(datetime(2026, 11, 24, 7, 40, tzinfo=timezone.utc))  # 11:40 PM Monday in LA
    sent = send(world, alex, "SM-late")
    assert local(sent.held_until) == time(8, 0)

    world.advance_to(datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc))  # 9 AM Tuesday

    [body] = [b for b in received(world, SAM_PHONE) if "thinking about you" in b]
    assert body == "Alex was thinking about you last night, at 11:40 PM. (Sent with Trust Builder.)"
    assert "right now" not in body
    [row] = world.messages(kind="thinking")
    assert local(row.sent_at) == time(8, 0)


def test_a_thinking_text_sent_after_midnight_says_earlier_today(make_world):
    world = make_world(MONDAY)
    alex, _ = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    world.clock.set(datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc))  # 1:15 AM Tuesday in LA
    send(world, alex, "SM-night")
    world.advance_to(datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc))
    assert "Alex was thinking about you earlier today, at 1:15 AM. (Sent with Trust Builder.)" in received(
        world, SAM_PHONE)


def test_a_thinking_text_sent_at_once_says_right_now(make_world):
    world = make_world(MONDAY)
    alex, _ = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    send(world, alex, "SM-now")
    world.tick()
    assert received(world, SAM_PHONE)[-1] == "Alex is thinking about you right now. (Sent with Trust Builder.)"


def test_one_an_hour_one_waiting_and_the_recipients_own_choices(make_world):
    world = make_world(MONDAY, thinking_daily_cap=5)
    alex, sam = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    send(world, alex, "SM-1")
    assert refusal(world, alex, "SM-2") == "thinking_too_soon"
    world.clock.advance(minutes=61)
    send(world, alex, "SM-3")
    assert send(world, alex, "SM-3").message.idempotency_key == "thinking:%d:SM-3" % alex  # a retry: the same

    with world.tx() as session:
        personal_settings.set_takes_thinking(session, session.get(Partner, sam), False, world.clock())
    world.clock.advance(hours=2)
    assert refusal(world, alex, "SM-4") == "thinking_off"
    with world.tx() as session:
        personal_settings.set_takes_thinking(session, session.get(Partner, sam), True, world.clock())
        personal_settings.set_paused(session, session.get(Partner, sam), True)
    assert refusal(world, alex, "SM-5") == "partner_paused"
    with world.tx() as session:
        personal_settings.set_paused(session, session.get(Partner, sam), False)

    world.clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc))  # 10 PM: Sam's quiet hours
    send(world, alex, "SM-6")
    world.clock.advance(hours=1, minutes=5)
    assert refusal(world, alex, "SM-7") == "thinking_waiting"  # never more than one waiting overnight
    assert send(world, sam, "SM-8").held_until is not None  # Alex's limits are Alex's, not Sam's
    world.clock.advance(hours=1, minutes=5)
    assert refusal(world, alex, "SM-9") == "thinking_waiting"
    assert len(world.messages(kind="thinking")) == 4


def test_the_daily_cap_still_holds(make_world):
    world = make_world(MONDAY, thinking_daily_cap=2)
    alex, _ = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    for n in range(2):
        send(world, alex, f"SM-{n}")
        world.clock.advance(minutes=61)
    assert refusal(world, alex, "SM-x") == "capped"


def test_thinking_off_drops_texts_already_waiting(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
    world.clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc))  # 10 PM: it waits for Sam's morning
    send(world, alex, "SM-wait")
    with world.tx() as session:
        dropped = personal_settings.set_takes_thinking(session, session.get(Partner, sam), False, world.clock())
    assert dropped == 1
    world.advance_to(datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc))
    assert [m.state for m in world.messages(kind="thinking")] == ["cancelled"]
    assert not [b for b in received(world, SAM_PHONE) if "thinking" in b]


@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_the_thinking_caps_hold_with_many_threads_on_postgresql(tmp_path, pg_url, twilio):
    """Twenty requests at once from one sender: exactly one gets through (one an hour), never two."""
    from tests.scheduler.conftest import close_world, open_world
    world = open_world(tmp_path, pg_url, twilio, MONDAY, thinking_daily_cap=3)
    try:
        alex, _ = world.couple(LA, (ALEX_PHONE, SAM_PHONE))
        barrier, outcomes, lock = threading.Barrier(20), [], threading.Lock()

        def one(n: int) -> None:
            with Session(world.runtime.engine) as session:
                barrier.wait()
                try:
                    thinking_of_you.send_thinking(session, session.get(Partner, alex), world.clock(), 3, f"SM-{n}")
                    session.commit()
                    outcome = "sent"
                except NotAllowed as error:
                    session.rollback()
                    outcome = error.reason
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert outcomes.count("sent") == 1, outcomes
        assert set(outcomes) == {"sent", "thinking_too_soon"}
        assert len(world.messages(kind="thinking")) == 1
    finally:
        close_world(world)
