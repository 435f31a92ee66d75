"""Promise intake, shared by voice and text: the due instant of what was said, the reminder plan and its words,
why no reminder can go, and a time moved by a clock change."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.errors import InvalidInput
from core.models import Promise
from core.services import promise_intake
from core.services.promise_intake import TOO_SOON

UTC = timezone.utc
LA = "America/Los_Angeles"


def test_due_at_past_today_means_tomorrow_and_dst_gap_moves_forward():
    now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 9 AM in Los Angeles
    assert promise_intake.due_at(None, 8 * 60, LA, now) == (datetime(2026, 11, 24, 16, tzinfo=UTC), False)
    assert promise_intake.due_at(None, 18 * 60, LA, now) == (datetime(2026, 11, 24, 2, tzinfo=UTC), False)
    gap = promise_intake.due_at(date(2027, 3, 14), 150, "America/New_York", now)
    assert gap == (datetime(2027, 3, 14, 7, 0, tzinfo=UTC), True)  # 2:30 AM does not exist: 3:00 AM EDT
    repeated = promise_intake.due_at(date(2026, 11, 1), 90, "America/New_York", now - timedelta(days=30))
    assert repeated == (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), False)  # 1:30 AM happens twice: the first, EDT


def test_spoken_and_texted_promises_give_the_same_intake(session, alex, clock):
    spoken = promise_intake.take_spoken(session, alex, "call Sam", None, 18 * 60, LA, clock(), source_id="a")
    texted = promise_intake.take_texted(session, alex, "call Sam at 6pm", LA, clock(), source_id="b")
    for intake in (spoken, texted):
        assert isinstance(intake.promise, Promise)
        assert (intake.task, intake.due_words, intake.reminder_words, intake.no_reminder, intake.clock_moved) == (
            "call Sam", "today at 6 PM", "at 5:30 PM", None, False)
        assert intake.reminder_at == intake.promise.due_at - timedelta(minutes=30)


def test_a_reminder_on_another_day_says_the_day(session, alex, clock):
    intake = promise_intake.take_texted(session, alex, "walk together tomorrow at 12:10am", LA, clock())
    assert (intake.due_words, intake.reminder_words) == ("tomorrow at 12:10 AM", "today at 11:40 PM")


def test_too_soon_and_refusals_say_why_no_reminder(session, alex, clock):
    soon = promise_intake.take_texted(session, alex, "stretch in 3 minutes", LA, clock())
    assert (soon.reminder_at, soon.reminder_words, soon.no_reminder) == (None, None, TOO_SOON)
    alex.opted_out = True
    off = promise_intake.take_spoken(session, alex, "call Sam", None, 20 * 60, LA, clock())
    assert (off.reminder_at, off.reminder_words, off.no_reminder) == (None, None, "opted_out")


def test_texted_words_without_a_time_store_nothing(session, alex, clock):
    intake = promise_intake.take_texted(session, alex, "call Sam", LA, clock())
    assert (intake.task, intake.promise) == ("call Sam", None)


def test_a_spoken_time_in_a_spring_forward_gap_is_moved_and_said(session, alex, clock):
    clock.set(datetime(2027, 3, 13, 18, 0, tzinfo=UTC))
    intake = promise_intake.take_spoken(session, alex, "call Sam", date(2027, 3, 14), 150, LA, clock())
    assert intake.clock_moved and intake.due_words == "tomorrow at 3 AM"
    texted = promise_intake.take_texted(session, alex, "call Sam tomorrow at 2:30am", LA, clock())
    assert texted.clock_moved and texted.due_words == "tomorrow at 3 AM"


def test_a_past_time_is_refused(session, alex, clock):
    with pytest.raises(InvalidInput) as refused:
        promise_intake.take_spoken(session, alex, "call Sam", clock().date() - timedelta(days=1), 600, LA, clock())
    assert refused.value.reason == "past_due"
