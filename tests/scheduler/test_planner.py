"""The planner: who gets the day's question, at which local instant across DST, for how long it is worth
sending, and that one couple's failure never blocks the others."""
import logging
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from core import local_time
from core.models import Couple, Partner
from core.services import checkins, personal_settings, planner, questions
from core.words import segments, texts
from prompts.bank import load_bank

UTC = timezone.utc
LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles
EVENING = MONDAY + timedelta(hours=10)  # 19:00


def test_partners_who_heard_or_answered_today_or_never_said_yes_get_no_text(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, ("+14155550131", "+14155550132"))
    carol, dave = world.couple(LA, ("+14155550133", "+14155550134"))
    with world.tx() as session:
        questions.mark_heard(session, session.get(Partner, alex), "voice", world.clock())
        checkins.record_check_in(session, session.get(Partner, sam), "Listening more", "sms", "SMa1", world.clock())
        session.get(Partner, dave).consent = "invited"

    world.advance_to(EVENING)

    assert [m.partner_id for m in world.messages(kind="daily_question")] == [carol]


def test_every_question_in_the_bank_fits_two_segments_and_most_carry_their_tip():
    bodies = [texts.daily_question(q.text, q.tip) for q in load_bank()]
    assert max(segments.segments(body) for body in bodies) == 2
    assert sum("Tip: " in body for body in bodies) > len(bodies) // 2


@pytest.mark.parametrize("body, expected", [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
                                            ("{" * 80, 1), ("{" * 81, 2), ("Zoë " * 17, 1), ("Zoë " * 18, 2)])
def test_segments_count_gsm7_extensions_and_ucs2(body, expected):
    assert segments.segments(body) == expected


@pytest.mark.parametrize("start, minute, expected", [
    # 02:30 does not exist on 2027-03-14: the question comes once, at 03:00 PDT; the next day at 02:30.
    (datetime(2027, 3, 13, 20, tzinfo=UTC), 150, ["2027-03-14 03:00 PDT", "2027-03-15 02:30 PDT"]),
    # 01:30 happens twice on 2026-11-01: the question comes once, at the first.
    (datetime(2026, 10, 31, 19, tzinfo=UTC), 90, ["2026-11-01 01:30 PDT", "2026-11-02 01:30 PST"]),
])
def test_a_question_time_that_dst_skips_or_repeats_fires_once_a_day(make_world, start, minute, expected):
    world = make_world(start)
    alex, _ = world.couple(LA, ("+14155550135", "+14155550136"), question_minute=minute)

    world.advance_to(start + timedelta(days=2))

    sent = [local_time.local_now(m.sent_at, LA).strftime("%Y-%m-%d %H:%M %Z")
            for m in world.messages(partner_id=alex, kind="daily_question")]
    assert sent == expected  # inside quiet hours, but the couple chose that time: sent then


def test_a_paused_partner_gets_no_question_their_partner_does_and_the_schedule_moves_on(make_world, caplog):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, ("+14155550137", "+14155550138"))
    with world.tx() as session:
        personal_settings.set_paused(session, session.get(Partner, alex), True)

    with caplog.at_level(logging.INFO):
        world.advance_to(EVENING)

    assert [m.partner_id for m in world.messages(kind="daily_question")] == [sam]
    assert f"partner {alex}: daily question of 2026-11-23 skipped (paused)" in caplog.text
    with world.tx() as session:
        assert session.get(Partner, alex).couple.next_question_at == EVENING + timedelta(days=1)


def test_one_couples_failure_is_logged_and_the_others_still_get_their_question(make_world, caplog):
    world = make_world(MONDAY)
    broken, _ = world.couple(LA, ("+14155550139", "+14155550140"))
    fine, _ = world.couple(LA, ("+14155550141", "+14155550142"))
    with world.tx() as session:  # a time zone this machine does not know (an old row, a removed zone)
        session.get(Partner, broken).couple.timezone = "Atlantis/Lost_City"
    world.clock.set(EVENING)
    with caplog.at_level(logging.ERROR), world.tx() as session:  # the question planner, as jobs.plan runs it
        assert planner.plan_questions(session, world.clock()) == 2
    world.dispatcher.run_until_idle()

    assert {m.partner_id for m in world.messages(kind="daily_question")} == {fine, fine + 1}
    assert "couple 1: daily question failed; trying again" in caplog.text
    with world.tx() as session:  # not skipped for good: tried again soon, while the evening lasts
        assert session.get(Couple, 1).next_question_at == EVENING + planner.RETRY_AFTER


