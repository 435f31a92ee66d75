"""The scheduler's jobs: thin module-level functions that APScheduler calls by reference.

APScheduler is only the clock; the database says what is due. So a job takes no state of its own (only
plain arguments), re-reads everything, and is idempotent: running it twice, late, or in two processes at
once sends nothing twice. The process's runtime and dispatcher are installed once by `python -m scheduler`.
"""
from dataclasses import dataclass

from core.runtime import Runtime
from core.services.dispatch import Dispatcher
from scheduler import passes


@dataclass(frozen=True)
class Context:
    """What this process's jobs work with."""

    runtime: Runtime
    dispatcher: Dispatcher


_context: Context | None = None


def install(runtime: Runtime, dispatcher: Dispatcher) -> None:
    """Give the jobs this process's runtime and dispatcher (called once, before the scheduler starts)."""
    global _context
    _context = Context(runtime, dispatcher)


def uninstall() -> None:
    """Forget the runtime (at shutdown, and between tests)."""
    global _context
    _context = None


def context() -> Context:
    """The installed context; a job that runs without one is a wiring bug, so it fails loudly."""
    if _context is None:
        raise RuntimeError("scheduler jobs used before scheduler.jobs.install(runtime, dispatcher)")
    return _context


def plan_due(batch: int = passes.PLAN_BATCH) -> dict[str, int]:
    """Job: queue the texts that are due (daily questions, weekly summaries, thinking-about-you)."""
    return passes.plan(context().runtime, batch)


def dispatch_due(budget_seconds: float | None = None) -> dict[str, int]:
    """Job: send what is due, for at most `budget_seconds` (the next tick carries on)."""
    stats = passes.dispatch(context().dispatcher, budget_seconds)
    return {"sent": stats.sent, "retried": stats.retried, "failed": stats.failed}


def housekeep() -> dict[str, int]:
    """Job: the hourly round (interrupted sends, expired codes, old message bodies)."""
    return passes.tidy(context().runtime, context().dispatcher)


def run_once() -> int:
    """One plan + dispatch pass; returns how many texts were sent."""
    return passes.run_once(context().runtime, context().dispatcher).sent


def catch_up() -> int:
    """Start-up catch-up: interrupted sends counted, then plan and send what is still useful."""
    return passes.catch_up(context().runtime, context().dispatcher).sent
