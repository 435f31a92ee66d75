"""A simulated week, per DST change, for couples in Los Angeles, London and Auckland: every scheduled text goes
out once, at its local time, through the real twilio client; quiet hours defer what may wait."""
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest

from core import local_time
from core.models import Partner
from core.services import couples, personal_settings, promises, thinking_moments

UTC = timezone.utc
ZONES = {
    "America/Los_Angeles": ("+14155550101", "+14155550102"),
    "Europe/London": ("+447400123401", "+447400123402"),
    "Pacific/Auckland": ("+64211234501", "+64211234502"),
}
# A Wednesday 10:00 UTC; the week holds a DST change (each on a Sunday), and a promise falls due at a local
# time that DST day skips (02:30 when clocks spring forward) or repeats (01:30 when they fall back).
WEEKS = {
    "us-spring-forward": (datetime(2027, 3, 10, 10, tzinfo=UTC), date(2027, 3, 14), time(2, 30)),
    "nz-spring-forward": (datetime(2026, 9, 23, 10, tzinfo=UTC), date(2026, 9, 27), time(2, 30)),
    "us-fall-back": (datetime(2026, 10, 28, 10, tzinfo=UTC), date(2026, 11, 1), time(1, 30)),
}
WEEKDAYS, EVERY_DAY = 0b0011111, 0b1111111


def local(instant: datetime, tz: str) -> datetime:
    return local_time.local_now(instant, tz)


def setup_couple(world, tz: str, dst_day: date, dst_time: time) -> tuple[int, int]:
    """Alex is offered thinking on weekdays 12-16 and makes three promises; Sam is offered it daily 9-10."""
    alex_id, sam_id = world.couple(tz, ZONES[tz])
    now = world.clock()
    with world.tx() as session:
        alex, sam = session.get(Partner, alex_id), session.get(Partner, sam_id)
        thinking_moments.set_nudge_schedule(session, alex, 12 * 60, 16 * 60, WEEKDAYS, now)
        thinking_moments.set_nudge_schedule(session, sam, 9 * 60, 10 * 60, EVERY_DAY, now)
        first = local_time.local_date(now, tz) + timedelta(days=1)
        for day, at in ((first, time(18)), (first + timedelta(days=1), time(23, 30)), (dst_day, dst_time)):
            due = local_time.local_to_utc(datetime.combine(day, at), tz)
            promises.make_promise(session, alex, f"call mum {day}", due, tz, now)
    return alex_id, sam_id


@pytest.mark.parametrize("week", WEEKS)
def test_a_week_of_scheduled_texts_in_three_time_zones(make_world, week):
    start, dst_day, dst_time = WEEKS[week]
    world = make_world(start)
    people = {tz: setup_couple(world, tz, dst_day, dst_time) for tz in ZONES}

    world.advance_to(start + timedelta(days=7))

    assert world.unaccounted() == []
    sent = world.messages(state="sent")
    assert len(world.twilio.sent) == len(sent)
    assert {m.idempotency_key for m in world.messages()} == {m.idempotency_key for m in sent}  # nothing lost
    for tz, (alex, sam) in people.items():
        check_questions(world, tz, alex)
        check_questions(world, tz, sam)
        check_summary(world, tz, alex, dst_day)
        check_nudges(world, tz, alex, sam)
        check_promises(world, tz, alex, dst_day)


def check_questions(world, tz, partner_id):
    """Seven days, seven questions, each at 19:00 local (the DST day too), never twice the same day."""
    questions = world.messages(partner_id=partner_id, kind="daily_question")
    assert [local(m.sent_at, tz).time() for m in questions] == [time(19, 0)] * 7
    assert len({local(m.sent_at, tz).date() for m in questions}) == 7
    assert all(m.body.startswith("Today's question: ") and "Reply with your answer." in m.body for m in questions)


