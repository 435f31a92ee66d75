"""One inbound text and what its handling needs: the session, settings, clock and the texting partner."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.config import Settings
from core.models import Partner
from core.services.couples import other_partner


@dataclass(frozen=True)
class InboundText:
    """A text as Twilio posted it: its MessageSid, the sender's E.164 number and the body."""

    sid: str
    phone: str
    body: str


@dataclass
class Turn:
    """Everything a command handler may use; `partner` changes when JOIN creates or erasure removes one."""

    session: Session
    settings: Settings
    now: datetime
    text: InboundText
    partner: Partner | None

    @property
    def other(self) -> Partner | None:
        """The other person in the texting partner's couple, unless they erased themselves."""
        other = other_partner(self.partner) if self.partner else None
        erased = other is not None and not other.phone and not other.alexa_user_id
        return None if other is None or erased else other

    @property
    def other_name(self) -> str | None:
        """The other partner's first name, for replies that mention them."""
        return self.other.display_name if self.other else None

    @property
    def tz(self) -> str:
        """The couple's time zone."""
        return self.partner.couple.timezone
