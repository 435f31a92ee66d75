"""Natural-language times: task/time splitting in several zones, DST edges, zone names, spoken times."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from core.local_time import local_to_utc
from core.time_phrases import parse_clock, split_task_and_time
from core.words.times import describe_local
from core.zone_names import resolve_timezone

UTC = timezone.utc
LA, AKL, LDN, NY = "America/Los_Angeles", "Pacific/Auckland", "Europe/London", "America/New_York"


def at(tz: str, text: str) -> datetime:
    """An aware instant from a local ISO time in tz."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


# (text, zone, local now, expected task, expected local time or None). 2026-06-10 is a Wednesday.
SPLITS = [
    ("call mom tomorrow at 6pm", LA, "2026-06-10 09:00", "call mom", "2026-06-11 18:00"),
    ("to call mom tomorrow at 6pm", LA, "2026-06-10 09:00", "call mom", "2026-06-11 18:00"),
    ("Call mom, tomorrow at 6 p.m.", LA, "2026-06-10 09:00", "Call mom", "2026-06-11 18:00"),
    ("call Sam at six", LA, "2026-06-10 09:00", "call Sam", "2026-06-10 18:00"),
    ("call Sam at 6", LA, "2026-06-10 09:00", "call Sam", "2026-06-10 18:00"),
    ("call at 6:30", LA, "2026-06-10 09:00", "call", "2026-06-10 18:30"),
    ("run at 06:30", LA, "2026-06-10 09:00", "run", "2026-06-11 06:30"),
    ("dinner at 18:30", LA, "2026-06-10 09:00", "dinner", "2026-06-10 18:30"),
    ("coffee at 8am", LA, "2026-06-10 09:00", "coffee", "2026-06-11 08:00"),
    ("pick up the kids by 5", LA, "2026-06-10 09:00", "pick up the kids", "2026-06-10 17:00"),
    ("meet at the cafe at 7:15pm", LA, "2026-06-10 09:00", "meet at the cafe", "2026-06-10 19:15"),
    ("text her at 8pm", LA, "2026-06-10 21:00", "text her", "2026-06-11 20:00"),
    ("tonight", LA, "2026-06-10 09:00", "", "2026-06-10 20:00"),
    ("dinner tonight at 9", LA, "2026-06-10 09:00", "dinner", "2026-06-10 21:00"),
    ("watch a movie this evening", LA, "2026-06-10 09:00", "watch a movie", "2026-06-10 19:00"),
    ("tomorrow", LA, "2026-06-10 09:00", "", "2026-06-11 09:00"),
    ("run tomorrow morning at 6", LA, "2026-06-10 09:00", "run", "2026-06-11 06:00"),
    ("yoga this afternoon at 4:30", LA, "2026-06-10 09:00", "yoga", "2026-06-10 16:30"),
    ("go for a run tomorrow morning", LA, "2026-06-10 09:00", "go for a run", "2026-06-11 09:00"),
    ("buy flowers on friday", LA, "2026-06-10 09:00", "buy flowers", "2026-06-12 09:00"),
    ("date night friday evening", LA, "2026-06-10 09:00", "date night", "2026-06-12 19:00"),
    ("lunch next monday at noon", LA, "2026-06-10 09:00", "lunch", "2026-06-15 12:00"),
    ("wrap gifts dec 24 at 9am", LA, "2026-06-10 09:00", "wrap gifts", "2026-12-24 09:00"),
    ("anniversary dinner 24th of december", LA, "2026-06-10 09:00", "anniversary dinner", "2026-12-24 09:00"),
    ("set an alarm for 7:45am", LA, "2026-06-10 09:00", "set an alarm", "2026-06-11 07:45"),
    ("text her in 2 hours", LA, "2026-06-10 09:00", "text her", "2026-06-10 11:00"),
    ("check in in half an hour", LA, "2026-06-10 09:00", "check in", "2026-06-10 09:30"),
    ("visit in 3 days at 6pm", LA, "2026-06-10 09:00", "visit", "2026-06-13 18:00"),
    ("call mom", LA, "2026-06-10 09:00", "call mom", None),
    ("buy 2 apples", LA, "2026-06-10 09:00", "buy 2 apples", None),
    ("plan feb 30 party", LA, "2026-06-10 09:00", "plan feb 30 party", None),
    # Auckland: its own date is already a day ahead of UTC.
    ("call mum at 7", AKL, "2026-06-10 20:30", "call mum", "2026-06-11 19:00"),
    ("walk tomorrow", AKL, "2026-06-10 23:30", "walk", "2026-06-11 09:00"),
    ("book the bach on saturday at 10am", AKL, "2026-06-10 09:00", "book the bach", "2026-06-13 10:00"),
    # London.
    ("ring mum at 5:30pm", LDN, "2026-03-28 12:00", "ring mum", "2026-03-28 17:30"),
    ("ring mum tomorrow at 1", LDN, "2026-03-28 12:00", "ring mum", "2026-03-29 13:00"),
    ("bins out in the morning", LDN, "2026-06-10 10:00", "bins out", "2026-06-11 09:00"),
    # DST: spring-forward gap moves to the end of the gap; fall-back takes the first 01:30.
    ("tomorrow 2:30am", NY, "2027-03-13 20:00", "", "2027-03-14 03:00"),
    ("tomorrow at 1:30am", NY, "2026-10-31 20:00", "", "2026-11-01 01:30"),
]


