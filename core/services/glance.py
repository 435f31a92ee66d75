"""The day at a glance, for a screen (Echo Show): today's question, whether each partner has answered (never
what: a held or private answer looks like none), the week's small win and the speaker's open promises.
Only what the voice would tell the same speaker; no answer text is ever read here. Nothing here commits."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core import local_time
from core.models import Partner
from core.services import checkins, promises, questions, summary
from core.services.couples import other_partner
from core.words.times import describe_local

MAX_PROMISES = 3


@dataclass(frozen=True)
class Glance:
    """What a screen may show the partner speaking."""

    question: str
    you_answered: bool
    partner_name: str | None  # None: no partner in Trust Builder (yet)
    partner_answered: bool
    small_win: str
    promises: tuple[tuple[str, str], ...]  # (what, when), soonest first


def glance(session: Session, partner: Partner, now: datetime) -> Glance:
    """Today, for `partner`, in the couple's zone."""
    _, question = questions.todays_question(session, partner.couple, now)
    status = checkins.answer_status(session, partner, now)
    day = local_time.local_date(now, partner.couple.timezone)
    other = other_partner(partner)
    # Only a shared answer of theirs counts (the second EXISTS of BOTH_ANSWERED): a held one looks like none.
    theirs = status.status in ("both", "waiting_you") and other is not None and bool(session.execute(
        checkins.BOTH_ANSWERED, {"mine": other.id, "theirs": other.id, "day": day}).one()[1])
    present = status.status in ("both", "waiting_you", "waiting_partner")
    open_ones = promises.open_promises(session, partner)[:MAX_PROMISES]
    win = summary.weekly_summary(session, partner, now).small_win
    return Glance(question.text, checkins.has_answered(session, partner, day),
                  status.partner_name if present else None, bool(theirs), win,
                  tuple((p.text, describe_local(p.due_at, p.timezone, now)) for p in open_ones))