def check_summary(world, tz, partner_id, dst_day):
    """One weekly check-in, on the Sunday at 18:00 local: its first question, the week's figures after it."""
    [summary] = world.messages(partner_id=partner_id, kind="weekly_checkin")
    assert (local(summary.sent_at, tz).date(), local(summary.sent_at, tz).time()) == (dst_day, time(18, 0))
    assert summary.idempotency_key == f"weekly-checkin:{partner_id}:{dst_day}"
    assert summary.body.startswith("Your weekly check-in with Trust Builder, 1 of 3: What's one thing ")
    assert "Your week: Together you made 3 promises this week." in summary.body
    assert world.messages(partner_id=partner_id, kind="weekly_summary") == []


def check_nudges(world, tz, alex, sam):
    """Alex is offered on the five weekdays, 12-16 local; Sam every day, 9-10; nothing goes by itself."""
    offers = world.messages(partner_id=alex, kind="nudge_offer")
    assert sorted(local(m.sent_at, tz).weekday() for m in offers) == [0, 1, 2, 3, 4]
    assert all(time(12) <= local(m.sent_at, tz).time() < time(16) for m in offers)
    assert all(m.body == "Want to tell Sam you're thinking of them? Reply 1 to send." for m in offers)
    sams = world.messages(partner_id=sam, kind="nudge_offer")
    assert len({local(m.sent_at, tz).date() for m in sams}) == len(sams) == 7
    assert all(time(9) <= local(m.sent_at, tz).time() < time(10) for m in sams)
    assert world.messages(kind="thinking_auto") == [] and world.messages(kind="thinking") == []


def check_promises(world, tz, alex, dst_day):
    """Reminders at the asked time, even in quiet hours; follow-ups wait for the end of quiet hours."""
    reminders = world.messages(partner_id=alex, kind="promise_reminder")
    follow_ups = world.messages(partner_id=alex, kind="promise_followup")
    assert len(reminders) == len(follow_ups) == 3
    assert [local(m.sent_at, tz).time() for m in reminders][:2] == [time(17, 30), time(23, 0)]
    dst_reminder = reminders[2]
    assert dst_reminder.sent_at == dst_reminder.send_after  # once, at the one valid instant
    assert local(dst_reminder.sent_at, tz).date() == dst_day
    follow_up_times = [local(m.sent_at, tz).time() for m in follow_ups]
    assert follow_up_times == [time(18, 30), time(8, 0), time(8, 0)]  # 00:00 and ~03:00 fall in quiet hours


def test_opted_out_partners_and_paused_couples_get_no_scheduled_texts(make_world):
    start, _, _ = WEEKS["us-spring-forward"]
    world = make_world(start)
    alex, sam = setup_couple(world, "America/Los_Angeles", date(2027, 3, 14), time(9))
    carol, dave = setup_couple(world, "Europe/London", date(2027, 3, 14), time(9))
    with world.tx() as session:
        couples.opt_out(session, session.get(Partner, sam), world.clock())  # Sam texted STOP
        personal_settings.set_paused(session, session.get(Partner, carol), True)
        personal_settings.set_paused(session, session.get(Partner, dave), True)

    world.advance_to(start + timedelta(days=7))

    received = Counter(m["to"] for m in world.twilio.sent)
    assert received[ZONES["America/Los_Angeles"][1]] == 0  # Sam: nothing at all
    assert len(world.messages(partner_id=alex, kind="daily_question", state="sent")) == 7
    assert world.messages(partner_id=alex, kind="nudge_offer") == []  # Sam can't receive: Alex isn't even asked
    assert world.messages(kind="thinking_auto") == [] and world.messages(kind="thinking") == []
    paused = [m for m in world.messages(state="sent") if m.partner_id in (carol, dave)]
    assert {m.kind for m in paused} == {"promise_reminder"}  # reminders Carol asked for still come
    assert {m.state for m in world.messages(partner_id=carol, kind="promise_followup")} == {"cancelled"}
    assert world.unaccounted() == []
