"""Local time at the edges: DST gaps and folds (US and New Zealand), the next daily time across DST,
quiet hours that wrap midnight, and when they end."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.local_time import (at_minute, in_quiet_hours, local_date, local_now, local_to_utc, next_at_minute,
                            quiet_hours_end, week_start)

UTC = timezone.utc
NY, LA, NZ = "America/New_York", "America/Los_Angeles", "Pacific/Auckland"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# local_to_utc: ordinary times, gaps and folds


@pytest.mark.parametrize("local, tz, expected", [
    (datetime(2026, 1, 15, 19, 0), NY, utc(2026, 1, 16, 0, 0)),  # EST, -5
    (datetime(2026, 7, 15, 19, 0), NY, utc(2026, 7, 15, 23, 0)),  # EDT, -4
    (datetime(2026, 1, 15, 19, 0), NZ, utc(2026, 1, 15, 6, 0)),  # NZDT, +13
    (datetime(2026, 7, 15, 19, 0), NZ, utc(2026, 7, 15, 7, 0)),  # NZST, +12
])
def test_ordinary_local_times(local, tz, expected):
    assert local_to_utc(local, tz) == expected


@pytest.mark.parametrize("local, tz, expected", [
    # US spring forward, 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:00-02:59 do not exist.
    (datetime(2026, 3, 8, 2, 0), NY, utc(2026, 3, 8, 7, 0)),
    (datetime(2026, 3, 8, 2, 30), NY, utc(2026, 3, 8, 7, 0)),
    (datetime(2026, 3, 8, 2, 59, 59), NY, utc(2026, 3, 8, 7, 0)),
    (datetime(2026, 3, 8, 2, 30), LA, utc(2026, 3, 8, 10, 0)),
    # NZ spring forward, 2026-09-27: 02:00 NZST becomes 03:00 NZDT.
    (datetime(2026, 9, 27, 2, 30), NZ, utc(2026, 9, 26, 14, 0)),
    # Lord Howe jumps by half an hour: 02:00 becomes 02:30.
    (datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
])
def test_a_time_in_a_gap_moves_to_the_end_of_the_gap(local, tz, expected):
    moved = local_to_utc(local, tz)
    assert moved == expected
    assert moved.tzinfo == UTC
    assert local_now(moved, tz).replace(tzinfo=None) > local  # later on the wall clock, never earlier


@pytest.mark.parametrize("local, tz, first", [
    # US fall back, 2026-11-01: 01:00-01:59 happen twice (EDT then EST).
    (datetime(2026, 11, 1, 1, 30), NY, utc(2026, 11, 1, 5, 30)),
    (datetime(2026, 11, 1, 1, 0), LA, utc(2026, 11, 1, 8, 0)),
    # NZ fall back, 2026-04-05: 02:00-02:59 happen twice (NZDT then NZST).
    (datetime(2026, 4, 5, 2, 30), NZ, utc(2026, 4, 4, 13, 30)),
])
def test_a_repeated_time_takes_its_first_occurrence(local, tz, first):
    assert local_to_utc(local, tz) == first
    second = first + timedelta(hours=1)
    assert local_now(second, tz).replace(tzinfo=None) == local  # the hour really repeats


def test_the_edges_of_a_gap_are_ordinary_times():
    assert local_to_utc(datetime(2026, 3, 8, 1, 59), NY) == utc(2026, 3, 8, 6, 59)
    assert local_to_utc(datetime(2026, 3, 8, 3, 0), NY) == utc(2026, 3, 8, 7, 0)


# Dates and daily times


def test_local_date_is_the_couples_calendar_date():
    instant = utc(2026, 11, 23, 12, 0)
    assert local_date(instant, NZ) == date(2026, 11, 24)  # 01:00 next day in Auckland
    assert local_date(instant, LA) == date(2026, 11, 23)  # 04:00 in Los Angeles


def test_at_minute_on_a_local_day():
    assert at_minute(date(2026, 11, 23), 19 * 60 + 30, LA) == utc(2026, 11, 24, 3, 30)
    assert at_minute(date(2026, 3, 8), 2 * 60 + 30, NY) == utc(2026, 3, 8, 7, 0)  # in the gap


def test_next_at_minute_later_today():
    now = utc(2026, 11, 23, 17, 0)  # 09:00 in LA
    assert next_at_minute(now, 19 * 60, LA) == utc(2026, 11, 24, 3, 0)


def test_next_at_minute_is_strictly_after_now():
    now = utc(2026, 11, 24, 3, 0)  # exactly 19:00 in LA
    assert next_at_minute(now, 19 * 60, LA) == utc(2026, 11, 25, 3, 0)


def test_next_at_minute_keeps_the_wall_clock_across_spring_forward():
    now = utc(2026, 3, 8, 0, 30)  # 19:30 EST on Saturday March 7
    nxt = next_at_minute(now, 19 * 60, NY)
    assert nxt == utc(2026, 3, 8, 23, 0)  # 19:00 EDT: 22.5 hours later, not 24
    assert local_now(nxt, NY).hour == 19


def test_next_at_minute_keeps_the_wall_clock_across_fall_back():
    now = utc(2026, 11, 1, 0, 0)  # 20:00 EDT on Saturday October 31
    nxt = next_at_minute(now, 19 * 60, NY)
    assert nxt == utc(2026, 11, 2, 0, 0)  # 19:00 EST: 24 hours later by the clock, 25 by the sun
    assert local_now(nxt, NY).hour == 19


def test_next_at_minute_across_new_zealand_dst():
    now = utc(2026, 9, 26, 8, 0)  # 20:00 NZST on Saturday September 26
    nxt = next_at_minute(now, 19 * 60, NZ)
    assert nxt == utc(2026, 9, 27, 6, 0)  # 19:00 NZDT on Sunday
    assert local_now(nxt, NZ).hour == 19


def test_next_at_minute_inside_a_gap_goes_to_the_gap_end_and_then_to_the_next_day():
    before = utc(2026, 3, 8, 5, 0)  # 00:00 EST
    assert next_at_minute(before, 2 * 60 + 30, NY) == utc(2026, 3, 8, 7, 0)
    after = utc(2026, 3, 8, 7, 0)
    assert next_at_minute(after, 2 * 60 + 30, NY) == utc(2026, 3, 9, 6, 30)


def test_next_at_minute_in_a_repeated_hour_happens_once_a_day():
    first = utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first of two
    assert next_at_minute(first - timedelta(minutes=1), 90, NY) == first
    assert next_at_minute(first, 90, NY) == utc(2026, 11, 2, 6, 30)  # not the second 01:30 an hour later


def test_week_start_is_monday():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)  # Sunday -> Monday
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


# Quiet hours


def la(hour, minute=0, day=23, month=11) -> datetime:
    """An instant given by its Los Angeles wall time in November 2026 (PST, -8)."""
    return local_to_utc(datetime(2026, month, day, hour, minute), LA)


@pytest.mark.parametrize("hour, minute, quiet", [
    (20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (3, 0, True), (7, 59, True),
    (8, 0, False), (12, 0, False),
])
def test_quiet_hours_wrapping_midnight(hour, minute, quiet):
    assert in_quiet_hours(la(hour, minute), LA, 21, 8) is quiet


@pytest.mark.parametrize("hour, quiet", [(12, False), (13, True), (14, True), (15, False), (2, False)])
def test_quiet_hours_within_one_day(hour, quiet):
    assert in_quiet_hours(la(hour), LA, 13, 15) is quiet


def test_equal_start_and_end_means_no_quiet_hours():
    assert not any(in_quiet_hours(la(hour), LA, 22, 22) for hour in range(24))


def test_quiet_hours_follow_the_couples_zone_not_utc():
    instant = utc(2026, 11, 23, 12, 0)  # 04:00 in LA, 01:00 next day in Auckland, 12:00 UTC
    assert in_quiet_hours(instant, LA, 21, 8)
    assert in_quiet_hours(instant, NZ, 21, 8)
    assert not in_quiet_hours(instant, "UTC", 21, 8)


def test_quiet_hours_end_late_evening_is_next_morning():
    assert quiet_hours_end(la(23, 15), LA, 21, 8) == la(8, 0, day=24)


def test_quiet_hours_end_after_midnight_is_this_morning():
    assert quiet_hours_end(la(2, 0), LA, 21, 8) == la(8, 0)


def test_quiet_hours_end_is_now_when_not_quiet():
    now = la(12, 34)
    assert quiet_hours_end(now, LA, 21, 8) == now


def test_quiet_hours_end_across_spring_forward():
    night = utc(2026, 3, 8, 6, 0)  # 01:00 EST on the night the clocks go forward
    end = quiet_hours_end(night, NY, 21, 8)
    assert end == utc(2026, 3, 8, 12, 0)  # 08:00 EDT
    assert local_now(end, NY).hour == 8
