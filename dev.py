"""Development runner: the web app and the scheduler together, on the embedded defaults.

    python dev.py            # http://127.0.0.1:5000 ; SQLite in var/ ; texts to the local outbox

Production runs the same two processes apart (see the README): gunicorn for the web app and one
`python -m scheduler`.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

from app import create_app
from core import logs

ROOT = Path(__file__).resolve().parent


def main() -> int:
    """Migrate once, start the scheduler as a child process, serve the web app until Ctrl-C."""
    os.environ.setdefault("APP_ENV", "development")
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    app = create_app()  # migrates before the scheduler starts, so the two never race on the schema
    # The scheduler child finds our packages from any working directory, and does not repeat the start-up
    # warnings this process has just printed (they are the same settings).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               **{logs.WARNED: "1"})
    scheduler = subprocess.Popen([sys.executable, "-m", "scheduler"], env=env)
    # SIGTERM would otherwise end this process at once and leave the scheduler running on its own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
