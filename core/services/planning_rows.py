"""Set-based reads and writes for planning many couples at once (core.services.planner decides what to do).

Each function is one statement for a whole batch of couples, on plain rows (no ORM objects, so nothing is
kept in a session's identity map), and each insert is `ON CONFLICT DO NOTHING` on the same unique keys the
one-at-a-time services rely on (a couple's prompt per day, a text's idempotency key, a partner's heard mark
per day): planning twice, or beside another scheduler, stores everything once.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import any_, bindparam, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from core.crypto import phone_digest
from core.db import insert_new
from core.models import CheckIn, Couple, DailyPrompt, OutboundMessage, Partner, QuestionHeard, TextState, text_priority
from core.services.questions import OWN_ANSWER


class CoupleRow(NamedTuple):
    """What planning reads of a couple (the columns the planner's rules look at), and its partners."""

    id: int
    timezone: str
    question_minute: int
    next_question_at: datetime | None
    created_at: datetime
    partners: list  # PartnerRow, by id (the order Couple.partners has), once load_partners ran


@dataclass(slots=True, eq=False)
class PartnerRow:
    """What planning reads of a partner: the columns the model's own rules read, which it borrows (so there is
    one rule for "may they be texted", "is it their quiet time"), and their couple."""

    id: int
    phone: str | None
    consent: str
    opted_out: bool
    phone_invalid: bool
    quiet_start: int
    quiet_end: int
    paused: bool
    role: str | None
    couple: CoupleRow = field(repr=False)

    text_refusal = Partner.text_refusal
    can_text = Partner.can_text
    in_quiet_hours = Partner.in_quiet_hours


COUPLE_COLUMNS = (Couple.id, Couple.timezone, Couple.question_minute, Couple.next_question_at, Couple.created_at)
PARTNER_COLUMNS = (Partner.couple_id, Partner.id, Partner.phone, Partner.consent, Partner.opted_out,
                   Partner.phone_invalid, Partner.quiet_start, Partner.quiet_end, Partner.paused, Partner.role)


def claim_due(session: Session, condition, limit: int) -> list[CoupleRow]:
    """Up to `limit` couples matching `condition`, by id, locked for this transaction (partners not loaded
    yet); rows another planner holds are skipped (FOR UPDATE SKIP LOCKED, as planner._claim_due)."""
    return [CoupleRow(*row, partners=[]) for row in session.execute(
        select(*COUPLE_COLUMNS).where(condition).order_by(Couple.id).limit(limit).with_for_update(skip_locked=True))]


def load_partners(session: Session, couples: list[CoupleRow]) -> None:
    """Fill each couple's partners, by partner id, in one statement."""
    by_id = {couple.id: couple for couple in couples}
    if not by_id:
        return
    for couple_id, *columns in session.execute(select(*PARTNER_COLUMNS).where(
            _among(session, Partner.couple_id, by_id)).order_by(Partner.id)):
        by_id[couple_id].partners.append(PartnerRow(*columns, couple=by_id[couple_id]))


def stored_prompts(session: Session, wanted: Iterable[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """The question id stored for each (couple id, local date) that has one."""
    wanted = set(wanted)
    if not wanted:
        return {}
    rows = session.execute(select(DailyPrompt.couple_id, DailyPrompt.local_date, DailyPrompt.question_id).where(
        _among(session, DailyPrompt.couple_id, {c for c, _ in wanted}),
        _among(session, DailyPrompt.local_date, {d for _, d in wanted})))
    return {(c, d): q for c, d, q in rows if (c, d) in wanted}


def histories(session: Session, before: dict[int, date]) -> dict[int, list[str]]:
    """Each couple's question ids before its date in `before`, oldest first (what the day's rule reads)."""
    if not before:
        return {}
    found: dict[int, list[str]] = {couple_id: [] for couple_id in before}
    rows = session.execute(select(DailyPrompt.couple_id, DailyPrompt.local_date, DailyPrompt.question_id).where(
        _among(session, DailyPrompt.couple_id, before), DailyPrompt.local_date < max(before.values()))
        .order_by(DailyPrompt.couple_id, DailyPrompt.local_date))
    for couple_id, day, question_id in rows:
        if day < before[couple_id]:
            found[couple_id].append(question_id)
    return found


def heard(session: Session, wanted: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (partner id, local date) pairs among `wanted` whose partner heard or was sent that day's question."""
    return _pairs(session, QuestionHeard, wanted)


def answered(session: Session, wanted: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (partner id, local date) pairs among `wanted` with a text answer of their own that day (the rule of
    checkins.has_answered: shared, or held after it read as danger)."""
    return _pairs(session, CheckIn, wanted, CheckIn.text.is_not(None), CheckIn.visibility.in_(OWN_ANSWER))


def _pairs(session: Session, model, wanted, *conditions) -> set[tuple[int, date]]:
    wanted = set(wanted)
    if not wanted:
        return set()
    rows = session.execute(select(model.partner_id, model.local_date).distinct().where(
        _among(session, model.partner_id, {p for p, _ in wanted}),
        _among(session, model.local_date, {d for _, d in wanted}), *conditions))
    return {(p, d) for p, d in rows if (p, d) in wanted}


def insert_prompts(session: Session, prompts: list[dict]) -> set[int]:
    """Store each couple's prompt (couple_id, local_date, question_id, created_at) unless one is stored
    already (another server's stands); returns the couple ids stored here."""
    if not prompts:
        return set()
    statement = insert_new(session, DailyPrompt, returning="couple_id")
    return set(session.scalars(statement, prompts))


def queue_texts(session: Session, drafts: list[dict], now: datetime) -> None:
    """Queue texts, each a dict of partner_id, to_phone, body, kind, idempotency_key, send_after, expires_at and
    respect_quiet, as outbox.queue would (the caller checked the partner may be texted); a key queued before
    keeps its first text. Body and number are encrypted by their column type, as through the ORM."""
    if not drafts:
        return
    rows = [{**draft, "to_phone_digest": phone_digest(draft["to_phone"]), "state": TextState.QUEUED,
             "promise_id": None, "attempts": 0, "created_at": now, "updated_at": now,
             "priority": text_priority(draft["kind"])} for draft in drafts]
    session.execute(insert_new(session, OutboundMessage), rows)


def mark_heard(session: Session, marks: list[dict]) -> None:
    """Record heard marks (partner_id, local_date, channel, at); a partner marked that day already keeps theirs."""
    if marks:
        session.execute(insert_new(session, QuestionHeard), marks)


SET_NEXT_QUESTION = (update(Couple.__table__).where(Couple.__table__.c.id == bindparam("couple_id"))
                     .values(next_question_at=bindparam("at")))


def set_next_question_at(session: Session, times: dict[int, datetime]) -> None:
    """Move each couple's next_question_at (one executemany)."""
    if times:
        session.execute(SET_NEXT_QUESTION, [{"couple_id": c, "at": at} for c, at in times.items()])


def _among(session: Session, column, values: Iterable):
    """`column` is one of `values`: on PostgreSQL `= ANY(array)`, one statement text whatever the batch's size
    (so the server and the driver prepare it once); elsewhere an IN list."""
    values = sorted(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
