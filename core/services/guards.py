"""The rules one phone number owns, kept by its keyed digest (never the number): the do-not-contact list, the
LINK lockout and the hourly reply budget. Each is count-then-write, so each first locks the number's
PhoneGuard row (SELECT ... FOR UPDATE); lock it after any couple or partner row (core/locks.py's order).
The reply budget's usual case is a single conditional UPDATE, which takes the same row lock."""
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from core.crypto import phone_digest
from core.db import insert_new
from core.models import PhoneGuard

LINK_TRIES = 5  # wrong LINK codes before the phone is locked out of LINK
LINK_LOCKOUT = timedelta(hours=1)
REPLIES_PER_HOUR = 30  # the default of settings.sms_replies_per_hour
REPLY_WINDOW = timedelta(hours=1)


def locked_guard(session: Session, phone: str, now: datetime) -> PhoneGuard:
    """The number's guard row, created if new, locked until this transaction ends: one statement once the
    number has a row; for a new number the insert skips a row another request made first, whose lock the
    second look then waits for."""
    digest = phone_digest(phone)
    guard = _locked(session, digest)
    if guard is None:
        session.execute(insert_new(session, PhoneGuard), {"digest": digest, "link_failures": 0,
                                                          "replies_in_window": 0, "created_at": now})
        guard = _locked(session, digest)
    return guard


def _locked(session: Session, digest: bytes) -> PhoneGuard | None:
    return session.scalars(select(PhoneGuard).where(PhoneGuard.digest == digest).with_for_update()
                           .execution_options(populate_existing=True)).one_or_none()


def is_do_not_contact(session: Session, phone: str) -> bool:
    """True when the number was erased, or declined an invitation: invitations to it send nothing."""
    guard = session.get(PhoneGuard, phone_digest(phone))
    return guard is not None and guard.do_not_contact_at is not None


def add_do_not_contact(session: Session, phone: str, now: datetime) -> None:
    """Put the number on the do-not-contact list (by its digest)."""
    guard = locked_guard(session, phone, now)
    guard.do_not_contact_at = guard.do_not_contact_at or now
    session.flush()


def link_locked(session: Session, phone: str, now: datetime) -> bool:
    """True while the phone is locked out of LINK after too many wrong codes (takes the lock)."""
    guard = locked_guard(session, phone, now)
    return guard.link_locked_until is not None and guard.link_locked_until > now


def link_failed(session: Session, phone: str, now: datetime) -> bool:
    """Count a wrong LINK code (within a rolling hour); True when this one locks the phone out."""
    guard = locked_guard(session, phone, now)
    if guard.link_failed_since is None or guard.link_failed_since <= now - LINK_LOCKOUT:
        guard.link_failures, guard.link_failed_since = 0, now
    guard.link_failures += 1
    locked = guard.link_failures >= LINK_TRIES
    if locked:
        guard.link_locked_until, guard.link_failures, guard.link_failed_since = now + LINK_LOCKOUT, 0, None
    session.flush()
    return locked


def link_succeeded(session: Session, phone: str, now: datetime) -> None:
    """A right code: the count of wrong ones starts again."""
    guard = locked_guard(session, phone, now)
    guard.link_failures, guard.link_failed_since = 0, None
    session.flush()


_GUARDS = PhoneGuard.__table__
_WINDOW_OVER = or_(_GUARDS.c.reply_window_start.is_(None),
                   _GUARDS.c.reply_window_start <= bindparam("cutoff", type_=_GUARDS.c.reply_window_start.type))
#: One reply counted, in the window or in a new one, only where the budget is not spent (built once).
COUNT_A_REPLY = (update(_GUARDS)
                 .where(_GUARDS.c.digest == bindparam("guard_digest"),
                        or_(_WINDOW_OVER, _GUARDS.c.replies_in_window < bindparam("per_hour")))
                 .values(reply_window_start=case((_WINDOW_OVER, bindparam("now", type_=_GUARDS.c.created_at.type)),
                                                 else_=_GUARDS.c.reply_window_start),
                         replies_in_window=case((_WINDOW_OVER, 1), else_=_GUARDS.c.replies_in_window + 1)))


def spend_reply(session: Session, phone: str, now: datetime, safety: bool = False,
                per_hour: int = REPLIES_PER_HOUR) -> bool:
    """May we reply to this number now? Counts the reply; False once the hour's budget is spent (a flood
    cannot run up the bill). A SAFETY request over the budget is still answered once an hour.

    Every text asks this, so the usual case is one statement: an UPDATE that counts the reply only where
    the budget allows it (PostgreSQL re-checks that condition on the row a concurrent text just
    committed, so the count never passes the limit). A new number is one INSERT of its row with the reply
    counted; a spent budget (and a race for a new number's row) takes the locked row as before."""
    digest = phone_digest(phone)
    if per_hour > 0 and session.execute(COUNT_A_REPLY, {"guard_digest": digest, "now": now,
                                                        "cutoff": now - REPLY_WINDOW,
                                                        "per_hour": per_hour}).rowcount == 1:
        return True
    if per_hour > 0 and _first_reply(session, digest, now):
        return True
    return _spent_under_lock(session, locked_guard(session, phone, now), now, safety, per_hour)


def _first_reply(session: Session, digest: bytes, now: datetime) -> bool:
    """The first text from a number: its guard row, made with this reply counted; False when the number
    has a row already (its budget is spent, or another request made it first: the caller then counts
    under the row's lock)."""
    stored = session.execute(insert_new(session, PhoneGuard).returning(_GUARDS.c.digest),
                             {"digest": digest, "link_failures": 0, "replies_in_window": 1,
                              "reply_window_start": now, "created_at": now})
    return stored.first() is not None


def _spent_under_lock(session: Session, guard: PhoneGuard, now: datetime, safety: bool, per_hour: int) -> bool:
    """The budget rule on the locked row: what the UPDATE above could not count (spent, or a SAFETY
    request's once-an-hour answer over the budget)."""
    if guard.reply_window_start is None or guard.reply_window_start <= now - REPLY_WINDOW:
        guard.reply_window_start, guard.replies_in_window = now, 0
    if guard.replies_in_window < per_hour:
        guard.replies_in_window += 1
        session.flush()
        return True
    if safety and (guard.safety_reply_at is None or guard.safety_reply_at <= now - REPLY_WINDOW):
        guard.safety_reply_at = now
        session.flush()
        return True
    return False
