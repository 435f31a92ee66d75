"""The scheduler process: finds due work in the database and sends Trust Builder's texts.

    python -m scheduler                  catch up, then plan + dispatch every SCHEDULER_TICK_SECONDS
    python -m scheduler --once           one pass (catch-up, plan, dispatch), then exit: cron, the local console
    python -m scheduler --no-catch-up    skip the start-up catch-up (recover interrupted sends, send what is due)

Run one per deployment, never inside the web app. A second one is safe on PostgreSQL (rows are claimed with
FOR UPDATE SKIP LOCKED); on SQLite run exactly one. SIGTERM or Ctrl-C stops cleanly: no new claims, the
texts already with Twilio are recorded, the rest of the claimed batch is put back, running jobs finish.
"""
import argparse
import logging
import signal
import sys
from datetime import timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.exc import SQLAlchemyError

from core import logs
from core.config import ConfigError, load_settings
from core.crypto import CryptoError
from core.db import SchemaError, describe_error, transaction
from core.runtime import Runtime, open_runtime
from core.services import operator_status, outbox
from core.services.dispatch import Dispatcher
from core.services.dispatch_pacing import pace_from_settings
from scheduler import jobs
from skill.alexa_api import AlexaMessaging
from sms.gateway import gateway_for

log = logging.getLogger("trustbuilder.scheduler")
HOUSEKEEPING_SECONDS = 3600
HEARTBEAT_SECONDS = 300
STATUS_PATH = "/sms/status"  # sms/webhooks.py answers Twilio's delivery reports here


class StopRequested(Exception):
    """Raised in the main thread by a signal, only while it sits in BlockingScheduler.start()."""


class Stopper:
    """The SIGTERM/SIGINT handler: stop claiming texts at once; break out of the scheduler's wait if in it.
    During catch-up or --once it never raises, so a pass is never cut between a claim and its record."""

    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher, self.requested, self.interrupt = dispatcher, False, False

    def __call__(self, signum, _frame) -> None:
        log.info("%s received: stopping after the texts in flight", signal.Signals(signum).name)
        self.requested = True
        self.dispatcher.stop()
        if self.interrupt:
            self.interrupt = False
            raise StopRequested


def parse_args(argv=None) -> argparse.Namespace:
    """The command line: --once and --catch-up/--no-catch-up."""
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="run one plan + dispatch pass and exit")
    parser.add_argument("--catch-up", action=argparse.BooleanOptionalAction, default=True,
                        help="at start-up, recover interrupted sends and send what is still useful (default)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Build settings, runtime and dispatcher, then run once or forever; 0 on a clean stop."""
    args = parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
        runtime = open_runtime(settings, gateway_for(settings))
    except (ConfigError, SchemaError, CryptoError) as error:
        sys.exit(f"Trust Builder scheduler cannot start: {error}")
    except SQLAlchemyError as error:
        sys.exit(f"Trust Builder scheduler cannot start: {describe_error(error)}")
    # Paced to what the Twilio sender accepts (SMS_SENDER_KIND / SMS_RATE_PER_SECOND), shared with any
    # other scheduler through the database; the development outbox sends nothing, so needs no pace.
    pace = pace_from_settings(settings) if runtime.gateway.delivers else None
    dispatcher = Dispatcher(runtime.sessions, runtime.gateway, runtime.clock,
                            status_callback=settings.public_base_url + STATUS_PATH, pace=pace)
    stopper = Stopper(dispatcher)
    signal.signal(signal.SIGTERM, stopper)
    signal.signal(signal.SIGINT, stopper)
    try:
        run(args, runtime, dispatcher, stopper)
    finally:
        dispatcher.close()
        runtime.close()
    return 0


def run(args: argparse.Namespace, runtime: Runtime, dispatcher: Dispatcher, stopper: Stopper) -> None:
    """Catch up (unless told not to), then either stop (--once) or tick until a signal."""
    messaging = AlexaMessaging.from_settings(runtime.settings)
    if args.once and not args.catch_up:
        jobs.run_once(runtime, dispatcher, messaging)
        return
    if args.catch_up:
        jobs.catch_up(runtime, dispatcher)
        jobs.alexa(runtime, messaging)
    if not (args.once or stopper.requested):
        heartbeat(runtime)  # alive from the first minute, not only after the first interval
        run_forever(build_scheduler(runtime, dispatcher, runtime.settings.scheduler_tick_seconds, messaging), stopper)


def build_scheduler(runtime: Runtime, dispatcher: Dispatcher, tick_seconds: int,
                    messaging: AlexaMessaging | None = None) -> BlockingScheduler:
    """A UTC BlockingScheduler with the periodic jobs, each registered under a fixed id (the Alexa round only
    with the skill's messaging credentials)."""
    scheduler = BlockingScheduler(timezone=timezone.utc, executors={"default": ThreadPoolExecutor(3)})
    # misfire_grace_time=None: a job reads what is due from the database when it runs, so a late run is as
    # good as an on-time one and is never dropped. coalesce=True: runs missed while the process was
    # suspended collapse into one, which does all the due work anyway. max_instances=1: a long run is never
    # joined by a second copy of itself (the dispatcher's budget keeps runs within one tick).
    common = dict(trigger="interval", replace_existing=True, max_instances=1, coalesce=True,
                  misfire_grace_time=None)
    scheduler.add_job(jobs.plan, id="plan", seconds=tick_seconds, args=[runtime], **common)
    scheduler.add_job(jobs.dispatch, id="dispatch", seconds=tick_seconds, args=[dispatcher],
                      kwargs={"budget_seconds": tick_seconds * 0.9}, **common)
    scheduler.add_job(jobs.tidy, id="housekeeping", seconds=HOUSEKEEPING_SECONDS, args=[runtime, dispatcher],
                      **common)
    scheduler.add_job(heartbeat, id="heartbeat", seconds=HEARTBEAT_SECONDS, args=[runtime], **common)
    if messaging is not None:
        scheduler.add_job(jobs.alexa, id="alexa", seconds=tick_seconds, args=[runtime, messaging], **common)
    return scheduler


def heartbeat(runtime: Runtime) -> tuple[int, int]:
    """Job: one line every few minutes, so an idle scheduler is visibly alive, with the queue's depth."""
    with transaction(runtime.sessions) as session:
        queued, due = outbox.waiting(session, runtime.clock())
        operator_status.record_heartbeat(session, runtime.clock())  # shown on the operator's /admin page
    log.info("scheduler alive: %d texts queued, %d due now", queued, due)
    return queued, due


def run_forever(scheduler: BlockingScheduler, stopper: Stopper) -> None:
    """Block in the scheduler until a signal; then let running jobs finish before returning."""
    log.info("scheduler running: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    stopper.interrupt = True
    try:
        scheduler.start()
    except StopRequested:
        pass
    finally:
        stopper.interrupt = False
        if scheduler.running:
            scheduler.shutdown(wait=True)
    log.info("scheduler stopped")


def configure_logging() -> None:
    """The web app's log format; APScheduler's per-run lines only at WARNING (a run every tick is noise)."""
    logs.configure()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
