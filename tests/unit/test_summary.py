"""The weekly summary: each partner's check-in days and promises over the last seven local days,
one small win, the counsellor line only after three declining weeks, and never words of guilt."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.services import checkins, couples, promises, summary
from core.services.summary import WeekFigures
from core.local_time import at_minute

LA = "America/Los_Angeles"
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)  # Sunday 29 November, 20:00 in LA
WEEK = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]  # Monday 23 to Sunday 29
GUILT = ("fail", "should", "missed", "disappoint", "blame", "shame", "lazy", "only", "not enough", "behind")


@pytest.fixture
def pair(session):
    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    alex = couples.create_couple(session, "Alex", "+14155550100", start, LA)
    sam = couples.invite_partner(session, alex, "+14155550132", "Sam", start)
    couples.accept_invite(session, sam, start)
    return alex, sam


def check_in_on(session, partner, day, hour=12, tag=""):
    when = at_minute(day, hour * 60, LA)
    checkins.record_check_in(session, partner, "an answer", "sms", f"{partner.id}:{day}:{hour}:{tag}", when)


def promise_due(session, partner, due, state=None):
    """A promise due at `due`, made an hour before and settled (kept/missed/cancelled) an hour after."""
    made = promises.make_promise(session, partner, f"promise at {due.isoformat()}", due, LA, due - timedelta(hours=1))
    if state:
        promises.settle(session, partner, made, state, due + timedelta(hours=1))
    return made


def noon(day) -> datetime:
    return at_minute(day, 12 * 60, LA)


def assert_kind(text):
    lowered = text.lower()
    assert not [word for word in GUILT if word in lowered], text


# Counting


def test_counts_for_each_partner(session, pair):
    alex, sam = pair
    for day in (WEEK[0], WEEK[1], WEEK[2], WEEK[4], WEEK[6]):
        check_in_on(session, alex, day)
    check_in_on(session, alex, WEEK[1], hour=20)  # a second answer on Tuesday: still one day
    check_in_on(session, alex, WEEK[0] - timedelta(days=1))  # the Sunday before: another week
    checkins.record_mood(session, sam, 4, "voice", "sam-mood", noon(WEEK[1]))
    check_in_on(session, sam, WEEK[3])
    for day, state in ((WEEK[0], "kept"), (WEEK[2], "kept"), (WEEK[3], "missed"), (WEEK[4], "cancelled"),
                       (WEEK[5], None), (WEEK[0] - timedelta(days=2), "kept")):
        promise_due(session, alex, noon(day), state)
    promise_due(session, sam, noon(WEEK[5]), "kept")

    week = summary.weekly_summary(session, alex, NOW)
    assert week.you == WeekFigures("Alex", 5, 4, 2, 1)  # cancelled promises are not counted as made
    assert week.partner == WeekFigures("Sam", 2, 1, 1, 0)  # a mood counts as showing up
    text = week.text()
    assert "You checked in on 5 days this week, made 4 promises and kept 2." in text
    assert "Sam checked in on 2 days this week, made 1 promise and kept 1." in text
    assert "Small win: 2 kept promises." in text
    assert not week.declining
    assert_kind(text)


def test_each_partner_sees_their_own_side_first(session, pair):
    alex, sam = pair
    check_in_on(session, alex, WEEK[0])
    week = summary.weekly_summary(session, sam, NOW)
    assert (week.you.name, week.you.check_in_days) == ("Sam", 0)
    assert (week.partner.name, week.partner.check_in_days) == ("Alex", 1)
    assert week.text().startswith("You checked in on 0 days this week. Alex checked in on 1 day this week.")


def test_the_week_is_the_last_seven_local_days(session, pair):
    alex, _ = pair
    monday_start = at_minute(WEEK[0], 0, LA)  # 08:00 UTC on the 23rd
    promise_due(session, alex, monday_start, "kept")
    promise_due(session, alex, monday_start - timedelta(minutes=1), "kept")  # 23:59 the Sunday before
    check_in_on(session, alex, WEEK[6], hour=23)  # 07:00 UTC on the 30th, still Sunday in LA
    figures = summary.weekly_summary(session, alex, NOW).you
    assert (figures.check_in_days, figures.promises_made, figures.promises_kept) == (1, 1, 1)


def test_no_promises_means_no_promise_line(session, pair):
    alex, _ = pair
    check_in_on(session, alex, WEEK[0])
    assert summary.weekly_summary(session, alex, NOW).text().startswith("You checked in on 1 day this week. ")


def test_a_partner_who_erased_their_data_is_left_out(session, pair):
    alex, sam = pair
    check_in_on(session, alex, WEEK[0])
    couples.erase_partner(session, sam, NOW)
    week = summary.weekly_summary(session, alex, NOW)
    assert week.partner is None
    assert "deleted" not in week.text()


def test_someone_without_a_partner_gets_a_summary(session):
    alone = couples.create_couple(session, "Alex", "+16505550199", NOW - timedelta(days=30), LA)
    check_in_on(session, alone, WEEK[2])
    week = summary.weekly_summary(session, alone, NOW)
    assert week.partner is None
    assert week.text() == "You checked in on 1 day this week. Small win: you showed up this week. Every answer counts."


# The small win


@pytest.mark.parametrize("you, theirs, win", [
    ((5, 0, 0), (6, 0, 0), "you both showed up almost every day"),
    ((7, 3, 1), (4, 0, 0), "Small win: 1 kept promise."),
    ((7, 3, 2), None, "Small win: 2 kept promises."),
    ((2, 0, 0), (1, 0, 0), "you both made time to answer"),
    ((2, 1, 0), (0, 0, 0), "you showed up this week"),
    ((0, 0, 0), (3, 1, 1), "fresh start"),
    ((0, 0, 0), None, "fresh start"),
])
def test_there_is_always_a_small_win(you, theirs, win):
    def week(name, days, made, kept):
        return WeekFigures(name, days, made, kept, made - kept)
    mine = week("Alex", *you)
    other = week("Sam", *theirs) if theirs else None
    text = summary.small_win(mine, other)
    assert win in text
    assert_kind(text)


# Three weeks in decline: the counsellor line, gently


def three_weeks(session, alex, sam, check_in_days, missed):
    """For weeks two, one and zero back: check-in days for each partner and Alex's missed promises."""
    for weeks_back, days, misses in zip((2, 1, 0), check_in_days, missed):
        week = [day - timedelta(days=7 * weeks_back) for day in WEEK]
        for partner in (alex, sam):
            for day in week[:days]:
                check_in_on(session, partner, day)
        for day in week[:misses]:
            promise_due(session, alex, noon(day), "missed")


