"""Reading the outbound_message table, which is the record of every text the service queued or "sent"."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import local_time
from core.models import OutboundMessage, Partner

#: States of a text handed to the gateway (the local outbox records "outbox"; Twilio would say "sent"...).
HANDED_OVER = ("outbox", "sent", "delivered", "undelivered", "failed")


@dataclass(frozen=True)
class Text:
    """One row of the outbox, with the recipient's name."""

    id: int
    at: datetime
    to: str
    kind: str
    state: str
    body: str | None


def delivered_ids(sessions: sessionmaker[Session]) -> set[int]:
    """Ids of texts already handed over (so a resumed console does not print them again)."""
    with sessions() as session:
        return set(session.scalars(select(OutboundMessage.id).where(OutboundMessage.state.in_(HANDED_OVER))))


def delivered_since(sessions: sessionmaker[Session], shown: set[int]) -> list[Text]:
    """Texts handed over that are not in `shown`, in the order they went."""
    query = _texts().where(OutboundMessage.state.in_(HANDED_OVER)).order_by(OutboundMessage.sent_at,
                                                                            OutboundMessage.id)
    return [text for text in _read(sessions, query) if text.id not in shown]


def recent(sessions: sessionmaker[Session], limit: int) -> list[Text]:
    """The last `limit` texts queued, in any state, in the order they went (or are due to go)."""
    rows = _read(sessions, _texts().order_by(OutboundMessage.id.desc()).limit(limit))
    return sorted(rows, key=lambda text: (text.at, text.id))


def _texts():
    """Outbox rows with the recipient's name (the partner may have been erased: then the number)."""
    return select(OutboundMessage, Partner.display_name).outerjoin(Partner, Partner.id == OutboundMessage.partner_id)


def _read(sessions: sessionmaker[Session], query) -> list[Text]:
    """Run `query` in a short read-only session."""
    with sessions() as session:
        return [Text(m.id, m.sent_at or m.send_after, name or m.to_phone or "?", m.kind, m.state, m.body)
                for m, name in session.execute(query)]


def line(text: Text, tz: str, new: bool = False) -> str:
    """One text as a line: when, to whom, why, what became of it, and what it says."""
    when = local_time.local_now(text.at, tz).strftime("%a %H:%M")
    body = text.body or "(erased)"
    if new:
        return f"[text to {text.to} at {when}, {text.kind}] {body}"
    return f"{when}  to {text.to:<6} {text.kind:<17} {text.state:<9} {body}"
