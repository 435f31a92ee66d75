"""The weekly ritual's rules, on the storage (SQLite, and PostgreSQL when configured): which week a
check-in belongs to, the trend read by direction in plain words (never one score, never the partner's),
setbacks as dated events, and the one counsellor rule."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core import local_time
from core.errors import InvalidInput
from core.models import CheckIn
from core.services import ratings, setbacks, weekly_checkin
from core.services.ratings import Trend

UTC = timezone.utc
LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_a_check_in_belongs_to_the_latest_weekly_time(session, alex):
    couple = alex.couple
    assert weekly_checkin.week_of(couple, MONDAY) == date(2026, 11, 22)  # last Sunday
    sunday_evening = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)  # Sun 18:30 LA
    assert weekly_checkin.week_of(couple, sunday_evening) == date(2026, 11, 29)
    assert weekly_checkin.week_of(couple, sunday_evening - timedelta(hours=1)) == date(2026, 11, 22)


def test_the_questions_come_in_a_caring_order(session, alex, sam):
    words = [weekly_checkin.question(alex, step).words for step in (1, 2, 3)]
    assert "Sam" in words[0] and "appreciated" in words[0]
    assert "steady, or hard" in words[1] and "focus on next week" in words[2]


@pytest.mark.parametrize("directions, said", [
    ({"safe": "risen", "trusting": "steady", "connected": "steady"},
     "Over the last four weeks, your sense of safety has risen and your trust and your sense of connection have "
     "held steady."),
    ({"safe": "dipped", "trusting": "risen", "connected": "risen"},
     "Over the last four weeks, your trust and your sense of connection have risen and your sense of safety has "
     "dipped a little."),
])
def test_the_trend_is_said_in_plain_words(directions, said):
    assert Trend(4, 4, directions).words() == said


def test_setbacks_are_dated_events_not_failures():
    words = Trend(1, setbacks=(date(2026, 11, 25),)).words()
    assert "hard day on Nov 25: part of the road, not a failure" in words and "fail" not in words.split(":")[0]
    many = Trend(4, 4, {"safe": "steady", "trusting": "steady", "connected": "steady"},
                 (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 25))).words()
    assert "3 hard days, the latest on Nov 25" in many


def rate_weeks(session, partner, values, start=MONDAY):
    for n, (safe, trusting, connected) in enumerate(values):
        ratings.rate(session, partner, safe, trusting, connected, f"r{partner.id}-{n}", start + timedelta(weeks=n))
    return start + timedelta(weeks=len(values) - 1)


def test_one_low_week_is_never_a_direction(session, alex, sam):
    now = rate_weeks(session, alex, [(7, 7, 7), (2, 7, 7), (7, 7, 7), (7, 7, 7)])  # one hard week among steady ones
    assert ratings.trend(session, alex, now).directions["safe"] == "steady"


def test_the_trend_is_the_owners_alone(session, alex, sam):
    now = rate_weeks(session, alex, [(3, 5, 5), (4, 5, 5), (6, 5, 5), (7, 5, 5)])
    mine = ratings.trend(session, alex, now)
    assert (mine.weeks, mine.directions["safe"], mine.directions["trusting"]) == (4, "risen", "steady")
    theirs = ratings.trend(session, sam, now)
    assert theirs.rated == 0 and theirs.directions == {}


@pytest.mark.parametrize("values", [(11, 5, 5), (-1, 5, 5), (True, 5, 5), (5.5, 5, 5)])
def test_ratings_go_from_0_to_10(session, alex, values):
    with pytest.raises(InvalidInput):
        ratings.rate(session, alex, *values, "bad", MONDAY)


def moods(session, partner, weekly: list[int], end: date):
    for weeks_back, value in zip(range(len(weekly) - 1, -1, -1), weekly):
        day = end - timedelta(weeks=weeks_back)
        session.add(CheckIn(partner_id=partner.id, couple_id=partner.couple_id, local_date=day, question_id="q",
                            channel="sms", mood=value, source_id=f"m{partner.id}{day}", created_at=MONDAY))
    session.flush()


def test_decline_needs_two_signals_going_down_and_none_up(session, alex, sam):
    today = local_time.local_date(MONDAY, LA)
    moods(session, alex, [5, 4, 3, 1], today)
    assert not setbacks.declining(session, alex, MONDAY)  # moods alone are not enough
    for days_back in (0, 4):
        setbacks.note_hard_day(session, alex, f"s{days_back}", MONDAY - timedelta(days=days_back))
    assert setbacks.declining(session, alex, MONDAY)
    assert setbacks.suggest_counsellor(session, alex, MONDAY, by_text=False)
    assert not setbacks.suggest_counsellor(session, alex, MONDAY + timedelta(days=29), by_text=False)
    assert setbacks.counsellor_due(session, alex, MONDAY + timedelta(days=31)) is False  # moods are old by then
    assert not setbacks.declining(session, sam, MONDAY)


def test_rising_ratings_hold_the_counsellor_back(session, alex):
    today = local_time.local_date(MONDAY, LA)
    moods(session, alex, [5, 4, 3, 1], today)
    for days_back in (0, 4):
        setbacks.note_hard_day(session, alex, f"s{days_back}", MONDAY - timedelta(days=days_back))
    for n, safe in enumerate((2, 4, 6, 8)):
        ratings.rate(session, alex, safe, safe, safe, f"up{n}", MONDAY - timedelta(weeks=3 - n))
    assert not setbacks.declining(session, alex, MONDAY)


def test_a_hard_day_is_noted_once_a_day_and_erases_nothing(session, alex):
    first = setbacks.note_hard_day(session, alex, "h1", MONDAY)
    again = setbacks.note_hard_day(session, alex, "h2", MONDAY + timedelta(hours=1))
    assert not first.already and again.already and again.setback.id == first.setback.id
    until = setbacks.pause_for_a_day(session, alex, MONDAY)
    assert until == MONDAY + timedelta(days=1) and alex.paused
    assert setbacks.pause_for_a_day(session, alex, MONDAY) is None  # already paused: nothing more
    assert setbacks.resume_due(session, MONDAY + timedelta(hours=23)) == 0
    assert setbacks.resume_due(session, MONDAY + timedelta(days=1)) == 1 and not alex.paused
