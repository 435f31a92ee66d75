"""Thinking-about-you schedules: only ever an offer to the sender (nothing goes in anyone's name without
them), a deterministic minute per partner and day, and the recipient's consent respected."""
import logging
from datetime import date, datetime, timedelta, timezone

import pytest

from core import local_time
from core.errors import InvalidInput
from core.models import NudgeSchedule, Partner
from core.services import couples, thinking_moments

LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
NOON, FOUR = 12 * 60, 16 * 60
EVERY_DAY, SATURDAY = 0b1111111, 0b0100000


@pytest.fixture
def world(make_world):
    made = make_world(MONDAY)
    made.couple(LA, ("+14155550151", "+14155550152"))
    return made


def schedule(world, partner_id=1, start=NOON, end=FOUR, days=EVERY_DAY) -> NudgeSchedule:
    with world.tx() as session:
        return thinking_moments.set_nudge_schedule(session, session.get(Partner, partner_id), start, end, days,
                                                   world.clock())


def local_day_time(instant: datetime) -> str:
    return local_time.local_now(instant, LA).strftime("%a %H:%M")


@pytest.mark.parametrize("start, end, days", [(NOON, NOON, EVERY_DAY), (FOUR, NOON, EVERY_DAY), (-1, NOON, EVERY_DAY),
                                              (NOON, 24 * 60, EVERY_DAY), (NOON, FOUR, 0), (NOON, FOUR, 128)])
def test_a_schedule_needs_a_window_within_one_day_and_at_least_one_weekday(world, start, end, days):
    with pytest.raises(InvalidInput):
        schedule(world, start=start, end=end, days=days)


def test_the_minute_is_fixed_per_partner_and_day_and_inside_the_window():
    minutes = {thinking_moments.nudge_minute(7, date(2026, 11, 23) + timedelta(days=n), NOON, FOUR) for n in range(60)}
    assert all(NOON <= m < FOUR for m in minutes) and len(minutes) > 30
    assert thinking_moments.nudge_minute(7, date(2026, 11, 23), NOON, FOUR) == \
        thinking_moments.nudge_minute(7, date(2026, 11, 23), NOON, FOUR)


def test_only_chosen_weekdays_and_a_replaced_schedule_starts_afresh(world):
    first = schedule(world, days=SATURDAY)
    assert local_day_time(first.next_at).startswith("Sat ")
    replaced = schedule(world, start=9 * 60 + 30, end=10 * 60, days=EVERY_DAY)
    assert replaced.id == first.id and local_day_time(replaced.next_at).startswith("Mon 09:")


def test_an_offer_asks_the_sender_and_waits_for_their_reply(world):
    made = schedule(world)

    world.advance_to(MONDAY + timedelta(hours=8))  # 17:00

    [offer] = world.messages(kind="nudge_offer")
    assert (offer.partner_id, offer.sent_at, offer.idempotency_key) == (1, made.next_at, "nudge-offer:1:2026-11-23:1")
    with world.tx() as session:
        alex = session.get(Partner, 1)
        assert (couples.awaited(alex, made.next_at), alex.awaiting_until) == (
            "nudge_offer", made.next_at + timedelta(minutes=thinking_moments.OFFER_REPLY_MINUTES))
    assert world.messages(partner_id=2) == []  # nothing reaches Sam unless Alex replies


def test_no_offer_while_another_reply_is_awaited(world, caplog):
    schedule(world)
    with world.tx() as session:
        couples.expect_reply(session.get(Partner, 1), "confirm_kept", world.clock(), ref=1)

    with caplog.at_level(logging.INFO):
        world.advance_to(MONDAY + timedelta(hours=8))

    assert world.messages() == []
    assert "offer of 2026-11-23 skipped (a reply is awaited)" in caplog.text


def test_a_moment_never_sends_in_the_sender_s_name_even_over_a_week(world):
    """No automated affection: a week of moments asks Alex every day and never texts Sam by itself."""
    schedule(world)

    world.advance_to(MONDAY + timedelta(days=7))

    offers = world.messages(kind="nudge_offer")
    assert len(offers) == 7 and {m.partner_id for m in offers} == {1}
    assert [m for m in world.messages(partner_id=2) if m.kind in ("thinking", "thinking_auto", "nudge_offer")] == []
    assert not hasattr(Partner, "auto_thinking")


def test_nothing_when_the_partner_has_said_stop(world, caplog):
    schedule(world)
    schedule(world, partner_id=2)
    with world.tx() as session:
        couples.opt_out(session, session.get(Partner, 2), world.clock())

    with caplog.at_level(logging.INFO):
        world.advance_to(MONDAY + timedelta(hours=8))

    assert world.messages() == []
    assert "moment of 2026-11-23 skipped (partner cannot receive texts)" in caplog.text


def test_thinking_off_stops_the_partners_moments_to_them_but_not_their_own(world, caplog):
    schedule(world)  # Alex is offered moments to tell Sam
    schedule(world, partner_id=2)  # Sam is offered moments to tell Alex
    with world.tx() as session:
        session.get(Partner, 1).takes_thinking = False  # Alex: THINKING OFF

    with caplog.at_level(logging.INFO):
        world.advance_to(MONDAY + timedelta(hours=8))

    assert world.messages(partner_id=2, kind="nudge_offer") == []  # Sam is not even asked
    assert "partner 2: thinking-about-you moment of 2026-11-23 skipped (partner paused or turned thinking " \
           "texts off)" in caplog.text
    assert [m.partner_id for m in world.messages(kind="nudge_offer")] == [1]  # Alex is still asked about their own


def test_a_paused_partner_gets_no_moments_and_sends_none(world, caplog):
    schedule(world)
    schedule(world, partner_id=2)
    with world.tx() as session:
        session.get(Partner, 1).paused = True  # Alex: PAUSE

    with caplog.at_level(logging.INFO):
        world.advance_to(MONDAY + timedelta(hours=8))

    assert world.messages() == []
    assert "partner 1: thinking-about-you moment of 2026-11-23 skipped (paused)" in caplog.text


def test_after_downtime_only_a_moment_still_in_its_window_is_used(world, caplog):
    schedule(world, start=9 * 60 + 30, end=20 * 60)
    late = local_time.at_minute(date(2026, 11, 25), 19 * 60 + 59, LA)  # Wednesday 19:59, down since Monday
    world.clock.set(late)

    with caplog.at_level(logging.INFO):
        world.tick()

    [offer] = world.messages(kind="nudge_offer")
    assert (offer.idempotency_key, offer.sent_at) == ("nudge-offer:1:2026-11-25:1", late)
    assert "thinking-about-you moment of 2026-11-24 skipped (stale)" not in caplog.text  # jumped over, silently
    with world.tx() as session:
        assert local_day_time(session.get(NudgeSchedule, 1).next_at).startswith("Thu ")


def test_stopping_a_schedule(world):
    schedule(world)
    with world.tx() as session:
        alex = session.get(Partner, 1)
        assert thinking_moments.stop_nudge_schedule(session, alex) is True
        assert thinking_moments.stop_nudge_schedule(session, alex) is False

    world.advance_to(MONDAY + timedelta(days=2))

    assert world.messages(kind="nudge_offer") == []
