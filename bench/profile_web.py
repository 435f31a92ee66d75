"""Profile of each web scenario in process: where a launch, a voice check-in and an SMS check-in spend time.

    python bench/profile_web.py                       # temporary SQLite, 100 couples, 300 requests each
    python bench/profile_web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/profile_web.py --compare            # no profiler: CPU per request, app next to the baselines
    python bench/profile_web.py --statements         # the SQL one request of each scenario sends, in order
    python bench/profile_web.py --save /tmp/web      # also keep each scenario's profile (python -m pstats)

The real app (`create_app`, the skill's verifier trusting a throwaway CA and every other check on, Twilio
signatures checked) in a temporary database, driven through Flask's test client one request at a time
under cProfile, after a warm-up. For each scenario it prints the CPU and wall time per request, the
statements per request, and the functions with the most cumulative time, grouped as our code, SQLAlchemy,
the driver, crypto, ask-sdk and Flask/werkzeug.

With --compare there is no profiler: each scenario and each of bench/baseline.py's handlers (the bare
ask-sdk skill, the fixed TwiML route, the minimal correct handlers) is driven the same way in the same
process, alternating in rounds, and the CPU time per request (`time.process_time`, so other load on the
machine disturbs it far less than throughput) is printed with its ratio to the baseline. This is the work
a request does, without gunicorn's queueing.

With --statements it prints, for each scenario, the statements one request sends (after a warm-up, for a
couple whose question of the day is already stored and heard, as it is for most requests), parameters left
out.
"""
import argparse
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.benchapp import CERT_URL  # noqa: E402
from bench.seed import open_database, seed_couples  # noqa: E402
from bench.traffic import (ALEXA_USER, DEVICE_ID, OUR_NUMBER, PUBLIC_BASE_URL, SKILL_ID, answer_request,  # noqa: E402
                           bench_ca, launch_request, signed_client)
from core.config import load_settings  # noqa: E402
from devkit.certs import read_ca  # noqa: E402
from devkit.databases import scratch_database  # noqa: E402
from devkit.fakes.alexa_api import FakeAlexa  # noqa: E402
from devkit.fakes.twilio_api import FakeTwilio  # noqa: E402