@pytest.mark.parametrize(("text", "tz", "local_now", "task", "local_when"), SPLITS,
                         ids=[f"{row[1].split('/')[-1]}:{row[0]}" for row in SPLITS])
def test_split_task_and_time(text, tz, local_now, task, local_when):
    got_task, got_when = split_task_and_time(text, tz, at(tz, local_now).astimezone(UTC))
    assert got_task == task
    if local_when is None:
        assert got_when is None
    else:
        assert got_when.tzinfo is UTC
        # Compare in UTC: aware times in a fold never compare equal across zones (PEP 495).
        assert got_when == at(tz, local_when).astimezone(UTC)


def test_spring_forward_gap_is_seven_utc():
    _, when = split_task_and_time("tomorrow 2:30am", NY, at(NY, "2027-03-13 20:00"))
    assert when == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)


def test_fall_back_takes_first_occurrence():
    _, when = split_task_and_time("tomorrow at 1:30am", NY, at(NY, "2026-10-31 20:00"))
    assert when == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(("local", "tz", "expected"), [
    ("2027-03-14 02:30", NY, datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),  # gap -> 03:00 EDT
    ("2027-03-14 02:00", NY, datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("2027-03-14 03:00", NY, datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("2026-11-01 01:30", NY, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # ambiguous -> EDT
    ("2026-03-29 01:15", LDN, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # gap -> 02:00 BST
    ("2026-09-27 02:30", AKL, datetime(2026, 9, 26, 14, 0, tzinfo=UTC)),  # gap -> 03:00 NZDT
    ("2026-06-10 18:00", LA, datetime(2026, 6, 11, 1, 0, tzinfo=UTC)),
])
def test_local_to_utc(local, tz, expected):
    assert local_to_utc(datetime.fromisoformat(local), tz) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("america/chicago", "America/Chicago"), ("America/New_York", "America/New_York"),
    ("Chicago", "America/Chicago"), ("new york", "America/New_York"), ("New_York", "America/New_York"),
    ("LA", "America/Los_Angeles"), ("London", "Europe/London"), ("Auckland", "Pacific/Auckland"),
    ("Sao Paulo", "America/Sao_Paulo"), ("São Paulo", "America/Sao_Paulo"), ("  chicago. ", "America/Chicago"),
    ("EST", NY), ("edt", NY), ("ET", NY), ("CST", "America/Chicago"), ("ct", "America/Chicago"),
    ("MST", "America/Denver"), ("PST", LA), ("pt", LA), ("GMT", LDN), ("BST", LDN), ("CET", "Europe/Paris"),
    ("AEST", "Australia/Sydney"), ("NZST", AKL), ("UTC", "UTC"), ("utc+2", "Etc/GMT-2"), ("GMT-5", "Etc/GMT+5"),
    ("narnia", None), ("", None), ("utc+99", None),
])
def test_resolve_timezone(text, expected):
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(("local_when", "tz", "local_now", "expected"), [
    ("2026-06-10 18:00", LA, "2026-06-10 09:00", "today at 6 PM"),
    ("2026-06-11 17:30", LA, "2026-06-10 09:00", "tomorrow at 5:30 PM"),
    ("2026-06-12 09:00", LA, "2026-06-10 09:00", "Friday at 9 AM"),
    ("2026-12-24 09:00", LA, "2026-06-10 09:00", "Dec 24 at 9 AM"),
    ("2027-01-05 00:00", LA, "2026-12-28 09:00", "Jan 5 at 12 AM"),
    ("2027-05-05 12:00", LA, "2026-06-10 09:00", "May 5, 2027 at 12 PM"),
    ("2026-06-09 20:00", LA, "2026-06-10 09:00", "yesterday at 8 PM"),
    ("2026-06-11 07:00", AKL, "2026-06-10 23:00", "tomorrow at 7 AM"),
])
def test_describe_local(local_when, tz, local_now, expected):
    assert describe_local(at(tz, local_when).astimezone(UTC), tz, at(tz, local_now).astimezone(UTC)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("7pm", (19, 0)), ("7:30 pm", (19, 30)), ("19", (19, 0)), ("19:30", (19, 30)), ("7", (7, 0)),
    ("12am", (0, 0)), ("12 p.m.", (12, 0)), ("noon", (12, 0)), ("midnight", (0, 0)),
    ("25", None), ("13pm", None), ("soon", None),
])
def test_parse_clock(text, expected):
    assert parse_clock(text) == expected


_WORDS = ["call", "at", "6", "6:30", "pm", "am", "tomorrow", "tonight", "on", "friday", "dec", "31", "in", "2",
          "hours", "noon", "next", "this", "morning", "feb", "29", "o'clock", "by", "to", "\u017fix", "99"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join)))
def test_split_never_raises(text):
    task, when = split_task_and_time(text, NY, datetime(2027, 3, 13, 12, 0, tzinfo=UTC))
    assert isinstance(task, str)
    assert when is None or when.tzinfo is UTC
