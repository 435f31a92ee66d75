"""deploy/: the systemd units pass `systemd-analyze verify` (with the paths of this checkout), run what
the README runs, and the Caddy site passes exactly the app's routes to gunicorn's bind address."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ["trustbuilder-web.service", "trustbuilder-scheduler.service"]


def rendered(tmp_path: Path, name: str) -> Path:
    """The unit with /opt/trustbuilder pointing at this checkout and its virtual environment, so
    systemd-analyze can check that the commands exist."""
    venv = Path(sys.prefix)
    text = (DEPLOY / name).read_text()
    text = text.replace("/opt/trustbuilder/.venv", str(venv)).replace("/opt/trustbuilder", str(ROOT))
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", UNITS)
def test_unit_passes_systemd_analyze_verify(tmp_path, name):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here (Debian: apt-get install systemd)")
    if not (Path(sys.prefix) / "bin" / "gunicorn").exists():
        pytest.skip("the tests are not running in the project's virtual environment")
    result = subprocess.run(["systemd-analyze", "verify", str(rendered(tmp_path, name))],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stderr.splitlines()
                if name in line or "Unknown" in line or "nvalid" in line or "not executable" in line]
    assert result.returncode == 0 and problems == [], result.stderr


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_units_run_the_readme_commands_as_an_unprivileged_user_in_production():
    web, scheduler = unit(UNITS[0]), unit(UNITS[1])
    assert web["ExecStart"] == ["/opt/trustbuilder/.venv/bin/gunicorn -c gunicorn.conf.py app:create_app()"]
    assert scheduler["ExecStart"] == ["/opt/trustbuilder/.venv/bin/python -m scheduler"]
    for values in (web, scheduler):
        assert values["User"] == ["trustbuilder"] and values["EnvironmentFile"] == ["/etc/trustbuilder/trustbuilder.env"]
        assert values["UMask"] == ["0077"] and values["StateDirectoryMode"] == ["0700"]
        assert values["NoNewPrivileges"] == ["yes"] and values["ProtectSystem"] == ["strict"]
        assert any("VAR_DIR=/var/lib/trustbuilder" in v for v in values["Environment"])
    assert "GUNICORN_BIND=127.0.0.1:8000" in web["Environment"][0]


def test_caddy_passes_exactly_the_apps_routes_to_gunicorn(app):
    site = (DEPLOY / "Caddyfile").read_text()
    matched = {path for line in re.findall(r"@app path (.+)", site) for path in line.split()}
    # A rule's variable part (/login/link/<token>, the stylesheet's <path:filename>) is Caddy's `*`.
    served = {re.sub(r"<[^>]+>", "*", rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert matched == served
    assert "reverse_proxy 127.0.0.1:8000" in site and "max_size 64KB" in site
    assert "GUNICORN_BIND=127.0.0.1:8000" in (DEPLOY / UNITS[0]).read_text()


def test_caddyfile_is_valid_for_caddy():
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed here (Debian: apt-get install caddy)")
    result = subprocess.run(["caddy", "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_caddys_access_log_blanks_a_sign_in_links_token(tmp_path):
    """The site block as shipped, served by a real Caddy on plain HTTP in front of a stand-in for gunicorn:
    the access line for /login/link/<token> has the path without the token."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed here (Debian: apt-get install caddy)")
    import http.server
    import socket
    import threading
    import time

    import requests

    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port, admin, log = free_port(), free_port(), tmp_path / "access.log"
    site = (DEPLOY / "Caddyfile").read_text()
    site = site.replace("trust.example.com {", f"{{\n\tadmin 127.0.0.1:{admin}\n}}\nhttp://127.0.0.1:{port} {{", 1)
    site = site.replace("reverse_proxy 127.0.0.1:8000", f"reverse_proxy 127.0.0.1:{upstream.server_port}")
    site = site.replace("/var/log/caddy/trustbuilder-access.log", str(log))
    (tmp_path / "Caddyfile").write_text(site)
    caddy = subprocess.Popen(["caddy", "run", "--adapter", "caddyfile", "--config", str(tmp_path / "Caddyfile")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/login/link/T0kenS3cret123?x=1", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        time.sleep(0.5)
    finally:
        caddy.terminate()
        caddy.wait(20)
        upstream.shutdown()
        upstream.server_close()
    written = log.read_text()
    assert "T0kenS3cret123" not in written
    assert '"/login/link/[token]?x=1"' in written and '"/healthz"' in written
