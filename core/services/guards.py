"""The rules one phone number owns, kept by its keyed digest (never the number): the do-not-contact list, the
LINK lockout and the hourly reply budget. Each is count-then-write, so each first locks the number's
PhoneGuard row (SELECT ... FOR UPDATE); lock it after any couple or partner row (core/locks.py's order)."""
from datetime import datetime, timedelta

from sqlalchemy import select
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


def spend_reply(session: Session, phone: str, now: datetime, safety: bool = False,
                per_hour: int = REPLIES_PER_HOUR) -> bool:
    """May we reply to this number now? Counts the reply; False once the hour's budget is spent (a flood
    cannot run up the bill). A SAFETY request over the budget is still answered once an hour."""
    guard = locked_guard(session, phone, now)
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
