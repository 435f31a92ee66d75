"""The README's commands, run as printed on a fresh copy of the clone, so they cannot drift again.

Every line of every ```sh block must be listed in COVERED with how this file exercises it: `run` (as
printed, in the copy), `help` (a long-running command: its --help, and the code path it runs is tested
elsewhere), `check` (installs: the files they name exist and are hash-locked). A new README command fails
`test_every_readme_command_is_covered` until it is added here. The demo excerpt in the README is the real
console output: `python -m tests.test_readme --write` regenerates it.
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.config import ENV_NAMES, load_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO_START = "2026-11-23 09:00"  # a Monday; the excerpt is recorded from here
DEMO_COMMANDS = ["say ask trust builder for today's question", "say ask trust builder I promise to call Sam at six",
                 "clock 17:45", "clock 18:45", "text KEPT"]
EXCERPT = re.compile(r"(<!-- demo excerpt: generated -->\n```\n)(.*?)(```\n<!-- end of demo excerpt -->)", re.S)

INSTALL_RUN = ("python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements.txt "
               "&& .venv/bin/python dev.py")
INSTALL_TEST = ("python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements-dev.txt "
                "&& .venv/bin/python -m pytest")
COVERED = {
    INSTALL_RUN: "check",
    INSTALL_TEST: "check",
    ".venv/bin/python -m console --fresh --script demo.txt": "run",
    ".venv/bin/python -m console --fresh --script demo-voice.txt": "run",
    ".venv/bin/python -m scheduler --once": "run",
    ".venv/bin/python -m scheduler --help": "run",
    ".venv/bin/alembic upgrade head": "run",
    ".venv/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'": "run",  # with --check-config: loads the app
    ".venv/bin/python -m scheduler": "help",
    ".venv/bin/python bench/app_load.py": "help",
    ".venv/bin/python bench/dispatch.py": "help",
    "DATABASE_URL=sqlite:///var/console.db APP_ENV=development .venv/bin/python dev.py": "run",
}


def readme_commands(text: str) -> list[str]:
    """Every command line in the README's ```sh blocks, without its trailing comment."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.split(r"\s{2,}#\s", line.strip())[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_every_readme_command_is_covered():
    commands = readme_commands(README.read_text())
    assert len(commands) >= 8
    assert [c for c in commands if c not in COVERED] == []
    assert sorted(set(COVERED) - set(commands)) == [], "COVERED lists commands the README no longer has"


# The two set-up commands: exactly two, hash-locked installs, and CI runs the test one unchanged


def test_the_two_set_up_commands_install_hash_locked_files():
    commands = readme_commands(README.read_text())
    assert commands[:2] == [INSTALL_RUN, INSTALL_TEST]
    for lock in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / lock).read_text()
        pins = re.findall(r"^([A-Za-z0-9_.\-]+)==[^\s]+ \\$", text, re.M)
        assert len(pins) > 20
        for entry in re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 1)[1]):
            if re.match(r"[A-Za-z0-9_.\-]+==", entry):
                assert "--hash=sha256:" in entry, entry.splitlines()[0]
        assert (ROOT / lock.replace(".txt", ".in")).is_file()
    runtime = set(re.findall(r"^([A-Za-z0-9_.\-]+==\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    dev = set(re.findall(r"^([A-Za-z0-9_.\-]+==\S+)", (ROOT / "requirements-dev.txt").read_text(), re.M))
    assert runtime <= dev, "tests must run on the versions production installs"
    assert INSTALL_TEST in (ROOT / ".ci" / "run").read_text()


# A fresh copy of the clone, with the virtual environment running these tests as its .venv


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("clone") / "trust-builder"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "var", ".env", "__pycache__",
                                                              ".pytest_cache", "*.pyc"))
    venv = Path(sys.prefix)
    if not (venv / "bin" / "python").exists() or sys.prefix == sys.base_prefix:
        pytest.skip("the tests are not running in a virtual environment, so there is no .venv to copy")
    (copy / ".venv").symlink_to(venv)
    return copy


