"""Moving simulated time the way the scheduler sees it: the clock jumps to the next moment our tables say
something is due (never more than a step at a time), and a scheduler pass runs at each stop, so every text
goes out at its own time (a reminder at 17:30, its follow-up at 18:30), not all at the end."""
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import SettableClock
from core.models import Couple, NudgeSchedule, OutboundMessage


def next_due(sessions: sessionmaker[Session], now: datetime) -> datetime | None:
    """The soonest time after `now` at which the scheduler has something to do, from our own tables."""
    queries = [select(func.min(OutboundMessage.send_after)).where(OutboundMessage.state == "queued",
                                                                  OutboundMessage.send_after > now),
               select(func.min(Couple.next_question_at)).where(Couple.next_question_at > now),
               select(func.min(Couple.next_summary_at)).where(Couple.next_summary_at > now),
               select(func.min(NudgeSchedule.next_at)).where(NudgeSchedule.active, NudgeSchedule.next_at > now)]
    with sessions() as session:
        times = [t for t in (session.scalar(query) for query in queries) if t is not None]
    return min(times) if times else None


def step_to(clock: SettableClock, target: datetime, sessions: sessionmaker[Session], run_pass: Callable[[], object],
            max_step: timedelta) -> int:
    """Move `clock` to `target`, stopping at each due time (and at least every `max_step`) to run a pass;
    returns how many passes ran."""
    passes = 0
    while clock() < target:
        now = clock()
        clock.set(min(target, now + max_step, next_due(sessions, now) or target))
        run_pass()
        passes += 1
    return passes
