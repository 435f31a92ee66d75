"""The dispatcher's statements as Core rows on the table, not ORM entities: the due texts with just what
`send_rules.verdict` needs of their recipients, the gate's deferrals and drops, the record of sent texts
and the claim. Every statement is built once (constant, with bound parameters), so SQLAlchemy's compiled
cache serves it without building a cache key per call; the dispatcher runs them on one kept connection.

`verdict` itself decides: `Recipient` is a partner as far as the rules look (its own text_refusal,
in_quiet_hours and quiet_hours_end are Partner's), `DueText` a text as far as they look, so a text is
sent, deferred or dropped from rows exactly as it would be from the loaded entities."""
import functools
import json
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from enum import Enum

from sqlalchemy import Integer, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from core.models import Couple, OutboundMessage, Partner, TextState

TEXTS, PARTNERS, COUPLES = OutboundMessage.__table__, Partner.__table__, Couple.__table__
_NOW = bindparam("b_now", type_=TEXTS.c.updated_at.type)


class GateCouple:
    """What the rules read of a couple: its time zone, and whether any partner is the reviewer."""

    __slots__ = ("timezone", "partners")

    def __init__(self, timezone: str, has_reviewer: bool):
        self.timezone, self.partners = timezone, (_REVIEWER,) if has_reviewer else ()


class _Reviewer:
    reviewer = True


_REVIEWER = _Reviewer()


class Recipient:
    """A partner as far as the gate looks (no names, no Alexa ids, nothing else decrypted)."""

    __slots__ = ("id", "phone", "consent", "opted_out", "phone_invalid", "paused", "takes_thinking",
                 "quiet_start", "quiet_end", "couple")
    text_refusal = Partner.text_refusal
    in_quiet_hours = Partner.in_quiet_hours
    quiet_hours_end = Partner.quiet_hours_end


class DueText:
    """A due text as far as the gate and the sender look."""

    __slots__ = ("id", "partner_id", "to_phone", "body", "kind", "expires_at", "respect_quiet", "created_at")


def _due_texts():
    """The due texts, most urgent first (priority, then due time), at most `b_limit`: chosen and locked
    first (FOR UPDATE SKIP LOCKED on PostgreSQL, in a MATERIALIZED CTE, so only these rows of this table
    are locked and their newest versions are what is read), then joined with their recipients."""
    t, p, c = TEXTS, PARTNERS, COUPLES
    due = (select(t.c.id, t.c.partner_id, t.c.to_phone, t.c.body, t.c.kind, t.c.expires_at, t.c.respect_quiet,
                  t.c.created_at, t.c.priority, t.c.send_after)
           .where(t.c.state == TextState.QUEUED, t.c.send_after <= _NOW)
           .order_by(t.c.priority, t.c.send_after, t.c.id).limit(bindparam("b_limit", type_=Integer))
           .with_for_update(skip_locked=True)
           .cte("due").prefix_with("MATERIALIZED", dialect="postgresql"))
    other = p.alias("other")
    reviewer = exists().where(other.c.couple_id == p.c.couple_id, other.c.reviewer.is_(True)).correlate(p)
    return (select(due.c.id, due.c.partner_id, due.c.to_phone, due.c.body, due.c.kind, due.c.expires_at,
                   due.c.respect_quiet, due.c.created_at, p.c.id, p.c.phone, p.c.consent, p.c.opted_out,
                   p.c.phone_invalid, p.c.paused, p.c.takes_thinking, p.c.quiet_start, p.c.quiet_end,
                   c.c.timezone, reviewer.label("has_reviewer"))
            .select_from(due.outerjoin(p, p.c.id == due.c.partner_id).outerjoin(c, c.c.id == p.c.couple_id))
            .order_by(due.c.priority, due.c.send_after, due.c.id))


ANY_DUE = select(TEXTS.c.id).where(TEXTS.c.state == TextState.QUEUED, TEXTS.c.send_after <= _NOW).limit(1)
DUE_TEXTS = _due_texts()
DEFER = (update(TEXTS).where(TEXTS.c.id == bindparam("b_id"))
         .values(send_after=bindparam("b_until", type_=TEXTS.c.send_after.type), updated_at=_NOW))
