"""Echo reminders of promises: the partner's choice (by text, on the Echo, or both), the reminders made on
an Echo, and what each still needs once its promise is kept, missed, cancelled, moved or erased.

Core keeps the rows and the rules; the skill makes the Reminders API calls (skill/echo.py) with the next
apiAccessToken of that Alexa account: the request that changed the promise, or, for a change made by text,
the Messaging.MessageReceived request a skill message from the scheduler wakes (`to_wake`). The rule "never
both an Echo reminder and a text for the same moment, unless the partner asked for both": the text reminder
is always queued first (it is the fallback) and is cancelled only once the Echo reminder exists and the
partner chose the Echo alone. Nothing here commits.
"""
import functools
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, event, exists, or_, select
from sqlalchemy.orm import Session

from core.models import (Couple, EchoChange, EchoPreference, EchoReminder, OutboundMessage, Partner, Promise, PromiseState,
                         ReminderWay, TextKind, TextState)
from core.services import promises

WAKE_AGAIN_AFTER = timedelta(minutes=15)  # a skill message not answered by then is sent again
KEEP_AFTER_DUE = timedelta(days=2)  # a change still not applied by then is moot: the reminder went off


# Built once: a check-in (the partner's "answered" notice) and every Alexa turn (pending changes) run these.
PREFERENCE = select(EchoPreference).where(EchoPreference.partner_id == bindparam("partner_id"))


def preference(session: Session, partner: Partner, now: datetime | None = None) -> EchoPreference | None:
    """The partner's Echo choices; created (empty) when `now` is given."""
    row = session.scalar(PREFERENCE, {"partner_id": partner.id})
    if row is None and now is not None:
        row = EchoPreference(partner_id=partner.id, updated_at=now)
        session.add(row)
    return row


def reminder_way(session: Session, partner: Partner) -> str | None:
    """text, echo or both; None when the partner was never asked."""
    row = preference(session, partner)
    return row.reminder_way if row else None


def choose_way(session: Session, partner: Partner, way: str, now: datetime) -> None:
    """Remember how this partner wants promise reminders."""
    row = preference(session, partner, now)
    row.reminder_way, row.updated_at = ReminderWay(way), now
    session.flush()


def echo_time(promise: Promise, now: datetime) -> datetime | None:
    """When the Echo should remind: the promise's own reminder time (None when it is too close)."""
    return promises.reminder_time(promise, now) if promise.state == PromiseState.OPEN else None


def record(session: Session, promise: Promise, user_id: str, host: str, alert_token: str, remind_at: datetime,
           now: datetime) -> EchoReminder:
    """The Echo reminder exists: keep its alert token; drop the text for the same moment unless both were asked."""
    row = session.scalar(select(EchoReminder).where(EchoReminder.promise_id == promise.id))
    if row is None:
        row = EchoReminder(promise_id=promise.id, created_at=now)
        session.add(row)
    row.alexa_user_id, row.alexa_user_ref, row.api_host = user_id, user_id, host
    row.alert_token, row.remind_at, row.change, row.messaged_at = alert_token, remind_at, None, None
    _one_reminder(session, promise, now)
    session.flush()
    return row


def _one_reminder(session: Session, promise: Promise, now: datetime) -> None:
    """Cancel the queued reminder text of a promise whose maker chose the Echo alone."""
    choice = session.scalar(select(EchoPreference).where(EchoPreference.partner_id == promise.promiser_id))
    if choice is None or choice.reminder_way != ReminderWay.ECHO:
        return
    for message in session.scalars(select(OutboundMessage).where(
            OutboundMessage.promise_id == promise.id, OutboundMessage.kind == TextKind.PROMISE_REMINDER,
            OutboundMessage.state == TextState.QUEUED)):
        message.state, message.updated_at = TextState.CANCELLED, now


def has_echo_reminder(session: Session, promise: Promise) -> bool:
    """True when an Echo reminder of this promise exists and nothing is pending for it."""
    return session.scalar(select(EchoReminder.id).where(EchoReminder.promise_id == promise.id,
                                                        EchoReminder.change.is_(None))) is not None


def promise_changed(session: Session, promise: Promise, now: datetime) -> None:
    """Settled or moved (by voice or text): its Echo reminder, if any, must be deleted or moved."""
    row = session.scalar(select(EchoReminder).where(EchoReminder.promise_id == promise.id))
    if row is not None:
        row.change = EchoChange.UPDATE if promise.state == PromiseState.OPEN else EchoChange.DELETE
        row.messaged_at = None


