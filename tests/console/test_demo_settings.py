"""demo-settings.txt, issue 11 items 5-7, run in-process through the console's main(): each partner's own
settings, thinking texts with limits, TELL/THANKS, roles, SKIP and a weekly summary that keeps no score."""
from pathlib import Path

import pytest

from tests.console.test_demo import after, run_script

DEMO = Path(__file__).resolve().parents[2] / "demo-settings.txt"


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return run_script(DEMO, tmp_path_factory)


def test_roles_are_asked_after_joining_and_never_told_to_the_partner(transcript):
    assert "[text to Sam at Mon 09:00, role_question] Optional" in transcript
    assert "your partner isn't told" in after(transcript, "text ROLE hurt")


def test_own_settings_stay_own_and_shared_ones_are_told_in_one_line(transcript):
    assert "(just yours)" in after(transcript, "text QUIET 22-7")
    changed = after(transcript, "text TIME 8pm")
    assert "Alex will get a text saying so." in changed
    assert "[text to Alex at Mon 09:00, setting_changed] Sam moved your shared daily question to 8 PM." in changed


def test_thinking_texts_have_limits_and_follow_the_recipient_s_choice(transcript):
    first, again = transcript.split("> text THINKING\n")[1:3]
    assert "[text to Sam at Mon 09:00, thinking] Alex is thinking about you right now." in first
    assert "One an hour is plenty" in again
    assert "won't reach you now" in after(transcript, "text THINKING OFF")


def test_skip_swaps_the_couple_s_topic_then_offers_a_gentle_one_of_one_s_own(transcript):
    assert "[text to Alex at Mon 20:05, daily_question] Sam asked for a different question today" in transcript
    assert "a gentler one, just for you" in transcript
    assert "stays with you" in after(transcript, "text I noticed how carefully you listened tonight")


def test_tell_and_thanks_are_appreciation_never_a_verdict(transcript):
    assert "Reply TELL to let Sam know." in after(transcript, "text KEPT")
    assert "Alex kept their promise to call the plumber. Reply THANKS" in after(transcript, "text TELL")
    assert "Sam says thank you for keeping your promise to call the plumber." in after(transcript, "text THANKS")
    assert "Reply Y or N" not in transcript and "Did they" not in transcript


def test_the_weekly_summary_speaks_of_the_couple_and_never_compares(transcript):
    alex, sam = after(transcript, "text SUMMARY"), transcript.rsplit("> text SUMMARY", 1)[1]
    assert alex.strip().startswith("Trust Builder: Together you answered on")
    assert "you kept your promise to call the plumber" in alex
    assert "Alex kept their promise to call the plumber" in sam
    assert "checked in on" not in transcript and "Automatic" not in transcript
