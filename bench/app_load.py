"""Web benchmark: the real app under gunicorn, driven at fixed concurrency, against bare baselines.

    python bench/app_load.py                                   # SQLite in a temporary folder; about 2 minutes
    python bench/app_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test  # a temporary db there
    python bench/app_load.py --couples 500                     # spread the check-ins over 500 couples
    python bench/app_load.py --requests 200 --levels 1,8       # a quick look

It starts two gunicorn servers on 127.0.0.1 with the settings of gunicorn.conf.py: the app
(`bench.benchapp:create_bench_app()`, i.e. create_app() with APP_ENV=production and Alexa verification on,
trusting a throwaway CA) and the baselines (`bench.baseline`). It seeds one linked couple (or --couples N), then at each
concurrency sends signed Alexa LaunchRequests and AnswerIntents (a new requestId each) and signed Twilio
check-in texts (a new MessageSid each), and the same kind of traffic to the baselines. It prints req/s,
p50/p99, errors, the ratios to the baselines and PASS/MISS against the targets, then checks that the
database holds exactly one check-in per check-in request confirmed (a 200 whose answer says it was saved).
Nothing leaves 127.0.0.1: the app's Twilio and Alexa Settings API base URLs point at loopback fakes.
"""
import argparse
import os
import runpy
import secrets
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402

from bench import report, scenarios  # noqa: E402
from bench.loadgen import run_load  # noqa: E402
from bench.seed import count_check_ins, open_database, seed_couples, stored_source_ids  # noqa: E402
from bench.server import ROOT, Gunicorn  # noqa: E402
from bench.traffic import ALEXA_USER, DEVICE_ID, OUR_NUMBER, PUBLIC_BASE_URL, SKILL_ID, bench_ca  # noqa: E402
from core.config import ENV_NAMES, load_settings  # noqa: E402
from devkit.databases import scratch_database  # noqa: E402
from devkit.fakes.alexa_api import FakeAlexa  # noqa: E402
from devkit.fakes.twilio_api import FakeTwilio  # noqa: E402

TIMEZONE = "America/New_York"


def parse_args(argv=None) -> argparse.Namespace:
    """The command line: sizes of the runs and the database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--requests", type=int, default=2000, help="most requests per scenario and level (2000)")
    parser.add_argument("--max-seconds", type=float, default=8, help="longest one run may take, in seconds (8)")
    parser.add_argument("--warmup", type=int, default=64, help="unmeasured requests per scenario first (64)")
    parser.add_argument("--couples", type=int, default=1, help="linked couples, taken in turn (default 1: "
                        "every check-in lands on the same two partners; at most 1000)")
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL server to create a temporary database on (default: temporary SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (gunicorn logs, database)")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.levels.split(",")]
    return args


def server_env(database_url: str, workdir: Path, twilio: FakeTwilio, ca_dir: Path,
               alexa_url: str) -> dict[str, str]:
    """Production-like settings for the served apps; inherited app settings are dropped so only these count."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES.values()}
    # Development, for its one local fake of the Alexa APIs (ALEXA_API_URL, refused in production: the skill
    # calls only Amazon's hosts there); with every other setting given, it checks and serves the same.
    env.update(APP_ENV="development", DATABASE_URL=database_url, ALEXA_API_URL=alexa_url,
               LOOKUP_KEY=secrets.token_hex(32),
               PUBLIC_BASE_URL=PUBLIC_BASE_URL, ALEXA_SKILL_ID=SKILL_ID, ALEXA_VERIFY="true",
               ENCRYPTION_KEY=Fernet.generate_key().decode(), VAR_DIR=str(workdir / "var"),
               TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token,
               TWILIO_FROM_NUMBER=OUR_NUMBER, TWILIO_API_URL=twilio.url, DEFAULT_TIMEZONE=TIMEZONE,
               BENCH_CA_DIR=str(ca_dir))
    return env


def measure(plan: list[scenarios.Scenario], ports: dict[str, int], args) -> tuple[list[report.Row], set[str]]:
    """Warm every scenario up, then run each at each level; returns the rows and the check-in ids confirmed."""
    rows, answered = [], set()
    for scenario in plan:
        answered |= run_one(scenario, ports, max(args.levels), args.warmup, args.max_seconds)[1]
    for level in args.levels:
        for scenario in plan:
            outcome, ids = run_one(scenario, ports, level, args.requests, args.max_seconds)
            answered |= ids
            rows.append(report.Row(scenario.name, level, outcome, scenario.baseline))
            print(f"  {scenario.name:<22} @{level:<3} {outcome.rate:8.0f} req/s  errors {outcome.errors}",
                  flush=True)
    return rows, answered