_PENDING = or_(EchoReminder.change.is_not(None), EchoReminder.promise_id.is_(None))


#: EXISTS a change waiting for the Alexa account bound to "user_id": every Alexa turn asks, so the speaker's
#: look-up asks it in the same statement (core.services.speakers) and tells `none_pending`.
ACCOUNT_HAS_PENDING = exists().where(EchoReminder.alexa_user_id == bindparam("user_id"), _PENDING)
_NONE_PENDING = "echo_reminders_none_pending"  # in session.info: the accounts found with nothing pending


#: Writes that can make a reminder pending: to the reminders themselves, to promises (settled, moved,
#: erased), and to the partners and couples whose erasure takes promises with them.
_MAY_MAKE_PENDING = (EchoReminder, Promise, Partner, Couple)
_MAY_MAKE_PENDING_TABLES = frozenset(model.__tablename__ for model in _MAY_MAKE_PENDING)


def none_pending(session: Session, user_id: str) -> None:
    """Nothing waits for this account, as just read in this transaction: `pending` need not ask again until
    the session writes something that could make a reminder pending, commits or rolls back."""
    session.info.setdefault(_NONE_PENDING, set()).add(user_id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_none_pending(session: Session, *_args) -> None:
    session.info.pop(_NONE_PENDING, None)


@event.listens_for(Session, "after_flush")
def _forget_after_a_flush_that_may_make_pending(session: Session, _context) -> None:
    if _NONE_PENDING in session.info and any(
            isinstance(row, _MAY_MAKE_PENDING) for rows in (session.new, session.dirty, session.deleted) for row in rows):
        session.info.pop(_NONE_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_after_a_statement_that_may_make_pending(state) -> None:
    if _NONE_PENDING in state.session.info and (state.is_insert or state.is_update or state.is_delete):
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _MAY_MAKE_PENDING_TABLES or table is None:
            state.session.info.pop(_NONE_PENDING, None)


def pending(session: Session, user_id: str, limit: int = 3) -> list[EchoReminder]:
    """This Alexa account's Echo reminders that still need a call (a few: each call may take a second)."""
    if user_id in session.info.get(_NONE_PENDING, ()):
        return []
    return list(session.scalars(_pending_of_account(limit), {"user_id": user_id}))


@functools.lru_cache(maxsize=8)
def _pending_of_account(limit: int):
    return (select(EchoReminder).where(EchoReminder.alexa_user_id == bindparam("user_id"), _PENDING)
            .order_by(EchoReminder.id).limit(limit))


def wanted(session: Session, row: EchoReminder, now: datetime) -> tuple[Promise | None, datetime | None]:
    """What a pending row should become: (its promise, the new reminder time) to update, or (None, None)
    to delete (settled, erased, or moved too close for a reminder)."""
    promise = session.get(Promise, row.promise_id) if row.promise_id else None
    at = echo_time(promise, now) if promise is not None else None
    return (promise, at) if at is not None else (None, None)


def updated(session: Session, row: EchoReminder, promise: Promise, remind_at: datetime, now: datetime) -> None:
    """The Echo reminder moved with its promise (and the new text for that moment goes, unless both)."""
    row.remind_at, row.change, row.messaged_at = remind_at, None, None
    _one_reminder(session, promise, now)
    session.flush()


def gone(session: Session, row: EchoReminder) -> None:
    """The Echo reminder was deleted (or cannot be reached any more: the texts stand in for it)."""
    session.delete(row)
    session.flush()


def to_wake(session: Session, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
    """(user id, API host) of each account with a pending change and no skill message sent lately; marks
    them messaged, so a restart or a second scheduler sends the message about once per WAKE_AGAIN_AFTER."""
    rows = session.scalars(select(EchoReminder).where(_PENDING, or_(
        EchoReminder.messaged_at.is_(None), EchoReminder.messaged_at <= now - WAKE_AGAIN_AFTER))
        .order_by(EchoReminder.id).limit(limit).with_for_update(skip_locked=True)).all()
    accounts = {}
    for row in rows:
        row.messaged_at = now
        accounts.setdefault(row.alexa_user_id, (row.alexa_user_ref, row.api_host))
    session.flush()
    return list(accounts.values())


def remove_stale(session: Session, now: datetime) -> int:
    """Housekeeping: changes never applied by two days after the reminder went off are moot; returns how many."""
    result = session.execute(delete(EchoReminder).where(_PENDING, EchoReminder.remind_at <= now - KEEP_AFTER_DUE))
    return result.rowcount or 0
