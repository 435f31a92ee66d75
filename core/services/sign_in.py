"""Signing in to the couple's page without a password: a 6-digit code texted to the partner's number, or a
one-time link (LOGIN by text, "send me a link" by voice); then a server-side session.

Codes: 6 digits, valid 10 minutes, used once, at most 5 wrong tries each, and at most 5 codes per number
per hour and 10 per day (a code is texted at any hour, because it was just asked for: whoever types someone
else's number can never make it more than a few texts a day).
Nothing secret is stored in clear: the browser keeps a random handle (cookie), the code is kept as a keyed
digest of handle and code, a link's token and a session's token only as digests. Any well-formed number
gets the same treatment (a row, counted against the limit), known or not; only a partner who takes texts
is texted, so the page's reply says nothing about who uses Trust Builder. Sessions end after 30 days
without use, or when signed out (this browser, or every browser at once).
"""
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.crypto import digest, phone_digest
from core.locks import lock_key
from core.models import (FINISHED_TEXT_STATES, OutboundMessage, Partner, SignInCode, SignInKind, TextKind,
                         WebSession)
from core.phones import normalize_phone
from core.services import couples, guards, outbox
from core.words import texts

CODE_VALID = timedelta(minutes=10)
CODES_PER_HOUR = 5
CODES_PER_DAY = 10
CODES_PER_ASKER_HOUR = 20  # codes asked from one address (an IPv6 /64), whatever the numbers
WRONG_TRIES = 5
SESSION_IDLE = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=5)  # a session's last use is written at most this often
LINK_PATH = "/login/link/"


@dataclass(frozen=True)
class Checked:
    """What a typed code did: `status` is ok | wrong | expired | locked; `partner` when ok."""

    status: str
    partner: Partner | None = None
    tries_left: int = 0


def _handle_digest(kind: str, handle: str) -> bytes:
    return digest(f"sign_in_{kind}", handle)


def _code_digest(handle: str, code: str) -> bytes:
    return digest("sign_in_secret", f"{handle}\x1f{code}")


def ask_code(session: Session, typed_phone: str, now: datetime, asker: str | None = None) -> str:
    """The sign-in page's first step: returns a new handle for the browser to keep. A code is texted only
    to a partner who takes texts, within the limits per number and per `asker` (the client's address);
    InvalidInput when it is not a phone number. Over a limit the page is the same and nothing is written
    or sent."""
    phone = normalize_phone(typed_phone)
    handle = secrets.token_urlsafe(24)
    asked_by = asker_digest(asker)
    if asked_by is not None:
        lock_key(session, asked_by)  # the count and the insert are one rule per asker (then per number)
        if _codes_asked_by(session, asked_by, now - timedelta(hours=1)) >= CODES_PER_ASKER_HOUR:
            return handle
    guards.locked_guard(session, phone, now)  # the count below and the insert are one rule per number
    if (_codes_since(session, phone, now - timedelta(hours=1)) >= CODES_PER_HOUR
            or _codes_since(session, phone, now - timedelta(days=1)) >= CODES_PER_DAY):
        return handle  # matches nothing: the same page, and nothing is sent
    partner = couples.find_by_phone(session, phone)
    sendable = partner if partner is not None and partner.can_text else None
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SignInCode(kind=SignInKind.CODE, phone_digest=phone_digest(phone), client_digest=asked_by,
                           partner_id=sendable.id if sendable else None, handle_digest=_handle_digest("code", handle),
                           code_digest=_code_digest(handle, code), wrong_tries=0, expires_at=now + CODE_VALID,
                           created_at=now))
    session.flush()
    if sendable is not None:
        _text(session, sendable, texts.sign_in_code(code), now)
    return handle


