"""Missed time: on start-up the scheduler sends what is still useful and skips, with a log line, what is stale."""
import logging
from datetime import datetime, time, timedelta, timezone

from core import local_time
from core.models import Couple, Partner
from core.services import promises
from core.services.dispatch import Dispatcher
from scheduler import jobs

LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
PHONES = ("+14155550111", "+14155550112")


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A Los Angeles wall-clock time, `day_offset` days after Monday 2026-11-23, as UTC."""
    return local_time.at_minute(MONDAY.date() + timedelta(days=day_offset), hour * 60 + minute, LA)


def wall_clock(instant: datetime) -> time:
    return local_time.local_now(instant, LA).time()


def start_up(world, when: datetime):
    """The scheduler was down until `when`: start-up catch-up, as `python -m scheduler` does."""
    world.clock.set(when)
    return jobs.catch_up(world.runtime, world.dispatcher)


def promise(world, partner_id: int, words: str, due: datetime) -> None:
    with world.tx() as session:
        promises.make_promise(session, session.get(Partner, partner_id), words, due, LA, world.clock())


def test_todays_question_is_still_sent_before_quiet_hours(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, PHONES)

    start_up(world, at(0, 20, 30))

    questions = world.messages(kind="daily_question", state="sent")
    assert [(m.partner_id, wall_clock(m.send_after), wall_clock(m.sent_at)) for m in questions] == [
        (alex, time(19), time(20, 30)), (sam, time(19), time(20, 30))]


def test_stale_work_is_skipped_with_a_log_line_and_useful_work_is_sent(make_world, caplog):
    world = make_world(MONDAY)
    alex, _ = world.couple(LA, PHONES)
    promise(world, alex, "water the plants", at(0, 21))  # reminder 20:30: useless once it is due
    promise(world, alex, "call mum", at(0, 23))  # reminder 22:30: still useful at 22:45

    with caplog.at_level(logging.INFO):
        start_up(world, at(0, 22, 45))

    assert world.messages(kind="daily_question") == []
    assert "daily question of 2026-11-23 skipped (stale" in caplog.text
    with world.tx() as session:
        assert session.get(Partner, alex).couple.next_question_at == at(1, 19)
    states = {m.body.removeprefix("Reminder from Trust Builder: ").split(",")[0]: m.state
              for m in world.messages(kind="promise_reminder")}
    assert states == {"water the plants": "expired", "call mum": "sent"}
    assert "expired (promise_reminder)" in caplog.text
    assert world.unaccounted() == []


def test_after_days_away_only_the_latest_question_can_go(make_world, caplog):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, PHONES)

    with caplog.at_level(logging.INFO):
        start_up(world, at(3, 19, 30))

    questions = world.messages(kind="daily_question")
    assert {m.idempotency_key for m in questions} == {f"daily-question:{p}:2026-11-26" for p in (alex, sam)}
    assert all(m.state == "sent" for m in questions)
    assert "daily question of 2026-11-23 to 2026-11-25 skipped (stale: the scheduler was not running)" in caplog.text


def test_a_late_weekly_check_in_goes_the_next_morning_but_not_a_day_late(make_world, caplog):
    world = make_world(MONDAY)
    first = world.couple(LA, PHONES)
    world.tick()  # gives the couple its first weekly check-in time: Sunday 2026-11-29 18:00

    start_up(world, at(7, 7))  # Monday 07:00: quiet hours, so it waits for 08:00
    world.advance_to(at(7, 9))
    [summary, _] = world.messages(kind="weekly_checkin", state="sent")
    assert (wall_clock(summary.send_after), wall_clock(summary.sent_at)) == (time(8), time(8))
    assert summary.partner_id == first[0]

    with caplog.at_level(logging.INFO):
        start_up(world, at(14, 19))  # the next Sunday's summary is now a day late
    assert len(world.messages(kind="weekly_checkin")) == 2
    assert "weekly check-in of 2026-12-06 skipped (stale)" in caplog.text
    with world.tx() as session:
        assert session.get(Couple, 1).next_summary_at == at(20, 18)


def test_restarting_twice_sends_nothing_twice(make_world):
    world = make_world(MONDAY)
    world.couple(LA, PHONES)
    start_up(world, at(0, 20))

    again = Dispatcher(world.runtime.sessions, world.runtime.gateway, world.clock)
    try:
        stats = jobs.catch_up(world.runtime, again)
    finally:
        again.close()

    assert stats.sent == 0
    assert len(world.twilio.sent) == 2 and world.unaccounted() == []