def clean_env(**extra) -> dict:
    """The environment of someone who just cloned: no Trust Builder settings at all."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES.values() and k != "TEST_DATABASE_URL"}
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def sh(command: str, cwd: Path, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    return subprocess.run(command, shell=True, cwd=cwd, env=clean_env(**env), capture_output=True, text=True,
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_env_example_copied_as_is_then_dev_py_serves_and_the_scheduler_runs_once(clone):
    copied = sh("cp .env.example .env", clone)
    assert copied.returncode == 0, copied.stderr
    port = free_port()
    dev_py = INSTALL_RUN.split(" && ")[-1]
    server = subprocess.Popen(shlex.split(dev_py), cwd=clone, env=clean_env(PORT=str(port)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_for_health(port, server)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert health == 200, output
    assert "Traceback" not in output, output
    assert output.count("NO TWILIO CREDENTIALS") == 1, "each start-up warning once (web and scheduler)"
    assert "\x1b[" not in output
    assert (clone / "var").stat().st_mode & 0o777 == 0o700
    assert (clone / "var" / "trustbuilder.db").stat().st_mode & 0o777 == 0o600

    once = sh(".venv/bin/python -m scheduler --once", clone)
    assert once.returncode == 0, once.stdout + once.stderr
    assert "catch-up done" in once.stderr


def wait_for_health(port: int, server: subprocess.Popen, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.3)
    return -1


def test_scheduler_help(clone):
    result = sh(".venv/bin/python -m scheduler --help", clone)
    assert result.returncode == 0 and "--once" in result.stdout


def test_alembic_upgrade_head_migrates_and_says_so(clone, tmp_path):
    first = sh(".venv/bin/alembic upgrade head", clone, VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "Running upgrade" in first.stderr and "schema now at revision" in first.stderr
    again = sh(".venv/bin/alembic upgrade head", clone, VAR_DIR=str(tmp_path))
    assert again.returncode == 0 and "schema now at revision" in again.stderr
    assert (tmp_path / "trustbuilder.db").is_file()


def test_gunicorn_command_loads_the_app(clone, tmp_path):
    command = ".venv/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'"
    result = sh(command + " --check-config", clone, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["bench/app_load.py", "bench/dispatch.py"])
def test_bench_commands_answer_help(clone, script):
    result = sh(f".venv/bin/python {script} --help", clone)
    assert result.returncode == 0 and "usage" in result.stdout.lower(), result.stderr


def test_the_faults_marker_the_readme_names_exists():
    assert "-m faults" in README.read_text()
    assert '"faults:' in (ROOT / "pyproject.toml").read_text()


# The console demo, as printed, and the README's excerpt of its real output


def test_the_demo_command_runs_as_printed(clone):
    result = sh(".venv/bin/python -m console --fresh --script demo.txt", clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout and "Alexa: Today's question is:" in result.stdout


def test_the_echo_first_demo_runs_as_printed(clone):
    result = sh(".venv/bin/python -m console --fresh --script demo-voice.txt", clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout and "This Echo is linked to you." in result.stdout


def test_the_page_opens_on_the_console_demo_couple(clone):
    """The README's way to open the couple's page: the demo couple, the app served on its database, and a
    sign-in as Alex with the code from the outbox."""
    import requests
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session
    from core import crypto
    from core.config import development_lookup_key
    from core.models import OutboundMessage, TextKind
    demo = sh(".venv/bin/python -m console --fresh --script demo.txt", clone)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    command = next(c for c in COVERED if c.endswith("dev.py") and c.startswith("DATABASE_URL"))
    *assignments, program, script = shlex.split(command)
    port = free_port()
    env = clean_env(PORT=str(port), **dict(a.split("=", 1) for a in assignments))
    server = subprocess.Popen([program, script], cwd=clone, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for_health(port, server) == 200
        browser, base = requests.Session(), f"http://127.0.0.1:{port}"
        token = lambda page: re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # noqa: E731
        asked = browser.post(base + "/login", data={"phone": "+1 415 555 0101",
                                                    "csrf_token": token(browser.get(base + "/login").text)})
        assert asked.url == base + "/login/code"
        crypto.configure(crypto.development_key(clone / "var"))
        crypto.configure_lookup(development_lookup_key(clone / "var"))
        engine = create_engine(f"sqlite:///{clone / 'var' / 'console.db'}")
        with Session(engine) as session:
            body = session.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == TextKind.SIGN_IN)).one()
        engine.dispose()
        landed = browser.post(base + "/login/code", data={"code": re.search(r"\d{6}", body)[0],
                                                          "csrf_token": token(asked.text)})
        assert landed.url == base + "/" and "Today's question" in landed.text
        assert "call Sam" in browser.get(base + "/promises").text
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output


def demo_transcript(cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "console", "--fresh", "--script", "demo.txt",
                             "--start", DEMO_START, "--db", str(cwd / "demo.db")], cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def demo_excerpt(transcript: str) -> str:
    """The DEMO_COMMANDS entries of the transcript: each command line and the lines it printed."""
    lines, picked = transcript.splitlines(), []
    for command in DEMO_COMMANDS:
        start = next(i for i, line in enumerate(lines) if line.endswith(f"> {command}"))
        end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
        picked += lines[start:end]
    return "\n".join(picked) + "\n"


def test_the_readme_demo_excerpt_is_the_real_output(tmp_path):
    match = EXCERPT.search(README.read_text())
    assert match, "README lost its demo excerpt markers"
    assert match[2] == demo_excerpt(demo_transcript(tmp_path)), \
        "README demo excerpt differs from the demo's output: run .venv/bin/python -m tests.test_readme --write"


# .env.example: works copied as is, and shows the production values beside


def test_env_example_as_is_is_development_on_sqlite(tmp_path):
    settings = load_settings(environ={"VAR_DIR": str(tmp_path)}, env_file=str(ROOT / ".env.example"))
    assert settings.app_env == "development" and settings.database_url.startswith("sqlite:///")
    assert settings.alexa_verify is True


def test_env_example_documents_every_setting_and_each_production_value():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", text, re.M))
    assert set(ENV_NAMES.values()) <= documented
    production = set(re.findall(r"^# production: ([A-Z_]+)=", text, re.M))
    assert {"APP_ENV", "DATABASE_URL", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
            "TWILIO_FROM_NUMBER", "ALEXA_SKILL_ID", "ENCRYPTION_KEY"} <= production


# docs/: the files and commands they name exist and match what generated the locks


@pytest.mark.parametrize("doc", ["docs/self-hosting.md", "docs/security.md", "docs/operations.md", "README.md"])
def test_files_the_docs_name_exist(doc):
    text = (ROOT / doc).read_text()
    named = set(re.findall(r"(?<![\w/.-])((?:deploy|docs|tests|skill|bench|migrations)/[\w./-]+\.(?:sh|service|md|py|json))", text))
    named |= set(re.findall(r"deploy/Caddyfile", text))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []


def test_the_documented_lock_commands_are_the_ones_that_made_the_locks():
    documented = (ROOT / "docs" / "security.md").read_text()
    for lock, source in (("requirements.txt", "requirements.in"), ("requirements-dev.txt", "requirements-dev.in")):
        header = re.search(r"#    pip-compile (.+)", (ROOT / lock).read_text())[1]
        line = next(l for l in documented.splitlines() if f"-o {lock} {source}" in l)
        for option in header.split():
            if option.startswith("--output-file="):
                continue
            assert option.replace("=", " ") in line or option in line or option == source, (lock, option)
    assert "pip-tools==" in (ROOT / "requirements-dev.in").read_text()


def write_excerpt() -> None:
    """Regenerate the README's demo excerpt from the demo's real output."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        excerpt = demo_excerpt(demo_transcript(Path(folder)))
    text = README.read_text()
    README.write_text(EXCERPT.sub(lambda m: m[1] + excerpt + m[3], text, count=1))
    print(f"README demo excerpt: {len(excerpt.splitlines())} lines written")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_readme --write   (regenerates the README's demo excerpt)")
    write_excerpt()