def asker_digest(address: str | None) -> bytes | None:
    """The keyed digest an asker is counted by: an IPv4 address as it is, an IPv6 address by its /64 (one
    home or phone network gets a whole /64 and may pick any address in it); None when there is none."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return digest("asker", address.strip()[:64])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return digest("asker", str(ipaddress.ip_network(f"{ip}/64", strict=False)))
    return digest("asker", str(ip))


def _codes_asked_by(session: Session, asked_by: bytes, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.kind == SignInKind.CODE, SignInCode.client_digest == asked_by, SignInCode.created_at > since))


def _codes_since(session: Session, phone: str, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.kind == SignInKind.CODE, SignInCode.phone_digest == phone_digest(phone),
        SignInCode.created_at > since))


def _text(session: Session, partner: Partner, body: str, now: datetime) -> None:
    """A sign-in text: sent at once, at any hour (it was just asked for), and dropped once stale."""
    outbox.queue(session, partner, outbox.Draft(body, TextKind.SIGN_IN, f"sign-in:{secrets.token_hex(12)}",
                                                expires_at=now + CODE_VALID, respect_quiet=False), now)


def check_code(session: Session, handle: str | None, typed: str | None, now: datetime) -> Checked:
    """The code typed on the second page, for the handle this browser kept. A wrong code uses up a try
    (the caller commits it); the fifth wrong one ends the code."""
    row = session.scalar(select(SignInCode).where(
        SignInCode.kind == SignInKind.CODE, SignInCode.handle_digest == _handle_digest("code", handle or ""))
        .with_for_update()) if handle else None
    if row is None or row.used_at is not None or row.expires_at <= now:
        return Checked("expired")
    if row.wrong_tries >= WRONG_TRIES:
        return Checked("locked")
    code = re.sub(r"[\s-]", "", typed or "")
    right = row.partner_id is not None and hmac.compare_digest(_code_digest(handle, code), row.code_digest)
    if not right:
        row.wrong_tries += 1
        session.flush()
        left = WRONG_TRIES - row.wrong_tries
        return Checked("wrong" if left else "locked", tries_left=left)
    row.used_at = now
    session.flush()
    return Checked("ok", session.get(Partner, row.partner_id))


def issue_link(session: Session, partner: Partner, base_url: str, now: datetime) -> str:
    """A one-time sign-in link for `partner` (LOGIN by text): the URL to text them."""
    token = secrets.token_urlsafe(32)
    session.add(SignInCode(kind=SignInKind.LINK, phone_digest=phone_digest(partner.phone or ""),
                           partner_id=partner.id, handle_digest=_handle_digest("link", token), wrong_tries=0,
                           expires_at=now + CODE_VALID, created_at=now))
    session.flush()
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def send_link(session: Session, partner: Partner, base_url: str, now: datetime) -> bool:
    """"Send me a link" by voice: the link goes as a text (through the outbox); False when this partner
    takes no texts."""
    if not partner.can_text:
        return False
    _text(session, partner, texts.sign_in_link(issue_link(session, partner, base_url, now)), now)
    return True


def _live_link(session: Session, token: str | None, now: datetime) -> SignInCode | None:
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(SignInCode).where(
        SignInCode.kind == SignInKind.LINK, SignInCode.handle_digest == _handle_digest("link", token))
        .with_for_update())
    return row if row is not None and row.used_at is None and row.expires_at > now else None


def link_is_live(session: Session, token: str | None, now: datetime) -> bool:
    """True while the link can still sign someone in (looking does not use it: phones open links to
    preview them, so only the page's button does)."""
    return _live_link(session, token, now) is not None


def use_link(session: Session, token: str | None, now: datetime) -> Partner | None:
    """Sign in with a link, once; None when it is unknown, used or expired."""
    row = _live_link(session, token, now)
    if row is None:
        return None
    row.used_at = now
    session.flush()
    return session.get(Partner, row.partner_id)


def start_session(session: Session, partner: Partner, now: datetime) -> str:
    """A new session for `partner`; returns the token for the cookie (kept here only as its digest)."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_digest=_handle_digest("session", token), partner_id=partner.id,
                           created_at=now, last_seen_at=now))
    session.flush()
    return token


# Every page runs this: built once, with the partner, the couple and both partners in one statement.
BY_SESSION = (select(WebSession, Partner).join(Partner, Partner.id == WebSession.partner_id)
              .where(WebSession.token_digest == bindparam("digest")).options(couples.WITH_COUPLE))


def session_partner(session: Session, token: str | None, now: datetime) -> Partner | None:
    """The partner signed in with this session token, if it is live; its last use is brought up to date."""
    if not token or len(token) > 100:
        return None
    found = session.execute(BY_SESSION, {"digest": _handle_digest("session", token)}).unique().one_or_none()
    if found is None:
        return None
    row, partner = found
    if row.last_seen_at <= now - SESSION_IDLE or partner.erased_at is not None or not partner.phone:
        return None
    if row.last_seen_at <= now - TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return partner


def end_session(session: Session, token: str | None) -> None:
    """Sign out this browser: its session is gone on the server."""
    if token:
        session.execute(delete(WebSession).where(WebSession.token_digest == _handle_digest("session", token)))


def end_all_sessions(session: Session, partner: Partner) -> int:
    """Sign out everywhere: every session of this partner ends; returns how many."""
    return session.execute(delete(WebSession).where(WebSession.partner_id == partner.id)).rowcount or 0


def erase_for(session: Session, partner: Partner, phone: str | None) -> None:
    """DELETE MY DATA: the person's codes (also any asked for their number) and sessions go."""
    codes = [SignInCode.partner_id == partner.id]
    if phone:
        codes.append(SignInCode.phone_digest == phone_digest(phone))
    session.execute(delete(SignInCode).where(or_(*codes)))
    session.execute(delete(WebSession).where(WebSession.partner_id == partner.id))


def tidy(session: Session, now: datetime) -> int:
    """Housekeeping: codes a day old (the daily limit no longer counts them; they hold digests only), links
    an hour past their time, idle sessions, and the words of sign-in texts that are finished (they held a
    code). Returns the rows removed."""
    removed = session.execute(delete(SignInCode).where(or_(
        and_(SignInCode.kind == SignInKind.CODE, SignInCode.created_at <= now - timedelta(days=1)),
        and_(SignInCode.kind != SignInKind.CODE, SignInCode.expires_at <= now - timedelta(hours=1))))).rowcount
    removed += session.execute(delete(WebSession).where(WebSession.last_seen_at <= now - SESSION_IDLE)).rowcount
    session.execute(update(OutboundMessage).where(
        OutboundMessage.kind == TextKind.SIGN_IN, OutboundMessage.state.in_(sorted(FINISHED_TEXT_STATES)),
        OutboundMessage.body.is_not(None)).values(body=None), execution_options={"synchronize_session": False})
    return removed or 0
