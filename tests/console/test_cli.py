"""python -m console's entry point: arguments, the interactive prompt, and reopening a console database."""
import io

import pytest

from console.cli import main
from tests.console.conftest import ENVIRON, START


def run_main(args, monkeypatch=None, typed=()):
    """main() with `typed` as the interactive input; returns (exit code, output)."""
    if monkeypatch is not None:
        answers = iter(typed)
        monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    out = io.StringIO()
    return main(args, out=out, environ=dict(ENVIRON)), out.getvalue()


def test_the_prompt_runs_commands_until_quit(tmp_path, monkeypatch):
    db = tmp_path / "console.db"
    code, out = run_main(["--db", str(db), "--fresh", "--start", START], monkeypatch,
                         ["help", "text JOIN Alex", "# a note", "", "what's the weather", "quit", "never read"])
    assert code == 0
    assert "say <words>" in out and "Trust Builder: Welcome to Trust Builder, Alex!" in out
    assert "-> IntentRequest AMAZON.FallbackIntent" in out
    assert (tmp_path / "console_history").exists()


def test_end_of_input_leaves_the_prompt(tmp_path, monkeypatch):
    def no_more(prompt):
        raise EOFError
    monkeypatch.setattr("builtins.input", no_more)
    assert main(["--db", str(tmp_path / "c.db"), "--fresh", "--start", START], out=io.StringIO(),
                environ=dict(ENVIRON)) == 0


def test_a_reopened_console_carries_on_where_it_left_off(tmp_path):
    """Without --start, the clock resumes just after the last thing the database remembers."""
    db, script = tmp_path / "console.db", tmp_path / "first.txt"
    script.write_text("text JOIN Alex\nsay ask trust builder to link my phone\ntext LINK $code\nclock 18:00\ntext MOOD 4\n")
    later = "2040-06-04 09:00"  # after any real "today 09:00", so the resumed time is the database's
    assert run_main(["--db", str(db), "--fresh", "--start", later, "--script", str(script)])[0] == 0
    script.write_text("say what's today's question\n")
    code, out = run_main(["--db", str(db), "--script", str(script)])
    assert code == 0 and "clock Mon 18:01" in out
    assert "Alexa: Today's question is:" in out  # the same Echo and voice are still linked


def test_a_script_line_that_fails_makes_the_run_fail(tmp_path):
    script = tmp_path / "bad.txt"
    script.write_text("text LINK $code\n")
    code, out = run_main(["--db", str(tmp_path / "c.db"), "--fresh", "--start", START, "--script", str(script)])
    assert code == 1 and "ERROR: $code is not set yet" in out


def test_a_start_outside_the_test_cas_years_is_refused(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "c.db"), "--start", "2099-01-01 09:00"], out=io.StringIO(),
                environ=dict(ENVIRON)) == 2
    assert "test CA is valid from 2020 to 2045" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--start", "tomorrow"], "expected 'YYYY-MM-DD HH:MM'"),
    (["--script", "no-such-demo.txt"], "no such file: no-such-demo.txt"),
])
def test_bad_arguments_are_named(args, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2 and message in capsys.readouterr().err
