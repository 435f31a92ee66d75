"""How spoken promise times are read (promise_intake.read_spoken): "tonight", "after work", a bare hour."""
from datetime import date, datetime, timezone

import pytest

from core.services.promise_intake import read_spoken

LA = "America/Los_Angeles"
NINE_AM = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # Monday 9:00 AM in Los Angeles
TODAY, TOMORROW = date(2026, 11, 23), date(2026, 11, 24)


@pytest.mark.parametrize("task,day,minute,expected", [
    ("take out the trash", TODAY, 9 * 60, ("take out the trash", TODAY, 21 * 60, None)),  # "tonight" as a date
    ("take out the trash tonight", None, 9 * 60, ("take out the trash", TODAY, 21 * 60, None)),
    ("call mom after work", None, None, ("call mom", TODAY, 18 * 60, None)),
    ("call Sam this evening", None, 7 * 60, ("call Sam", None, 19 * 60, None)),
    ("walk the dog tomorrow morning", None, 8 * 60, ("walk the dog", TOMORROW, 8 * 60, None)),
    ("call Sam", None, 6 * 60, ("call Sam", None, 18 * 60, None)),  # few mean 6 AM without saying so
    ("call Sam", None, 2 * 60, ("call Sam", None, 14 * 60, 2 * 60)),  # 2: afternoon, but asked
    ("call Sam", None, 10 * 60, ("call Sam", None, 10 * 60, None)),  # still ahead this morning
    ("call Sam", None, 8 * 60 + 30, ("call Sam", None, 20 * 60 + 30, 8 * 60 + 30)),  # passed: tonight? asked
    ("call Sam", TOMORROW, 10 * 60, ("call Sam", TOMORROW, 10 * 60, None)),
    ("call Sam", TODAY, 10 * 60, ("call Sam", TODAY, 10 * 60, 22 * 60)),  # "today at ten" at 9 AM: asked
    ("call Sam", None, 21 * 60, ("call Sam", None, 21 * 60, None)),  # "nine PM" is plain
])
def test_spoken_times_are_read_the_way_people_mean_them(task, day, minute, expected):
    read = read_spoken(task, day, minute, LA, NINE_AM)
    assert (read.task, read.day, read.minute, read.other) == expected