TIMEZONE = "America/New_York"
SAYING = "I felt closest to you when we cooked dinner together"
ROOT = Path(__file__).resolve().parent.parent
GROUPS = (("sqlalchemy", ("/sqlalchemy/",)), ("driver (python side)", ("sqlite3", "/psycopg/")),
          ("crypto", ("/cryptography/",)), ("ask-sdk", ("/ask_sdk",)), ("flask/werkzeug", ("/flask/", "/werkzeug/")),
          ("C calls (driver, commit, locks, I/O)", ("~",)))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="cProfile of each web scenario, in process.")
    parser.add_argument("--database-url", help="a PostgreSQL server (a temporary database is made on it)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=12, help="functions listed per scenario")
    parser.add_argument("--compare", action="store_true", help="no profiler: CPU per request next to the baselines")
    parser.add_argument("--rounds", type=int, default=5, help="with --compare: alternating rounds (median kept)")
    parser.add_argument("--statements", action="store_true", help="the SQL one request of each scenario sends")
    parser.add_argument("--save", metavar="DIR", help="also write each scenario's profile to DIR/<scenario>.prof "
                                                      "(read it with python -m pstats)")
    return parser.parse_args(argv)


def scenarios(app, ca, couples, alexa_url: str, twilio: FakeTwilio) -> dict:
    poster = signed_client(app, ca, alexa_url, twilio.account_sid, twilio.auth_token)
    return {"alexa-launch": lambda c: poster.alexa(launch_request(), c.alexa_user_id),
            "alexa-checkin": lambda c: poster.alexa(answer_request(SAYING), c.alexa_user_id),
            "sms-checkin": lambda c: poster.sms(c.texting_phone, SAYING)}


def group_of(filename: str) -> str:
    if filename.startswith(str(ROOT)) and "site-packages" not in filename and "/bench/" not in filename:
        return "our code"
    return next((name for name, marks in GROUPS if any(m in filename for m in marks)), "other libraries")


def main(argv=None) -> int:
    args = parse_args(argv)
    from app import create_app
    with tempfile.TemporaryDirectory() as folder, FakeTwilio() as twilio, FakeAlexa({DEVICE_ID: TIMEZONE}) as alexa, \
            scratch_database(args.database_url, Path(folder), "bench_profile") as url:
        folder = Path(folder)
        env = dict(APP_ENV="production" if url.startswith("postgresql") else "development", DATABASE_URL=url,
                   PUBLIC_BASE_URL=PUBLIC_BASE_URL, ALEXA_SKILL_ID=SKILL_ID, ALEXA_VERIFY="true",
                   ENCRYPTION_KEY=Fernet.generate_key().decode(), LOOKUP_KEY="profile-lookup-key-" + "x" * 24,
                   VAR_DIR=str(folder / "var"), TWILIO_ACCOUNT_SID=twilio.account_sid,
                   TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_FROM_NUMBER=OUR_NUMBER, TWILIO_API_URL=twilio.url,
                   DEFAULT_TIMEZONE=TIMEZONE)
        settings = load_settings(environ=env, env_file=None)
        runtime = open_database(settings)
        couples = seed_couples(runtime, 100, ALEXA_USER)
        ca = bench_ca()
        roots, fetch = read_ca(ca.write(folder / "ca"), CERT_URL)
        app = create_app(settings, runtime=runtime, skill_options={"trusted_roots": roots, "fetch": fetch})
        logging.getLogger().setLevel(logging.WARNING)
        statements, writes, seen = [0], [0], []

        def count(_conn, _cursor, statement, *_):
            statements[0] += 1
            seen.append(statement)
            writes[0] += statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        event.listen(runtime.engine, "before_cursor_execute", count)
        if args.compare:
            compare(args, app, ca, couples, alexa.url, twilio, folder, url, env)
            runtime.close()
            return 0
        if args.statements:
            list_statements(app, ca, couples, alexa.url, twilio, seen, url)
            runtime.close()
            return 0
        print(f"Web profile: {args.requests} requests per scenario, in process, one at a time, "
              f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'} (temporary), 100 couples")
        for name, call in scenarios(app, ca, couples, alexa.url, twilio).items():
            for n in range(20):  # warm-up: chain cached, bank loaded, statements compiled
                call(couples[n % len(couples)])
            statements[0], writes[0], profiler = 0, 0, cProfile.Profile()
            cpu, wall = time.process_time(), time.perf_counter()
            profiler.enable()
            for n in range(args.requests):
                response = call(couples[n % len(couples)])
                assert response.status_code == 200, response.data
            profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(str(Path(args.save) / f"{name}.prof"))
            stats = pstats.Stats(profiler)
            own = defaultdict(float)
            for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
                own[group_of(filename)] += tottime
            total = sum(own.values()) or 1
            print(f"\n{name}: {cpu / args.requests * 1000:.2f} ms CPU, {wall / args.requests * 1000:.2f} ms wall, "
                  f"{statements[0] / args.requests:.1f} statements per request, {writes[0] / args.requests:.1f} "
                  "of them writes (under the profiler)")
            print("  own time by package: " + ", ".join(f"{g} {t / total:.0%}" for g, t in
                                                        sorted(own.items(), key=lambda kv: -kv[1])))
            rows = sorted(((key, value) for key, value in stats.stats.items() if group_of(key[0]) == "our code"),
                          key=lambda kv: -kv[1][3])[:args.top]
            print("  our functions by cumulative time per request:")
            for (filename, line, function), (_, calls, _, cumtime, _) in rows:
                short = str(Path(filename).relative_to(ROOT))
                print(f"    {cumtime / args.requests * 1000:6.2f} ms  {calls / args.requests:5.1f}x  "
                      f"{short}:{line}({function})")
        runtime.close()
    return 0


def list_statements(app, ca, couples, alexa_url: str, twilio: FakeTwilio, seen: list, url: str) -> None:
    """Each scenario's statements for one request, after the same couple made one of that kind already."""
    print(f"Statements per request, {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}, "
          "one request after a warm-up (parameters left out; long statements cut at 160 characters)")
    for name, call in scenarios(app, ca, couples, alexa_url, twilio).items():
        call(couples[0])
        seen.clear()
        assert call(couples[0]).status_code == 200, name
        print(f"\n{name}: {len(seen)} statements")
        for statement in seen:
            flat = " ".join(statement.split())
            print(f"  {flat[:157] + '...' if len(flat) > 160 else flat}")


def compare(args, app, ca, couples, alexa_url: str, twilio: FakeTwilio, folder: Path, url: str, env: dict) -> None:
    """CPU per request of each scenario and of its baselines, unprofiled, in alternating rounds. Requests are
    built and signed before the clock starts, as bench/app_load.py does, so only the server's side counts."""
    import os
    from bench import baseline
    ca.write(folder / "bench-ca")
    # The baselines read their settings from the environment, as under gunicorn, while they serve; they are
    # put back afterwards, so a caller in the same process (the tests) does not inherit this run's key.
    settings = dict(BENCH_CA_DIR=str(folder / "bench-ca"), ALEXA_SKILL_ID=SKILL_ID, DATABASE_URL=url,
                    ENCRYPTION_KEY=env["ENCRYPTION_KEY"], PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                    TWILIO_AUTH_TOKEN=twilio.auth_token)
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    baseline_app = baseline.create_baseline_app()
    try:
        _compare(args, app, ca, couples, alexa_url, twilio, url, baseline_app)
    finally:
        if "minimal_engine" in baseline_app.extensions:
            baseline_app.extensions["minimal_engine"].dispose()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _compare(args, app, ca, couples, alexa_url: str, twilio: FakeTwilio, url: str, baseline_app) -> None:
    """compare()'s measurement, with the baselines' settings in the environment."""
    import json
    import os
    from dataclasses import replace
    from devkit import alexa as alexa_envelopes, twilio as twilio_forms
    ours, base = app.test_client(), baseline_app.test_client()
    device = signed_client(app, ca, alexa_url, twilio.account_sid, twilio.auth_token).device

    def alexa(client, make, path="/alexa"):
        def prepared(c):
            body = json.dumps(alexa_envelopes.envelope(make(), replace(device, user_id=c.alexa_user_id),
                                                       session=alexa_envelopes.AlexaSession())).encode()
            return client, path, body, ca.headers(body), None
        return prepared

    def sms(client, path="/sms/inbound"):
        def prepared(c):
            form = twilio_forms.inbound_form(c.texting_phone, OUR_NUMBER, SAYING, account_sid=twilio.account_sid)
            headers = twilio_forms.signed_headers(twilio.auth_token, PUBLIC_BASE_URL + "/sms/inbound", form)
            return client, path, twilio_forms.encoded(form), headers, "application/x-www-form-urlencoded"
        return prepared

    makers = {"alexa-hello (bare)": alexa(base, launch_request), "alexa-launch": alexa(ours, launch_request),
              "alexa-minimal (base)": alexa(base, lambda: answer_request(SAYING), "/minimal/alexa"),
              "alexa-checkin": alexa(ours, lambda: answer_request(SAYING)),
              "twiml (bare)": sms(base), "sms-minimal (base)": sms(base, "/minimal/sms"), "sms-checkin": sms(ours)}
    against = {"alexa-launch": ("alexa-hello (bare)", None),
               "alexa-checkin": ("alexa-hello (bare)", "alexa-minimal (base)"),
               "sms-checkin": ("twiml (bare)", "sms-minimal (base)")}

    def post(client, path, body, headers, content_type):
        kwargs = {"content_type": content_type} if content_type else {}
        return client.post(path, data=body, headers=headers, **kwargs)

    for name, make in makers.items():  # warm-up: chains cached, bank loaded, statements compiled
        for n in range(20):
            assert post(*make(couples[n % len(couples)])).status_code == 200, name
    per_request = defaultdict(list)
    for _ in range(args.rounds):
        for name, make in makers.items():
            prepared = [make(couples[n % len(couples)]) for n in range(args.requests)]
            cpu = time.process_time()
            for request in prepared:
                post(*request)
            per_request[name].append((time.process_time() - cpu) / args.requests * 1000)
    median = {name: sorted(values)[len(values) // 2] for name, values in per_request.items()}
    print(f"Web CPU per request, in process, one at a time, no profiler: {args.requests} requests x "
          f"{args.rounds} alternating rounds (median), "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'} (temporary), {len(couples)} couples; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'scenario':24} {'CPU ms':>8} {'x bare':>8} {'x minimal':>10}  (baseline CPU / scenario CPU)")
    for name, value in median.items():
        bare, floor = against.get(name, (None, None))
        ratio = lambda b: f"{median[b] / value:.2f}" if b else "-"  # noqa: E731
        print(f"{name:24} {value:8.2f} {ratio(bare):>8} {ratio(floor):>10}")


if __name__ == "__main__":
    sys.exit(main())
