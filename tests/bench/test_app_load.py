"""The web bench end to end with tiny numbers: both servers start, every scenario answers, the database check
matches, and both servers stop cleanly. The figures themselves are not judged here."""
import pytest

from bench import app_load

pytestmark = pytest.mark.bench
SCENARIOS = ["alexa-hello (base)", "alexa-launch", "alexa-minimal (base)", "alexa-checkin", "twiml (base)",
             "sms-minimal (base)", "sms-checkin"]


def test_bench_runs_with_tiny_numbers(capsys):
    code = app_load.main(["--requests", "20", "--levels", "2", "--warmup", "4", "--max-seconds", "20"])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] and line.split()[-1].endswith("%")]
    assert len(rows) == len(SCENARIOS), out
    assert all(row[-8] == "2" for row in rows), out  # the concurrency column
    assert "-> MATCH" in out
    assert "Outbound calls from the app: Twilio 0" in out
    assert "gunicorn stopped: app cleanly, baseline cleanly" in out
