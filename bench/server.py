"""A gunicorn server for the bench: started on 127.0.0.1 in its own process group, stopped gracefully."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def direct_env(env: dict[str, str]) -> dict[str, str]:
    """`env` without proxy settings, so the servers' own calls to the loopback fakes stay on 127.0.0.1."""
    clean = {k: v for k, v in env.items() if k.lower() not in PROXY_VARIABLES}
    return {**clean, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn -c <config> -b 127.0.0.1:<port> <target>`, logging to a file; a context manager."""

    def __init__(self, name: str, target: str, config: Path, env: dict[str, str], workdir: Path):
        self.name, self.target, self.config = name, target, config
        self.env, self.workdir = env, workdir
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self, ready_timeout: float = 60) -> None:
        """Start the master (own session, so a stray worker can be reached by group) and wait for /healthz."""
        command = [sys.executable, "-m", "gunicorn", "-c", str(self.config), "-b", f"127.0.0.1:{self.port}",
                   self.target]
        env = {**direct_env(self.env),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), self.env.get("PYTHONPATH")]))}
        with open(self.log_path, "ab") as log:
            # cwd is the temporary folder, so a developer's ./.env cannot change what is measured.
            self.process = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(time.monotonic() + ready_timeout)

    def _wait_ready(self, deadline: float) -> None:
        """Poll /healthz until it answers 200; a master that exits or never answers raises with its log."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited with {self.process.returncode}:\n{self.log_tail()}")
            if self._healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn ({self.name}) did not answer /healthz in time:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        """True when /healthz answers 200 (directly, never through a proxy)."""
        try:
            with _DIRECT.open(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM the master (graceful: workers finish their requests); SIGKILL our group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            # The master still lives, so its group is certainly ours: only it and its workers are in it.
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
