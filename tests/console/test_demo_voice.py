"""demo-voice.txt, a couple's first day starting from the Echo alone (nobody texts us first), run
in-process through the console's main(): every step of the voice set-up and the day shows in the transcript."""
import io
from pathlib import Path

import pytest

from console.cli import main
from tests.console.conftest import ENVIRON, START
from tests.console.test_demo import after

DEMO = Path(__file__).resolve().parents[2] / "demo-voice.txt"


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    out = io.StringIO()
    db = tmp_path_factory.mktemp("demo-voice") / "console.db"
    code = main(["--script", str(DEMO), "--db", str(db), "--fresh", "--start", START], out=out,
                environ=dict(ENVIRON))
    assert code == 0, out.getvalue()
    return out.getvalue()


def test_the_script_starts_with_no_text_at_all(transcript):
    lines = [line for line in DEMO.read_text().splitlines() if line and not line.startswith("#")]
    first_text = next(i for i, line in enumerate(lines) if line.startswith("text "))
    assert lines[:first_text][:2] == ["as alex", "say open trust builder"]
    assert "ERROR" not in transcript


def test_alex_sets_up_from_the_echo_and_joins_with_one_yes(transcript):
    assert "Would you like to set it up now?" in after(transcript, "say open trust builder")
    assert "I heard four one five, five five five, zero one zero one. Is that right?" in after(
        transcript, "say it's four one five five five five zero one zero one")
    assert "Reply YES to link this Echo to Trust Builder" in transcript
    assert "Trust Builder: Welcome to Trust Builder, Alex! This Echo is linked to you." in transcript
    assert "[text to Sam at" in transcript and "Alex invited you to Trust Builder" in transcript


def test_sam_is_asked_who_they_are_then_joins_the_couple_with_their_yes(transcript):
    assert "Alexa: I don't recognise your voice on this device yet. Who is this?" in transcript
    assert "Trust Builder: Linked: Alexa now knows it's you, Sam." in transcript
    assert "Alexa: Alex said: that I felt close to you when we cooked together" in after(
        transcript, "say ask trust builder what did my partner say")


def test_tonight_at_nine_is_nine_pm_and_the_promise_moves_and_is_kept(transcript):
    assert "OK: take out the trash, today at 9 PM. I'll text you a reminder at 8:30 PM." in after(
        transcript, "say ask trust builder I promise to take out the trash tonight at nine")
    assert "Done: take out the trash is now today at 9:30 PM." in after(
        transcript, "say ask trust builder to move it to nine thirty pm")
    assert "Well done. I've marked your promise to take out the trash as kept." in transcript


def test_a_guest_voice_hears_nothing_of_theirs(transcript):
    guest = after(transcript, "say ask trust builder what are my promises")
    assert "I don't recognise your voice" in guest and "trash" not in guest
    assert "only that voice hears their things" in after(transcript, "say this is Alex")
