"""Web companion benchmark: how long each page of the couple's web companion takes on the server with a year
of a couple's history behind it.

    python bench/web_pages.py                       # temporary SQLite, 365 days, 30 loads of each page
    python bench/web_pages.py --days 90 --loads 10  # a quick look
    python bench/web_pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

It makes one couple through the core services day by day (devkit/history.py: answers most days, moods, a
private note now and then, a promise every third day kept or missed), signs Alex in (a real session), then
loads each page through the real app in this process (the Flask test client: the whole request, from the
session cookie to the rendered HTML, without a network) and prints, per page, the wall-clock p50 and p95
and the CPU time p50 and p95 (time.process_time: SQLite runs in this process, so this is the server's own
work, which other busy processes on the machine do not inflate). The goal: every page under 50 ms of CPU
at p95. The two "download my data" files (the whole year) are timed too, not held to the goal. On PostgreSQL it works in a temporary database of its own (the
role needs CREATEDB) and drops it afterwards.
"""
import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from core.clock import SettableClock  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.db import transaction  # noqa: E402
from core.models import CheckIn, Partner, Promise  # noqa: E402
from core.runtime import open_runtime  # noqa: E402
from core.services import sign_in  # noqa: E402
from devkit.databases import scratch_database  # noqa: E402
from devkit.fakes.gateway import RecordingGateway  # noqa: E402
from devkit.history import seed_history  # noqa: E402
from devkit.seeding import seed_couple  # noqa: E402

PAGES = ("/", "/history", "/promises", "/progress", "/settings", "/export")
DOWNLOADS = ("/export/my-data.json", "/export/my-data.html")  # the whole year: timed, not held to the goal
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
GOAL_MS = 50


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    parser.add_argument("--loads", type=int, default=30, help="loads of each page (default 30)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to use (default: SQLite)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder, scratch_database(args.database_url or None, Path(folder),
                                                                   "bench_web") as url:
        settings = load_settings(environ={}, env_file=None, app_env="development", database_url=url,
                                 encryption_key=Fernet.generate_key().decode(), var_dir=folder,
                                 public_base_url="http://localhost", default_timezone="America/Los_Angeles")
        clock = SettableClock(NOW)
        runtime = open_runtime(settings, RecordingGateway(), clock=clock)
        try:
            return run(runtime, clock, args)
        finally:
            runtime.close()


def run(runtime, clock, args) -> int:
    from app import create_app
    with transaction(runtime.sessions) as session:
        alex, sam = seed_couple(session, NOW - timedelta(days=args.days + 1), "America/Los_Angeles")
        ids = alex.id, sam.id
    started = time.perf_counter()
    seed_history(runtime, clock, *ids, days=args.days)
    print(f"seeded {args.days} days in {time.perf_counter() - started:.1f} s: {describe(runtime, ids[0])}")
    with transaction(runtime.sessions) as session:
        token = sign_in.start_session(session, session.get(Partner, ids[0]), clock())
    client = create_app(runtime=runtime).test_client()
    client.set_cookie("tb_session", token)
    print(f"{'page':24s} {'wall p50':>9s} {'wall p95':>9s} {'cpu p50':>8s} {'cpu p95':>8s} {'bytes':>8s}  (ms)")
    worst = 0.0
    for path in PAGES + DOWNLOADS:
        wall, cpu, size = load(client, path, args.loads)
        if path in PAGES:
            worst = max(worst, p95(cpu))
        print(f"{path:24s} {statistics.median(wall):9.1f} {p95(wall):9.1f} {statistics.median(cpu):8.1f} "
              f"{p95(cpu):8.1f} {size:8d}")
    verdict = "under" if worst < GOAL_MS else "OVER"
    print(f"slowest page, CPU p95: {worst:.1f} ms ({verdict} the {GOAL_MS} ms goal); {runtime.engine.dialect.name}, "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0 if worst < GOAL_MS else 1


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def load(client, path: str, loads: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds of each load (after one warm-up), and the page's size."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    wall, cpu = [], []
    for _ in range(loads):
        started, used = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return wall, cpu, len(response.data)


def describe(runtime, partner_id: int) -> str:
    with runtime.sessions() as session:
        check_ins = session.scalar(select(func.count()).select_from(CheckIn))
        promises = session.scalar(select(func.count()).select_from(Promise))
    return f"{check_ins} check-ins, {promises} promises"


if __name__ == "__main__":
    sys.exit(main())
