"""One inbound text and what its handling needs: the session, settings, clock and the texting partner."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.config import Settings
from core.models import Partner
from core.services.couples import other_partner
from sms.forms import InboundText


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
        return other_partner(self.partner) if self.partner else None

    @property
    def other_name(self) -> str | None:
        """The other partner's first name, for replies that mention them."""
        return self.other.display_name if self.other else None

    @property
    def tz(self) -> str:
        """The couple's time zone."""
        return self.partner.couple.timezone
