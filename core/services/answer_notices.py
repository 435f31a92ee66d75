""""Your partner answered": with a partner's opt-in, when the other partner answers the day's question, their
Echo shows the notification indicator (the scheduler sends it, skill/alexa_api.AlexaMessaging). At most one
a day per partner (a unique row per local date), never in that partner's own quiet hours (held to their end,
dropped when the day is over) nor while they paused Trust Builder, and nothing of the answer is in it: only that there is something new in Trust Builder.
Nothing here commits.
"""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.models import AnswerNotice, Partner
from core.services.couples import other_partner
from core.services.echo_reminders import preference

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)


def wants_notices(session: Session, partner: Partner) -> bool | None:
    """True or False as the partner chose; None when never asked."""
    row = preference(session, partner)
    return row.notify_answered if row else None


def choose_notices(session: Session, partner: Partner, on: bool, user_id: str | None, host: str | None,
                   now: datetime) -> None:
    """Turn notices on (keeping the Alexa account to address, encrypted) or off (forgetting it)."""
    row = preference(session, partner, now)
    row.notify_answered, row.updated_at = on, now
    row.alexa_user_ref, row.api_host = (user_id, host) if on and user_id and host else (None, None)
    if not on:
        for notice in session.scalars(select(AnswerNotice).where(AnswerNotice.partner_id == partner.id,
                                                                 AnswerNotice.state == "queued")):
            notice.state = "dropped"
    session.flush()


def partner_answered(session: Session, answerer: Partner, now: datetime) -> AnswerNotice | None:
    """`answerer` shared today's answer: queue the other partner's notice (once a day, after quiet hours)."""
    other = other_partner(answerer)
    # Nothing while they paused Trust Builder (PAUSE), as for texts.
    row = preference(session, other) if other is not None and other.erased_at is None and not other.paused else None
    if row is None or not row.notify_answered or not row.alexa_user_ref:
        return None
    zone = other.couple.timezone
    day = local_time.local_date(now, zone)
    send_after = other.quiet_hours_end(now)  # the receiver's own quiet hours
    day_end = local_time.at_minute(day + timedelta(days=1), 0, zone)
    if send_after >= day_end:
        return None  # quiet until tomorrow: the news would be stale
    notice = AnswerNotice(partner_id=other.id, local_date=day, state="queued", send_after=send_after,
                          expires_at=day_end, attempts=0, created_at=now)
    try:
        with session.begin_nested():
            session.add(notice)
    except IntegrityError:
        return None  # already one today
    return notice


def due(session: Session, now: datetime, limit: int = 100) -> list[AnswerNotice]:
    """Queued notices whose time has come (locked, so a second scheduler skips them)."""
    return list(session.scalars(select(AnswerNotice).where(
        AnswerNotice.state == "queued", AnswerNotice.send_after <= now).order_by(AnswerNotice.id).limit(limit)
        .with_for_update(skip_locked=True)))


def claim(session: Session, now: datetime, limit: int = 100) -> list[tuple[int, str, str, datetime]]:
    """The notices to send now, marked `sending` (a crash leaves them so: never sent twice): (id, user id,
    API host, expiry). Those that may not go now are dropped or held, as `address` decides."""
    claimed = []
    for notice in due(session, now, limit):
        found = address(session, notice, now)
        if found is not None:
            notice.state = "sending"
            claimed.append((notice.id, *found, notice.expires_at))
    session.flush()
    return claimed


def finish(session: Session, notice_id: int, accepted: bool, retryable: bool, now: datetime) -> None:
    """Record what the Proactive Events API said about a claimed notice."""
    notice = session.get(AnswerNotice, notice_id)
    if notice is not None and notice.state == "sending":
        notice.state = "queued"
        record(notice, accepted, retryable, now)


def address(session: Session, notice: AnswerNotice, now: datetime) -> tuple[str, str] | None:
    """(user id, API host) to send it to now; None when it may not go (turned off, stale: then dropped, or
    quiet hours began: then held to their end)."""
    partner = session.get(Partner, notice.partner_id)
    row = preference(session, partner)
    if (notice.expires_at <= now or partner.paused or row is None or not row.notify_answered
            or not row.alexa_user_ref):
        notice.state = "dropped"
        return None
    if partner.in_quiet_hours(now):
        notice.send_after = partner.quiet_hours_end(now)
        if notice.send_after >= notice.expires_at:
            notice.state = "dropped"
        return None
    return row.alexa_user_ref, row.api_host


def record(notice: AnswerNotice, accepted: bool, retryable: bool, now: datetime) -> None:
    """Sent; or tried again in a few minutes (a timeout, a 5xx), up to MAX_ATTEMPTS; or failed."""
    notice.attempts += 1
    if accepted:
        notice.state, notice.sent_at = "sent", now
    elif retryable and notice.attempts < MAX_ATTEMPTS:
        notice.send_after = now + RETRY_AFTER
    else:
        notice.state = "failed"
