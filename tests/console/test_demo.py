"""demo.txt, a couple's first day, run in-process through the console's main(): the key lines appear."""
import io
from pathlib import Path

import pytest

from console.cli import main
from tests.console.conftest import ENVIRON, START

DEMO = Path(__file__).resolve().parents[2] / "demo.txt"


def run_script(script: Path, tmp_path_factory) -> str:
    """The transcript of a console script run on a fresh database from START; every line must work."""
    out = io.StringIO()
    db = tmp_path_factory.mktemp(script.stem) / "console.db"
    code = main(["--script", str(script), "--db", str(db), "--fresh", "--start", START], out=out,
                environ=dict(ENVIRON))
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return run_script(DEMO, tmp_path_factory)


def after(transcript: str, command: str) -> str:
    """The answer printed for the first line that ran `command` (up to the next command)."""
    lines = transcript.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(f"> {command}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("[", "#"))), len(lines))
    return "\n".join(lines[start + 1:end])


def test_each_line_is_echoed_with_time_partner_and_channel(transcript):
    assert "[Mon 09:00] Alex (phone) > text JOIN Alex" in transcript
    assert "[Mon 09:00] Alex (Echo) > say ask trust builder to link my phone" in transcript
    assert "[Mon 09:00] console > as sam" in transcript
    assert "ERROR" not in transcript


def test_the_echo_is_linked_with_the_spoken_code(transcript):
    assert "the code" in after(transcript, "say ask trust builder to link my phone")
    assert "Trust Builder: Linked" in transcript and "text LINK $code" not in transcript


def test_the_question_is_spoken_and_the_check_ins_acknowledged(transcript):
    assert "Alexa: Today's question is:" in after(transcript, "say ask trust builder for today's question")
    voice = after(transcript, "say my answer is that I felt close to you when we walked after dinner")
    assert "-> IntentRequest AnswerIntent" in voice and "I've saved your answer" in voice
    assert "Alex answered too" in after(transcript, "text I felt closest when you made me coffee this morning")


def test_the_promise_is_made_by_voice_then_reminded_and_followed_up_at_its_times(transcript):
    made = after(transcript, "say ask trust builder I promise to call Sam at six")
    assert "task='call Sam' time='18:00'" in made and "reminder at 5:30 PM" in made
    assert "[text to Alex at Mon 17:30, promise_reminder]" in after(transcript, "clock 17:45")
    assert "[text to Alex at Mon 18:30, promise_followup] Did you keep your promise to call Sam?" \
        in after(transcript, "clock 18:45")
    assert "you kept your promise to call Sam" in after(transcript, "text KEPT")


def test_the_dialog_promise_asks_for_what_is_missing(transcript):
    assert "What do you promise to do?" in after(transcript, "say ask trust builder to make a promise")
    assert "At what time?" in after(transcript, "say cook dinner")
    assert "OK: cook dinner, today at 7:30 PM" in after(transcript, "say at seven thirty")


def test_the_daily_question_goes_by_text_to_the_partner_who_has_not_heard_it(transcript):
    evening = after(transcript, "clock 19:05")
    assert "[text to Sam at Mon 19:00, daily_question] Today's question:" in evening
    assert "text to Alex" not in evening


def test_partner_answers_thinking_of_you_and_the_summary(transcript):
    assert "Alexa: Sam said: I felt closest" in transcript and "Alexa: Alex said: that I felt close" in transcript
    assert "[text to Alex at Mon 19:05, thinking] Sam is thinking about you" in transcript
    summary = after(transcript, "say ask trust builder how are we doing")
    assert "-> IntentRequest WeeklySummaryIntent" in summary and "kept 1 of 2 promises" in summary
    assert "Small win: you kept your promise to call Sam." in summary
    texted = after(transcript, "text SUMMARY")
    assert "Trust Builder: Together you answered on 2 days and kept 1 of 2 promises this week." in texted
    assert "Alex" not in texted  # the couple together: nobody's numbers beside the other's


def test_the_outbox_is_the_record_of_every_text(transcript):
    outbox = after(transcript, "outbox")
    kinds = [line.split()[4] for line in outbox.splitlines()]
    assert kinds == ["role_question", "invitation", "role_question", "promise_reminder", "promise_followup",
                     "promise_reminder", "daily_question", "thinking", "promise_followup"]
    assert all(line.split()[5] == "outbox" for line in outbox.splitlines())