def test_three_declining_weeks_bring_the_counsellor_line(session, pair):
    alex, sam = pair
    three_weeks(session, alex, sam, check_in_days=(5, 3, 1), missed=(0, 1, 2))
    week = summary.weekly_summary(session, alex, NOW)
    assert week.declining
    assert "counsellor" in week.text()
    assert summary.weekly_summary(session, sam, NOW).declining  # the couple's trend, seen by either
    assert_kind(week.text())


@pytest.mark.parametrize("check_in_days, missed", [
    ((5, 3, 1), (0, 0, 0)),  # fewer answers but no missed promises
    ((5, 5, 1), (0, 1, 2)),  # not three weeks of decline
    ((1, 3, 5), (0, 1, 2)),  # answers rising
    ((5, 3, 1), (2, 1, 0)),  # missed promises falling
])
def test_no_counsellor_line_without_a_three_week_decline(session, pair, check_in_days, missed):
    alex, sam = pair
    three_weeks(session, alex, sam, check_in_days, missed)
    week = summary.weekly_summary(session, alex, NOW)
    assert not week.declining
    assert "counsellor" not in week.text()


def test_a_quiet_week_is_never_guilt(session, pair):
    alex, sam = pair
    for state in ("missed", "missed", "missed"):
        promise_due(session, alex, noon(WEEK[1]), state)
    text = summary.weekly_summary(session, alex, NOW).text()
    assert "fresh start" in text
    assert_kind(text)
