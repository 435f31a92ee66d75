"""Real scheduler processes for fault tests: their environment, a database seeded through the services, a slow
FakeTwilio that can pull the trigger on a process at the Nth accepted text, and waiting helpers."""
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.fernet import Fernet

from core.config import load_settings
from core.runtime import open_runtime
from core.services import outbox
from devkit.fakes.gateway import RecordingGateway
from devkit.fakes.twilio_api import FakeTwilio
from devkit.seeding import seed_couple
from tests.skill.envelopes import SKILL_ID

ROOT = Path(__file__).resolve().parents[2]
FROM = "+15550001111"
KEY_PREFIX = "fault:"


class SlowTwilio(FakeTwilio):
    """FakeTwilio that takes `delay` seconds over every request and calls `on_accept(n)` after the nth text."""

    def __init__(self, delay: float, on_accept: Callable[[int], None] | None = None):
        super().__init__()
        self.delay, self.on_accept = delay, on_accept

    def next_action(self) -> tuple:
        """The scripted answer, else a delayed success."""
        with self.lock:
            return self.queue.popleft() if self.queue else ("delay", self.delay)

    def accept(self, form: dict) -> dict:
        """Accept like Twilio, then tell the test how many texts it holds now."""
        message = super().accept(form)
        if self.on_accept is not None:
            with self.lock:
                count = len(self._sent)
            self.on_accept(count)
        return message


def scheduler_env(tmp_path: Path, database_url: str, twilio: FakeTwilio, **extra: str) -> dict:
    """The scheduler's environment: test app env, FakeTwilio as Twilio, a one-second tick."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    env.update(PYTHONPATH=str(ROOT), APP_ENV="development", ALEXA_VERIFY="false", ALEXA_SKILL_ID=SKILL_ID,
               VAR_DIR=str(tmp_path), PUBLIC_BASE_URL="https://tb.example.com", DATABASE_URL=database_url,
               ENCRYPTION_KEY=Fernet.generate_key().decode(), TWILIO_ACCOUNT_SID=twilio.account_sid,
               TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_FROM_NUMBER=FROM, TWILIO_API_URL=twilio.url,
               SCHEDULER_TICK_SECONDS="1", SMS_RATE_PER_SECOND="5000")  # the fake takes any rate: unpaced, in effect
    env.update(extra)
    return env


def open_env_runtime(env: dict):
    """A runtime in this process over the scheduler's database and key (migrates it on first use)."""
    return open_runtime(load_settings(environ=env, env_file=None), RecordingGateway())


def seed_due_texts(env: dict, couples_count: int = 100, per_partner: int = 10) -> dict[str, str]:
    """Couples made through the services (create, invite, accept: everyone opted in, no quiet hours, the
    daily question 12 hours away) and their due texts queued with outbox.queue; returns key -> body."""
    runtime, now = open_env_runtime(env), datetime.now(timezone.utc)
    far_minute = (now.hour * 60 + now.minute + 12 * 60) % (24 * 60)
    seeded = {}
    try:
        with runtime.sessions.begin() as session:
            for n in range(couples_count):
                phones = (f"+1415556{2 * n:04d}", f"+1415556{2 * n + 1:04d}")
                alex, sam = seed_couple(session, now, "UTC", phones, question_minute=far_minute, quiet=(0, 0))
                for partner in (alex, sam):
                    for k in range(per_partner):
                        key = f"{KEY_PREFIX}{partner.id}:{k}"
                        draft = outbox.Draft(f"Thinking of you ({key})", "thinking", key,
                                             send_after=now - timedelta(seconds=k))
                        outbox.queue(session, partner, draft, now)
                        seeded[key] = draft.body
    finally:
        runtime.close()
    return seeded


def start_scheduler(env: dict, log_path: Path, *args: str) -> subprocess.Popen:
    """`python -m scheduler` with its output appended to `log_path` (a file: no pipe to fill up)."""
    with open(log_path, "a") as log:
        return subprocess.Popen([sys.executable, "-m", "scheduler", *args], env=env, cwd=log_path.parent,
                                stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, then wait for the clean exit; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