class FailingInserts:
    """Makes the database refuse INSERTs into a table (as a lost connection would) while `failing` is set,
    or the first `times` of them."""

    def __init__(self, engine, table: str, times: int | None = None):
        self.engine, self.table, self.times, self.failing, self.refused = engine, table, times, True, 0
        event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.failing and statement.startswith(f"INSERT INTO {self.table}") and \
                (self.times is None or self.refused < self.times):
            self.refused += 1
            raise OperationalError(statement[:40], {}, Exception("connection lost"))

    def remove(self):
        event.remove(self.engine, "before_cursor_execute", self)


def test_when_planning_together_fails_each_couple_is_planned_alone_and_only_a_broken_one_waits(
        make_world, monkeypatch, caplog):
    world = make_world(MONDAY)
    broken, _ = world.couple(LA, ("+14155550139", "+14155550140"))
    fine, _ = world.couple(LA, ("+14155550141", "+14155550142"))
    real = questions.todays_question

    def todays_question(session, couple, now, bank=None):  # the one-couple path's look at the day's question
        if couple.id == 1:
            raise RuntimeError("a broken row")
        return real(session, couple, now, bank)

    monkeypatch.setattr(questions, "todays_question", todays_question)
    failing = FailingInserts(world.runtime.engine, "outbound_message", times=1)  # the batch's one insert
    world.clock.set(EVENING)
    with caplog.at_level(logging.WARNING):
        world.tick()
    failing.remove()

    assert failing.refused == 1
    assert "planning 2 couples' questions together failed; planning them one by one" in caplog.text
    assert {m.partner_id for m in world.messages(kind="daily_question")} == {fine, fine + 1}
    assert "couple 1: daily question failed; trying again" in caplog.text
    with world.tx() as session:
        assert session.get(Couple, 1).next_question_at == EVENING + planner.RETRY_AFTER
        assert session.get(Couple, 2).next_question_at == EVENING + timedelta(days=1)


def test_one_database_error_while_planning_delays_the_question_and_never_skips_it(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, ("+14155550139", "+14155550140"))
    failing = FailingInserts(world.runtime.engine, "outbound_message")  # together, and each couple alone
    world.clock.set(EVENING)
    world.tick()
    assert failing.refused >= 2 and world.messages(kind="daily_question") == []
    failing.failing = False
    world.clock.set(EVENING + planner.RETRY_AFTER)
    world.tick()
    failing.remove()
    assert {m.partner_id for m in world.messages(kind="daily_question")} == {alex, sam}
    with world.tx() as session:
        assert session.get(Couple, 1).next_question_at == EVENING + timedelta(days=1)


@pytest.mark.parametrize("quiet, minute, expires, respect", [
    ((21, 8), 19 * 60, time(21), True),  # until quiet hours start
    ((23, 7), 19 * 60, time(23), True),
    ((1, 7), 19 * 60, time(0), True),  # quiet hours start after midnight: the day ends first
    ((0, 0), 19 * 60, time(0), True),  # no quiet hours at all: the day's end
    ((21, 8), 22 * 60, time(0), False),  # a time chosen inside quiet hours is sent then
])
def test_question_window(quiet, minute, expires, respect):
    partner = Partner(couple=Couple(timezone=LA, question_minute=minute), quiet_start=quiet[0], quiet_end=quiet[1])
    due, until, respect_quiet = planner.question_window(partner, MONDAY.date())
    assert local_time.local_now(due, LA).time() == time(minute // 60, minute % 60)
    assert local_time.local_now(until, LA).time() == expires and until > due
    assert respect_quiet is respect


def test_the_first_weekly_summary_waits_for_a_few_days_of_use(make_world):
    saturday = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    world = make_world(saturday)
    world.couple(LA, ("+14155550143", "+14155550144"))

    world.tick()

    with world.tx() as session:
        first = session.get(Couple, 1).next_summary_at
    assert local_time.local_now(first, LA).strftime("%a %Y-%m-%d %H:%M") == "Sun 2026-12-06 18:00"


def test_next_weekly_is_sunday_evening_local_also_on_a_dst_sunday():
    after = datetime(2027, 3, 13, 12, tzinfo=UTC)
    at = planner.next_weekly(after, planner.SUNDAY, planner.SUMMARY_MINUTE, LA)
    assert local_time.local_now(at, LA).strftime("%a %Y-%m-%d %H:%M %Z") == "Sun 2027-03-14 18:00 PDT"
    assert planner.next_weekly(at, planner.SUNDAY, planner.SUMMARY_MINUTE, LA) == at + timedelta(days=7)
