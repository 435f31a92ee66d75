"""A couple made the way people make one, through the core services: the first partner joins, invites the
second, and the second says YES. Both consent to texts afterwards."""
from datetime import datetime

from sqlalchemy.orm import Session

from core.models import Partner
from core.services import couples

PHONES = ("+14155550100", "+14155550101")  # 555-01xx numbers are reserved for fiction
NAMES = ("Alex", "Sam")


def seed_couple(session: Session, now: datetime, tz: str, phones: tuple[str, str] = PHONES,
                names: tuple[str, str] = NAMES, question_minute: int = 19 * 60,
                quiet: tuple[int, int] = (21, 8)) -> tuple[Partner, Partner]:
    """(first, second) partner of a new couple in `tz`, flushed so both have ids."""
    first = couples.create_couple(session, names[0], phones[0], now, tz, question_minute, quiet)
    second = couples.invite_partner(session, first, phones[1], names[1], now)
    couples.accept_invite(session, second, now)
    session.flush()
    return first, second
