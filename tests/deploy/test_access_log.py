"""gunicorn.conf.py's access log: a real gunicorn serving the app with the production config writes a line per
request, and the token of a sign-in link (/login/link/<token>) never appears in it."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.test_readme import clean_env, free_port, wait_for_health

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq3xT0ken-" + "s3cret_" * 4


def test_a_sign_in_links_token_never_reaches_the_access_log(tmp_path):
    gunicorn = Path(sys.prefix) / "bin" / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("the tests are not running in the project's virtual environment")
    port = free_port()
    env = clean_env(VAR_DIR=str(tmp_path), GUNICORN_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for_health(port, server) == 200
        base = f"http://127.0.0.1:{port}"
        looked = requests.get(f"{base}/login/link/{TOKEN}", timeout=10)
        pressed = requests.post(f"{base}/login/link/{TOKEN}?from=text", timeout=10)
        assert looked.status_code == 404 and pressed.status_code in (400, 403, 404)  # unknown link, refused
        time.sleep(0.3)  # the access lines are written after the responses
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.splitlines() if "/login/link/" in line]
    assert len(lines) == 2, output
    assert all("/login/link/[token]" in line for line in lines), lines
    assert TOKEN not in output and "s3cret" not in output
    assert any('"GET /healthz' in line for line in output.splitlines())  # other paths are logged as they were
