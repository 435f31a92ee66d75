"""Each partner's own settings, and the shared ones changed with the other partner told.

Own (nobody else's texts change): PAUSE / RESUME, quiet hours, whether thinking-about-you texts reach them
(THINKING OFF / ON). Shared by the couple: the question time and the time zone; when one partner changes
one, the other gets one line saying so (as a text, within their own pause and quiet hours).
"""
from datetime import datetime

from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput
from core.models import Partner, TextKind
from core.services import couples, outbox
from core.services.couples import other_partner
from core.words import texts


def set_paused(session: Session, partner: Partner, paused: bool) -> None:
    """PAUSE / RESUME this partner's scheduled texts only; their partner's texts go on."""
    partner.paused = paused
    session.flush()


def set_quiet_hours(session: Session, partner: Partner, start: int, end: int) -> None:
    """This partner's quiet hours, local hours [start, end). Equal hours are refused ("same_hours"): `QUIET 8-8`
    reads as a mistake far more often than as "text me at any hour", and PAUSE is the way to stop texts."""
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise InvalidInput("hours go from 0 to 23", "bad_hours")
    if start == end:
        raise InvalidInput("quiet hours need a start and a different end", "same_hours")
    partner.quiet_start, partner.quiet_end = start, end
    session.flush()


def set_takes_thinking(session: Session, partner: Partner, on: bool, now: datetime) -> int:
    """THINKING OFF / ON: whether thinking-about-you texts reach this partner. OFF also drops those waiting
    for them (returns how many); the sender is told "won't go" when they next try."""
    partner.takes_thinking = on
    dropped = 0 if on else outbox.cancel_thinking_to(session, partner, now)
    session.flush()
    return dropped


def set_question_time(session: Session, partner: Partner, minute_of_day: int, now: datetime) -> bool:
    """Move the couple's shared question time and tell the other partner in one line; True if they were told."""
    couples.set_question_time(session, partner.couple, minute_of_day, now)
    return _tell_other(session, partner, texts.question_time_changed(partner.display_name, minute_of_day),
                       f"time:{minute_of_day}", now)


def set_timezone(session: Session, partner: Partner, tz: str, now: datetime) -> bool:
    """Change the couple's shared time zone and tell the other partner in one line; True if they were told."""
    couples.set_timezone(session, partner.couple, tz, now)
    local = local_time.local_now(now, tz)
    return _tell_other(session, partner, texts.timezone_changed(partner.display_name, tz,
                                                                local.hour * 60 + local.minute),
                       f"tz:{tz}", now)


def _tell_other(session: Session, partner: Partner, body: str, what: str, now: datetime) -> bool:
    """One line to the other partner, if they take texts (a second change the same minute is its own text)."""
    other = other_partner(partner)
    if other is None or not other.can_text:
        return False
    outbox.queue(session, other, outbox.Draft(
        body, TextKind.SETTING_CHANGED, f"setting:{other.id}:{what}:{now.isoformat()}"), now)
    return True