def run_one(scenario: scenarios.Scenario, ports: dict[str, int], level: int, count: int, max_seconds: float):
    """Prepare `count` requests, send them at `level`, and return the outcome and the check-in ids stored."""
    prepared = [scenario.build() for _ in range(count)]
    outcome = run_load(ports[scenario.server], [raw for raw, _ in prepared], level, max_seconds, scenario.check)
    ids = {prepared[i][1] for i in outcome.answered} if scenario.channel else set()
    return outcome, ids


def check_database(runtime, couples, answered: set[str]) -> tuple[bool, str]:
    """Stored check-ins versus check-in requests answered 200 with a confirmation: same number, same ids.
    (A 200 apology, e.g. Alexa's "something went wrong" after a database error, must have stored nothing.)"""
    ids = [c.couple_id for c in couples]
    counts, stored = count_check_ins(runtime, ids), stored_source_ids(runtime, ids)
    same = stored == answered
    return same, (f"Database: {sum(counts.values())} check-ins stored ({counts.get('voice', 0)} voice, "
                  f"{counts.get('sms', 0)} sms) for {len(answered)} check-in requests confirmed (200, saved) "
                  f"-> {'MATCH' if same else 'MISMATCH'}"
                  + ("" if same else f" (missing {len(answered - stored)}, unexpected {len(stored - answered)})"))


def run(args, workdir: Path) -> int:
    """Everything, in `workdir`; returns 0 when the database check matched (the targets are only reported)."""
    ca = bench_ca()
    ca_dir = ca.write(workdir / "ca")
    with FakeAlexa({DEVICE_ID: TIMEZONE}) as alexa, FakeTwilio() as twilio, \
            scratch_database(args.database_url, workdir, "bench_web") as database_url:
        env = server_env(database_url, workdir, twilio, ca_dir, alexa.url)
        runtime = open_database(load_settings(environ=env, env_file=None))
        couples = seed_couples(runtime, args.couples, ALEXA_USER)
        plan = scenarios.plan(ca, couples, alexa.url, (twilio.account_sid, twilio.auth_token))
        print(header(args), flush=True)
        with Gunicorn("app", "bench.benchapp:create_bench_app()", ROOT / "gunicorn.conf.py", env, workdir) as app, \
                Gunicorn("baseline", "bench.baseline:create_baseline_app()",
                         ROOT / "bench" / "gunicorn_baseline.py", env, workdir) as base:
            rows, answered = measure(plan, {"app": app.port, "baseline": base.port}, args)
        matched, line = check_database(runtime, couples, answered)
        runtime.close()
        print("\n" + report.table(rows) + "\n\n" + report.targets(rows) + "\n\n" + report.error_details(rows))
        print(line)
        print(f"Outbound calls from the app: Twilio {len(twilio.requests)}, Alexa Settings API {len(alexa.requests)}; "
              f"gunicorn stopped: app {stopped(app)}, baseline {stopped(base)}; load average now {load()}")
    return 0 if matched else 1


def stopped(server: Gunicorn) -> str:
    """How a server ended: cleanly (exit 0) or not."""
    code = server.process.returncode if server.process else None
    return "cleanly" if code == 0 else f"exit {code}"


def load() -> str:
    """The 1-minute load average: above ~0.5 on an idle machine, other work is skewing the figures."""
    return f"{os.getloadavg()[0]:.2f}"


def header(args) -> str:
    """What is being measured, in two lines."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # the servers inherit WEB_WORKERS/WEB_THREADS
    database = "PostgreSQL (temporary database)" if args.database_url else "SQLite (temporary file)"
    return (f"Trust Builder web bench: gunicorn {conf['worker_class']}, {conf['workers']} workers x "
            f"{conf['threads']} threads; {database}; {os.cpu_count()} CPUs; load average {load()}\n"
            f"levels {args.levels}, up to {args.requests} requests or {args.max_seconds:g} s per run, "
            f"warm-up {args.warmup} per scenario, {args.couples} couple(s)")


def main(argv=None) -> int:
    """Run the bench in a temporary folder that is removed afterwards."""
    args = parse_args(argv)
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="trustbuilder-bench-"))
        print(f"Keeping {workdir} (gunicorn-*.log, bench.db)")
        return run(args, workdir)
    with tempfile.TemporaryDirectory(prefix="trustbuilder-bench-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