DROP = update(TEXTS).where(TEXTS.c.id == bindparam("b_id")).values(state=bindparam("b_state"), updated_at=_NOW)
RECORD_SENT = (update(TEXTS).where(TEXTS.c.id == bindparam("b_id"))
               .values(provider_sid=bindparam("b_sid"), state=bindparam("b_state"), sent_at=_NOW, updated_at=_NOW))


def _claims():
    """The claim: the given texts still queued become `sending` (attempts + 1), returning their ids. One
    statement with one parameter, whatever the number of texts. On PostgreSQL a MATERIALIZED CTE first
    locks them in id order with FOR UPDATE SKIP LOCKED, so two dispatchers whose lists overlap never wait
    for each other (no deadlock); a text another holds is skipped and stays queued. On SQLite (one writer,
    BEGIN IMMEDIATE) the ids come as a JSON array. The state check is what makes each claim exactly once."""
    t = TEXTS
    claimed = dict(state=TextState.SENDING, attempts=t.c.attempts + 1, claimed_at=_NOW, updated_at=_NOW)
    ids = bindparam("b_ids", type_=ARRAY(Integer))
    picked = (select(t.c.id).where(t.c.id == func.any(ids), t.c.state == TextState.QUEUED).order_by(t.c.id)
              .with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED"))
    on_postgresql = (update(t).where(t.c.id == picked.c.id, t.c.state == TextState.QUEUED).values(**claimed)
                     .returning(t.c.id))
    listed = select(func.json_each(bindparam("b_ids")).table_valued("value").c.value).scalar_subquery()
    on_sqlite = (update(t).where(t.c.id.in_(listed), t.c.state == TextState.QUEUED).values(**claimed)
                 .returning(t.c.id))
    return on_postgresql, on_sqlite


CLAIM_POSTGRESQL, CLAIM_SQLITE = _claims()


class Prepared:
    """A constant statement compiled once for one dialect and run on the driver's cursor: per call only its
    parameters are converted (by the columns' own bind processors, so a timestamp is stored exactly as the
    ORM stores it), with none of SQLAlchemy's per-execution work. For the statements a dispatcher runs for
    every few texts sent; their parameters are the `b_` names, every other value is fixed at compile time.
    A driver error comes out as SQLAlchemy's DBAPIError (without the parameters, as hide_parameters does)."""

    def __init__(self, statement, dialect: Dialect, returns_rows: bool = False):
        compiled = statement.compile(dialect=dialect)
        self.sql, self.positional, self.dialect = compiled.string, compiled.positional, dialect
        self.returns_rows = returns_rows  # (asked for, not read off the cursor: in a pipeline it knows later)
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        names = list(compiled.positiontup) if compiled.positional else sorted(binds)
        self.slots = []  # (name, processor, value fixed at compile time or None for a `b_` parameter)
        for name in names:
            bind = binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if name.startswith("b_"):
                self.slots.append((name, process, None))
            else:
                value = bind.value.value if isinstance(bind.value, Enum) else bind.value  # a state: its string
                self.slots.append((name, None, process(value) if process else value))

    def arguments(self, params: dict):
        values = [value if value is not None or name[:2] != "b_" else process(params[name]) if process
                  else params[name] for name, process, value in self.slots]
        return tuple(values) if self.positional else dict(zip((slot[0] for slot in self.slots), values))

    def run(self, connection: Connection, params, many: bool = False) -> list:
        """Execute on the connection's current transaction (one parameter set, or executemany); returns the
        rows of a statement that returns rows (RETURNING), else []."""
        return self.answer(self.start(connection, params, many))

    def start(self, connection: Connection, params, many: bool = False):
        """Send the statement; returns the cursor for `answer` (in a pipeline, the rows come later)."""
        cursor = connection.connection.driver_connection.cursor()
        try:
            if many:
                cursor.executemany(self.sql, [self.arguments(p) for p in params])
            else:
                cursor.execute(self.sql, self.arguments(params))
        except self.dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise self._wrapped(error) from error
        except BaseException:
            cursor.close()
            raise
        return cursor

    def answer(self, cursor) -> list:
        """The rows the statement returned (closing its cursor)."""
        try:
            return cursor.fetchall() if self.returns_rows else []
        except self.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(error) from error
        finally:
            cursor.close()

    def _wrapped(self, error: Exception) -> DBAPIError:
        return DBAPIError.instance(self.sql, None, error, self.dialect.loaded_dbapi.Error, hide_parameters=True,
                                   dialect=self.dialect)


@functools.lru_cache(maxsize=16)
def prepared(dialect: Dialect) -> dict[str, Prepared]:
    """The dispatcher's per-text statements, compiled once per dialect (engine)."""
    on_postgresql = dialect.name == "postgresql"
    return {"record_sent": Prepared(RECORD_SENT, dialect),
            "claim": Prepared(CLAIM_POSTGRESQL if on_postgresql else CLAIM_SQLITE, dialect, returns_rows=True)}


def pipeline(connection: Connection):
    """On PostgreSQL (psycopg, libpq 14 or later), a context in which the transaction's statements are sent
    without waiting for each answer: BEGIN, the record, the claim and COMMIT travel together and are
    answered together, so a record transaction costs one round trip to the server instead of four. An
    error still surfaces, at the COMMIT (which then fails: nothing is kept). Elsewhere it does nothing."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql" and _pipelines_work(type(driver)):
        return driver.pipeline()
    return nullcontext()


@functools.lru_cache(maxsize=4)
def _pipelines_work(driver_class) -> bool:
    try:
        from psycopg import Pipeline
    except ImportError:
        return False
    return getattr(driver_class, "pipeline", None) is not None and Pipeline.is_supported()


def record_sent(connection: Connection, sent: list[dict]) -> None:
    """Store the sids (and state, sent_at) of texts the gateway took: {b_id, b_sid, b_state, b_now} each."""
    if sent:
        prepared(connection.dialect)["record_sent"].run(connection, sent, many=True)


def claim(connection: Connection, ids: list[int], now: datetime) -> set[int]:
    """Claim the texts `ids` that are still queued (and, on PostgreSQL, not locked by another transaction);
    returns the ids claimed."""
    return claim_then(connection, ids, now)()


def claim_then(connection: Connection, ids: list[int], now: datetime) -> Callable[[], set[int]]:
    """`claim`, with the claimed ids read when the returned function is called: in a pipeline (see
    `pipeline`), after the COMMIT, so the whole record transaction is one round trip. (Committing before
    reading them is safe: a text is handed to the gateway only once read here, after its claim committed;
    if the claim failed, the COMMIT fails and nothing is read.)"""
    if not ids:
        return set
    statement = prepared(connection.dialect)["claim"]
    listed = list(ids) if connection.dialect.name == "postgresql" else json.dumps(list(ids))
    cursor = statement.start(connection, {"b_ids": listed, "b_now": now})
    if connection.dialect.name != "postgresql":  # SQLite: a statement not read to its end holds up the COMMIT
        claimed = {row[0] for row in statement.answer(cursor)}
        return lambda: claimed
    return lambda: {row[0] for row in statement.answer(cursor)}  # psycopg has them all once answered


def any_due(connection: Connection, now: datetime) -> bool:
    """One indexed look, no lock taken: is anything due?"""
    return connection.execute(ANY_DUE, {"b_now": now}).first() is not None


def due_texts(connection: Connection, now: datetime, limit: int) -> list[tuple[DueText, Recipient | None]]:
    """Up to `limit` due texts, most urgent first, each with its recipient (None when the text has no
    partner, or the partner is gone), locked for this transaction on PostgreSQL."""
    out = []
    for row in connection.execute(DUE_TEXTS, {"b_now": now, "b_limit": limit}):
        text = DueText()
        (text.id, text.partner_id, text.to_phone, text.body, text.kind, text.expires_at, text.respect_quiet,
         text.created_at) = row[:8]
        if row[8] is None:
            out.append((text, None))
            continue
        partner = Recipient()
        (partner.id, partner.phone, partner.consent, partner.opted_out, partner.phone_invalid, partner.paused,
         partner.takes_thinking, partner.quiet_start, partner.quiet_end) = row[8:17]
        partner.couple = GateCouple(row[17], bool(row[18]))
        out.append((text, partner))
    return out
