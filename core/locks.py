"""Row locks for count-then-write rules (caps, one pending invitation, two partners per couple, lockouts,
budgets).

A rule such as "at most 3 thinking texts a day" reads a count and then writes; two requests at once on
PostgreSQL would both read 2 and both write. Each such rule first locks the row that owns it (the couple
or the partner) with SELECT ... FOR UPDATE, inside the same transaction as the count and the write, so
the second request waits until the first has committed and then counts again. On SQLite the whole write
transaction already holds the database lock (BEGIN IMMEDIATE), and SQLAlchemy leaves FOR UPDATE out.

Lock the owner once, before counting, and always in the order couple then partner, so two rules that
lock both never deadlock.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Couple, Partner


def lock_couple(session: Session, couple_id: int) -> None:
    """Hold the couple's row until this transaction ends (rules the couple owns)."""
    session.execute(select(Couple.id).where(Couple.id == couple_id).with_for_update())


def lock_partner(session: Session, partner_id: int) -> None:
    """Hold the partner's row until this transaction ends (rules one person owns)."""
    session.execute(select(Partner.id).where(Partner.id == partner_id).with_for_update())


def lock_key(session: Session, key: bytes) -> None:
    """Hold a lock named by `key` (a digest) until this transaction ends, for a rule no row owns (how many
    sign-in codes one address asked for): PostgreSQL's transaction-scoped advisory lock on the key's first 8
    bytes. Take it before any row lock. SQLite's write transaction already holds the database."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(key[:8], "big", signed=True))))
