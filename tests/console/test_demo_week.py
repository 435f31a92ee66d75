"""demo-week.txt, a couple's week with the weekly ritual, run in-process through the console's main(): the
private rating, the setback and its day's pause, the weekly check-in by text and by voice with nothing shown
before both answered, the focus made a promise, and the small win."""
from pathlib import Path

import pytest

from core.words import texts
from tests.console.test_demo import after, run_script

DEMO = Path(__file__).resolve().parents[2] / "demo-week.txt"


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return run_script(DEMO, tmp_path_factory)


def test_the_rating_is_private_and_never_shown_to_the_partner(transcript):
    assert "Noted, just for you." in after(transcript, "text RATE 5 4 6")
    sam_trend = after(transcript, "text TREND")
    assert "3 more to go" in sam_trend and "5 4 6" not in transcript.split("text TREND", 1)[1]


def test_the_setback_is_gentle_and_the_day_of_pause_ends_by_itself(transcript):
    noted = after(transcript, "text we had a setback")
    assert "nothing you've built is erased" in noted and "Reply YES" in noted
    assert "Done: no questions for you until tomorrow at 12 PM" in transcript
    thursday = after(transcript, "clock thu 19:05")
    assert "[text to Alex at Wed 19:00, daily_question]" in thursday
    assert "[text to Sam at Wed 19:00" not in thursday and "[text to Sam at Thu 19:00, daily_question]" in thursday


def test_the_weekly_check_in_comes_on_sunday_evening_with_the_figures_after(transcript):
    sunday = after(transcript, "clock sun 18:05")
    assert "[text to Sam at Sun 18:00, weekly_checkin] Your weekly check-in with Trust Builder, 1 of 3: What's " \
           "one thing Alex did this week that you appreciated?" in sunday
    assert "Your week: Together you answered on 2 days this week." in sunday
    assert "weekly_summary" not in transcript


def test_nothing_is_shown_before_both_answered(transcript):
    assert texts.weekly_waiting_partner("Alex") in after(transcript, "text WEEKLY")
    before = transcript.split("say I want to focus on listening before I answer", 1)[0]
    assert "Being home for dinner" not in before.split("text Being home for dinner on time", 1)[1]


def test_the_voice_check_in_reveals_then_makes_the_focus_a_promise(transcript):
    assert "-> IntentRequest WeeklyCheckInIntent" in after(transcript, "say ask trust builder let's do our weekly "
                                                                     "check in")
    done = after(transcript, "say I want to focus on listening before I answer")
    assert "Sam has answered too. Would you like to hear what they said?" in done
    assert "small_win] A small win from Trust Builder: You both made time for your weekly check-in." in done
    assert "Sam appreciated: You stayed calm when I was upset on Wednesday." in transcript
    assert "OK: listen before you answer, today at 7 PM." in after(transcript, "say at seven PM")
    assert "Alex's weekly check-in: Appreciated: that you told me when Wednesday was hard" in transcript
