"""The dispatcher's rules for one text: send it now, wait for quiet hours to end, or drop it (and why);
what a refusal says about the number; and when trying again is safe."""
import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.errors import NotAllowed
from core.models import OutboundMessage, PactKind, Partner, TextKind, TextState
from core.ports import SendError
from core.services import outbox
from core.services.couples import opt_out

#: Texts a paused partner does not get (their own PAUSE, not their partner's); promise reminders they asked
#: for still come. A hand-sent thinking-about-you text is refused when it is sent (thinking_of_you), and
#: dropped here if the recipient paused while it waited.
PAUSABLE = {TextKind.DAILY_QUESTION, TextKind.NUDGE_OFFER, TextKind.THINKING_AUTO, TextKind.WEEKLY_SUMMARY,
            TextKind.PROMISE_FOLLOWUP, TextKind.THINKING, TextKind.PROMISE_THANKS, TextKind.THANKS,
            TextKind.SETTING_CHANGED, TextKind.WEEKLY_CHECKIN, TextKind.SMALL_WIN, TextKind.CARE_NOTE}
PAUSABLE |= set(PactKind)  # pact proposals and apologies are queued only when not paused (core.services.pact)
#: Texts from one partner to the other: dropped if the recipient turned them off (THINKING OFF) meanwhile.
THINKING_KINDS = {TextKind.THINKING, TextKind.THINKING_AUTO}
OPTED_OUT = 21610
UNREACHABLE = {21211, 21614, 21612, 21408}
INTERRUPTED = -1  # error_code: left `sending` by a dispatcher that died
MAYBE_SENT = -2  # error_code: the provider may have the text, so it was not sent again


def verdict(partner: Partner | None, message: OutboundMessage, now: datetime) -> str:
    """send | defer | expired | blocked | cancelled."""
    if message.expires_at is not None and message.expires_at <= now:
        return TextState.EXPIRED
    if partner is None and message.kind == TextKind.LINK_CONSENT and message.to_phone:
        return "send"  # a voice set-up's one consent text to a new number: asked for just now, at the Echo
    if partner is None or partner.phone != message.to_phone:
        return TextState.BLOCKED
    if any(p.reviewer for p in partner.couple.partners):
        return TextState.OUTBOX  # the certification reviewer's couple: nothing ever reaches a phone
    try:
        outbox.check_can_text(partner, message.kind)
    except NotAllowed:
        return TextState.BLOCKED
    if partner.paused and message.kind in PAUSABLE or not partner.takes_thinking and message.kind in THINKING_KINDS:
        return TextState.CANCELLED
    if message.respect_quiet and partner.in_quiet_hours(now):
        return "defer"
    return "send"


def may_have_arrived(error: SendError) -> bool:
    """True when the request may have reached the provider (the gateway says so, e.g. a read timeout, or
    the gateway itself crashed mid-send): then it is not sent again."""
    return error.ambiguous


def apply_error_code(session: Session, message: OutboundMessage, code: int | None, now: datetime) -> None:
    """Twilio's answer about the number itself: 21610 means the person texted STOP; others, unreachable."""
    partner = session.get(Partner, message.partner_id) if message.partner_id else None
    if partner is not None and code == OPTED_OUT:
        opt_out(session, partner, now)
    elif partner is not None and code in UNREACHABLE:
        partner.phone_invalid = True


def backoff(attempt: int, base: float = 30.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with jitter: about 30 s, 1 min, 2 min... at most an hour."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))
