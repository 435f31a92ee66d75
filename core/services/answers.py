"""The day's answer, kept with care, the same for text and voice.

`take_answer` stores a message as the day's answer only when it reads as one (replies_in_context); when
it could be either it is kept `pending` and the writer is asked. An answer that reads as danger
(core.safety.reads_as_danger) is `held`: private to its writer until they say SHARE IT. A second answer
the same day replaces the first. UNDO takes an answer back within UNDO_WINDOW, before the partner saw it;
PRIVATE keeps a reflection that is never revealed and never counted.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from core import local_time
from core.db import among
from core.errors import InvalidInput
from core.models import Awaiting, CheckIn, Partner, Visibility
from core.safety import DangerSignal, reads_as_danger
from core.services import answer_notices, checkins
from core.services.couples import clear_awaited, expect_reply
from core.services.replies_in_context import read_as_answer

UNDO_WINDOW = timedelta(minutes=15)
ASK_MINUTES = 30  # how long "Was that your answer? Reply YES" waits
REPLACEABLE = (Visibility.SHARED, Visibility.HELD, Visibility.PENDING)


def _replacing(gentle: bool):
    """The UPDATE that blanks a partner's earlier answers of a day, to the gentle question or to the topic.
    Built once: a check-in runs it every time, and building it (its IN lists) cost more than running it."""
    table = CheckIn.__table__
    return update(table).where(
        table.c.partner_id == bindparam("answerer"), table.c.local_date == bindparam("day"),
        table.c.id != bindparam("kept"), table.c.text.is_not(None), among(table.c.visibility, REPLACEABLE),
        among(table.c.question_id, checkins.GENTLE_IDS, negate=not gentle)).values(
        text=None, visibility=Visibility.REPLACED)


REPLACE_EARLIER = {gentle: _replacing(gentle) for gentle in (False, True)}


@dataclass(frozen=True)
class Taken:
    """What became of a message offered as the day's answer.

    status: saved | replaced | held | gentle (an answer to the asker's own gentler question, never shown to
    the partner) | ack | command | question | unclear (asked first) | private
    """

    status: str
    reveal: checkins.Reveal | None = None
    signal: DangerSignal | None = None

    @property
    def stored(self) -> bool:
        return self.status in ("saved", "replaced", "held", "gentle")


def take_answer(session: Session, partner: Partner, text: str | None, channel: str, source_id: str,
                now: datetime, explicit: bool = False) -> Taken:
    """Offer `text` as today's answer. `explicit` (voice "my answer is ...", text "my answer is ...") skips
    the "does it read as one" question, never the yes/no/thanks and danger checks."""
    if not (text or "").strip():
        raise InvalidInput("an answer cannot be empty", "empty_answer")
    # The same words read the same way every time, so a retried request takes the same turn here; the
    # insert then finds the first one's check-in by its source id, and the retry does nothing more.
    reading = read_as_answer(text)
    if reading == "ack" or (not explicit and reading in ("command", "question")):
        return Taken(reading)
    if not explicit and reading == "unclear":
        check_in, stored = checkins.record_check_in(session, partner, text, channel, source_id, now,
                                                    visibility=Visibility.PENDING)
        if not stored:
            return _repeated(session, partner, check_in, now)
        expect_reply(partner, Awaiting.SAVE_ANSWER, now, ref=check_in.id, minutes=ASK_MINUTES)
        session.flush()
        return Taken("unclear")
    return _keep(session, partner, text, channel, source_id, now)


def _keep(session, partner, text, channel, source_id, now) -> Taken:
    """Store the answer first (a retry stops there), then blank the earlier ones of the day it replaces."""
    signal = reads_as_danger(text)
    check_in, stored = checkins.record_check_in(session, partner, text, channel, source_id, now,
                                                visibility=Visibility.HELD if signal else Visibility.SHARED)
    if not stored:
        return _repeated(session, partner, check_in, now)
    gentle = check_in.question_id in checkins.GENTLE_IDS
    replaced = _drop_earlier(session, partner, now, gentle, kept=check_in.id)
    if not (signal or gentle):  # a gentle answer stays private: nothing to tell the partner
        answer_notices.partner_answered(session, partner, now)
    status = "held" if signal else "gentle" if gentle else "replaced" if replaced else "saved"
    return Taken(status, checkins.reveal_partner_answer(session, partner, now, with_text=False), signal)


def _repeated(session: Session, partner: Partner, first: CheckIn, now: datetime) -> Taken:
    """A retried request: what the first one did, nothing more."""
    status = {Visibility.HELD: "held", Visibility.PENDING: "unclear"}.get(first.visibility, "saved")
    return Taken(status, checkins.reveal_partner_answer(session, partner, now, with_text=False))


def _today(partner: Partner, now: datetime):
    return local_time.local_date(now, partner.couple.timezone)


def _drop_earlier(session: Session, partner: Partner, now: datetime, gentle: bool, kept: int) -> bool:
    """A new answer (the check-in `kept`) replaces the earlier ones of the day to the same question (never
    glued onto them; an answer to the gentler personal question never replaces the answer to the couple's
    topic, nor the other way round): their words are dropped, the rows stay as `replaced` so a retried
    request still finds what it did. True if there were any."""
    day = _today(partner, now)
    session.flush()  # what the session holds is in the rows the statement looks at
    result = session.execute(REPLACE_EARLIER[gentle], {"answerer": partner.id, "day": day, "kept": kept})
    if result.rowcount:  # loaded copies of the rows it blanked would still show the words: reload them
        for row in [o for o in session.identity_map.values() if isinstance(o, CheckIn)]:
            if (row.id != kept and row.partner_id == partner.id and row.local_date == day and row.text is not None
                    and row.visibility in REPLACEABLE and (row.question_id in checkins.GENTLE_IDS) == gentle):
                session.expire(row)
    return bool(result.rowcount)


def confirm_pending(session: Session, partner: Partner, yes: bool, now: datetime) -> Taken | None:
    """YES to "Was that your answer?": it becomes the answer (held if it reads as danger); anything else
    drops it. None when there was nothing waiting."""
    pending = session.get(CheckIn, partner.awaiting_ref) if partner.awaiting_ref else None
    clear_awaited(partner)
    if pending is None or pending.partner_id != partner.id or pending.visibility != Visibility.PENDING:
        return None
    if not yes:
        session.delete(pending)
        session.flush()
        return Taken("dropped")
    # The same row becomes the answer, so it stays tied to the text that said it.
    text, gentle = pending.text, pending.question_id in checkins.GENTLE_IDS
    replaced = _drop_earlier(session, partner, now, gentle, kept=pending.id)
    signal = reads_as_danger(text)
    pending.visibility = Visibility.HELD if signal else Visibility.SHARED
    session.flush()
    if not (signal or gentle):  # a gentle answer stays private: nothing to tell the partner
        answer_notices.partner_answered(session, partner, now)
    status = "held" if signal else "gentle" if gentle else "replaced" if replaced else "saved"
    return Taken(status, checkins.reveal_partner_answer(session, partner, now, with_text=False), signal)


def undo(session: Session, partner: Partner, now: datetime) -> str:
    """UNDO / "take back my answer": removed | seen | too_late | nothing."""
    latest = session.scalar(select(CheckIn).where(
        CheckIn.partner_id == partner.id, CheckIn.local_date == _today(partner, now), CheckIn.text.is_not(None),
        CheckIn.visibility.in_(REPLACEABLE)).order_by(CheckIn.created_at.desc(), CheckIn.id.desc()))
    if latest is None:
        return "nothing"
    if latest.seen_at is not None:
        return "seen"
    if latest.created_at <= now - UNDO_WINDOW:
        return "too_late"
    session.delete(latest)
    session.flush()
    return "removed"


def keep_private(session: Session, partner: Partner, text: str | None, channel: str, source_id: str,
                 now: datetime) -> Taken:
    """PRIVATE <text> / "just for me, ...": a reflection for its writer only; it replaces no answer. The
    signal is set when it reads as danger, so the reply can offer the safety lines."""
    if not (text or "").strip():
        raise InvalidInput("a private reflection cannot be empty", "empty_private")
    checkins.record_check_in(session, partner, text, channel, source_id, now, visibility=Visibility.PRIVATE)
    return Taken("private", signal=reads_as_danger(text))


def share_held(session: Session, partner: Partner, now: datetime) -> checkins.Reveal | None:
    """SHARE IT: today's held answer is shared after all; None when nothing is held."""
    held = session.scalar(select(CheckIn).where(
        CheckIn.partner_id == partner.id, CheckIn.local_date == _today(partner, now),
        CheckIn.visibility == Visibility.HELD))
    if held is None:
        return None
    held.visibility = Visibility.SHARED
    session.flush()
    answer_notices.partner_answered(session, partner, now)
    return checkins.reveal_partner_answer(session, partner, now, with_text=False)
