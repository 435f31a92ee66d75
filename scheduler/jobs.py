"""The scheduler's jobs: module-level functions that APScheduler calls with this process's runtime and
dispatcher (`python -m scheduler` registers them with those as arguments; the console and the tests call
them the same way).

APScheduler is only the clock; the database says what is due. So a job keeps no state of its own, re-reads
everything, and is idempotent: running it twice, late, or in two processes at once sends nothing twice.
Each planner batch is its own short transaction, so locks are held briefly and a failure loses one batch at
most (it is planned again on the next tick)."""
import logging
from functools import partial

from core.db import transaction
from core.runtime import Runtime
from core.services import (answer_notices, echo_reminders, housekeeping, invitations, linking, planner,
                           setbacks, sign_in, small_wins, thinking_moments, voice_setup)
from core.services.dispatch import Dispatcher, DispatchStats

log = logging.getLogger("trustbuilder.scheduler")

PLAN_BATCH = 100
MAX_BATCHES = 10_000  # a planner bug that never advances its rows must not spin one job run forever


def plan(runtime: Runtime, batch: int = PLAN_BATCH) -> dict[str, int]:
    """Queue what is due now: daily questions by text, the weekly check-in, thinking-about-you moments, small
    wins, and the end of a setback's day of pause."""
    steps = {"questions": planner.plan_questions, "weekly": planner.plan_weekly,
             "nudges": thinking_moments.plan_nudges, "wins": small_wins.plan_wins, "setbacks": setbacks.resume_due}
    with runtime.sessions() as session:  # the idle tick: one look, no transaction per planner
        if not planner.anything_due(session, runtime.clock()):
            return dict.fromkeys(steps, 0)
    counts = {name: _drain(runtime, step, batch) for name, step in steps.items()}
    if any(counts.values()):
        log.info("planned: %s", ", ".join(f"{count} {name}" for name, count in counts.items()))
    return counts


def _drain(runtime: Runtime, step, batch: int) -> int:
    """Call a step (a planner, the redaction) in fresh transactions until it returns a partial batch."""
    total = 0
    for _ in range(MAX_BATCHES):
        with transaction(runtime.sessions) as session:
            handled = step(session, runtime.clock(), limit=batch)
        total += handled
        if handled < batch:
            break
    return total


def dispatch(dispatcher: Dispatcher, budget_seconds: float | None = None) -> DispatchStats:
    """Send everything due (within the time budget, if any)."""
    stats = dispatcher.run_until_idle(budget_seconds=budget_seconds)
    if stats.claimed or stats.skipped or stats.deferred:
        log.info("dispatched: %d sent, %d retrying, %d failed, %d deferred to quiet end, %d dropped, %d put back",
                 stats.sent, stats.retried, stats.failed, stats.deferred, stats.skipped, stats.released)
    return stats


def tidy(runtime: Runtime, dispatcher: Dispatcher) -> dict[str, int]:
    """The hourly round: account for interrupted sends, remove expired codes and invitations, redact old bodies."""
    counts = {"interrupted": dispatcher.recover_interrupted()}
    with transaction(runtime.sessions) as session:
        counts["codes_removed"] = (linking.remove_expired(session, runtime.clock())
                                   + voice_setup.remove_expired(session, runtime.clock())
                                   + sign_in.tidy(session, runtime.clock()))
        counts["invitations_expired"] = invitations.expire_due(session, runtime.clock())
        counts["echo_changes_dropped"] = echo_reminders.remove_stale(session, runtime.clock())
    redact = partial(housekeeping.redact_old_bodies, retention_days=runtime.settings.retention_days)
    counts["bodies_redacted"] = _drain(runtime, redact, 1000)
    if any(counts.values()):
        log.info("housekeeping: %s", ", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


def alexa(runtime: Runtime, messaging) -> dict[str, int]:
    """The Alexa round (with the skill's messaging credentials, skill/alexa_api.AlexaMessaging): "your
    partner answered" notifications that are due, and a skill message to each Echo account whose reminders
    must follow a change made by text. Claimed in a short transaction, called outside it, then recorded."""
    if messaging is None:
        return {"notices": 0, "woken": 0}
    with transaction(runtime.sessions) as session:
        claimed = answer_notices.claim(session, runtime.clock())
        accounts = echo_reminders.to_wake(session, runtime.clock())
    sent = 0
    for notice_id, user_id, host, until in claimed:
        answer = messaging.partner_answered(host, user_id, f"trustbuilder-answered-{notice_id}", runtime.clock(), until)
        with transaction(runtime.sessions) as session:
            retry = answer.status is None or answer.status == 429 or answer.status >= 500
            answer_notices.finish(session, notice_id, answer.ok, retry, runtime.clock())
        sent += answer.ok
    woken = sum(messaging.wake(host, user_id, {"trustbuilder": "echo_reminders"}).ok for user_id, host in accounts)
    if claimed or accounts:
        log.info("alexa: %d of %d notifications accepted, %d of %d Echo accounts woken", sent, len(claimed),
                 woken, len(accounts))
    return {"notices": sent, "woken": woken}


def run_once(runtime: Runtime, dispatcher: Dispatcher, messaging=None) -> DispatchStats:
    """One plan + dispatch pass (cron, the local console, `python -m scheduler --once`), and the Alexa round
    when the skill's messaging credentials are set."""
    plan(runtime)
    alexa(runtime, messaging)
    return dispatch(dispatcher)


def catch_up(runtime: Runtime, dispatcher: Dispatcher) -> DispatchStats:
    """Start-up after downtime: count the sends a crash interrupted (never re-sent), then plan and send
    what is still useful; the planners and the dispatcher skip, with a log line, what has gone stale."""
    interrupted = dispatcher.recover_interrupted()
    stats = run_once(runtime, dispatcher)
    log.info("catch-up done: %d interrupted sends accounted for, %d texts sent", interrupted, stats.sent)
    return stats
