"""`python -m scheduler` as a process: --once sends what is due and exits, SIGTERM stops cleanly, a bad
setting stops start-up with one line; and the jobs are registered as the APScheduler FAQ advises."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from cryptography.fernet import Fernet

from core.clock import utcnow
from core.config import load_settings
from core.runtime import open_runtime
from core.services import couples, outbox
from devkit.fakes.gateway import RecordingGateway
from scheduler.__main__ import StopRequested, Stopper, build_scheduler

ROOT = Path(__file__).resolve().parents[2]


def environment(tmp_path, twilio, **extra) -> dict:
    """The scheduler's environment: development, a SQLite file, and FakeTwilio as Twilio."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    env.update(PYTHONPATH=str(ROOT), APP_ENV="development", ALEXA_VERIFY="false", VAR_DIR=str(tmp_path),
               PUBLIC_BASE_URL="https://tb.example.com",
               DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", ENCRYPTION_KEY=Fernet.generate_key().decode(),
               TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token,
               TWILIO_FROM_NUMBER="+15550001111", TWILIO_API_URL=twilio.url,
               SMS_RATE_PER_SECOND="1000")  # the fake takes any rate; pacing has tests of its own
    env.update(extra)
    return env


def seed_due_text(env: dict) -> None:
    """One text due now for a couple with no quiet hours (the process runs on the real clock)."""
    settings = load_settings(environ=env, env_file=None)
    runtime = open_runtime(settings, RecordingGateway())
    try:
        with runtime.sessions.begin() as session:
            alex = couples.create_couple(session, "Alex", "+14155550171", utcnow(), "UTC", quiet_hours=(0, 0))
            outbox.queue(session, alex, outbox.Draft("hello from cron", "thinking", "cli:1"), utcnow())
    finally:
        runtime.close()


def scheduler_process(env: dict, *args: str, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scheduler", *args], env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("flags", [["--once"], ["--once", "--no-catch-up"]])
def test_once_sends_what_is_due_and_exits(tmp_path, twilio, flags):
    env = environment(tmp_path, twilio)
    seed_due_text(env)

    process = scheduler_process(env, *flags, cwd=tmp_path)
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 0, output
    assert [(m["to"], m["body"]) for m in twilio.sent] == [("+14155550171", "hello from cron")]
    assert twilio.requests[0]["form"]["StatusCallback"] == "https://tb.example.com/sms/status"


def test_sigterm_stops_the_scheduler_cleanly(tmp_path, twilio):
    env = environment(tmp_path, twilio, SCHEDULER_TICK_SECONDS="1")
    process = scheduler_process(env, cwd=tmp_path)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "scheduler running: plan, dispatch, housekeeping" in line:
            break
    time.sleep(1.5)  # let a tick or two run

    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)

    assert process.returncode == 0, "".join(lines) + rest
    assert "SIGTERM received" in rest and "scheduler stopped" in rest


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, twilio):
    env = environment(tmp_path, twilio, APP_ENV="production")
    process = scheduler_process(env, "--once", cwd=tmp_path)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    refusal = output[output.index("Trust Builder scheduler cannot start:"):]
    assert "ALEXA_VERIFY" in refusal and "DATABASE_URL" in refusal and "Traceback" not in output


def test_the_heartbeat_reports_the_queue_depth(tmp_path, twilio, caplog):
    from scheduler.__main__ import heartbeat
    env = environment(tmp_path, twilio)
    seed_due_text(env)
    runtime = open_runtime(load_settings(environ=env, env_file=None), RecordingGateway())
    try:
        with caplog.at_level("INFO", logger="trustbuilder.scheduler"):
            assert heartbeat(runtime) == (1, 1)
    finally:
        runtime.close()
    assert "scheduler alive: 1 texts queued, 1 due now" in caplog.text


def test_jobs_have_fixed_ids_one_instance_coalescing_and_no_misfire_limit():
    runtime, dispatcher = object(), object()  # only handed to the jobs as arguments
    scheduler = build_scheduler(runtime, dispatcher, 30)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"plan", "dispatch", "housekeeping", "heartbeat"}
    for job in jobs.values():
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
        assert isinstance(job.trigger, IntervalTrigger)
    assert jobs["plan"].trigger.interval == jobs["dispatch"].trigger.interval == timedelta(seconds=30)
    assert jobs["housekeeping"].trigger.interval == timedelta(hours=1)
    assert jobs["heartbeat"].trigger.interval == timedelta(minutes=5)
    assert jobs["dispatch"].kwargs == {"budget_seconds": 27.0}
    assert (jobs["plan"].args, jobs["dispatch"].args, jobs["housekeeping"].args) == (
        (runtime,), (dispatcher,), (runtime, dispatcher))
    assert str(scheduler.timezone) == "UTC"


def test_the_signal_handler_interrupts_only_the_scheduler_wait():
    class Dispatcher:
        stopped = False

        def stop(self):
            self.stopped = True

    dispatcher = Dispatcher()
    stopper = Stopper(dispatcher)
    stopper(signal.SIGTERM, None)  # during catch-up: no exception, so no pass is cut short
    assert stopper.requested and dispatcher.stopped
    stopper.interrupt = True
    with pytest.raises(StopRequested):
        stopper(signal.SIGINT, None)
    stopper(signal.SIGINT, None)  # a second signal while shutting down does not interrupt the shutdown
