"""Twilio webhook checks: the X-Twilio-Signature over the public URL, then the form fields.

Signature: HMAC as Twilio computes it (twilio's RequestValidator) with `signing_token(settings)`, over
`PUBLIC_BASE_URL + path (+ "?" + query)`, so it holds behind a TLS-terminating proxy that changes the
scheme, host or port the app sees. Production (and test) always has TWILIO_AUTH_TOKEN (config refuses to
start without it). In development without one, the token is a random one kept in var/webhook.token:
requests must still be signed, and the local console signs them exactly like Twilio with
`signing_token(settings)`. An unsigned or mis-signed request
gets 403 before anything is read or stored; a signed one with a missing or malformed field gets 400.
"""
import functools
import logging
import re
from dataclasses import dataclass

from flask import abort, request
from twilio.request_validator import (SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator,
                                      get_signature_algorithm)

import web
from core.config import Settings, development_webhook_token
from core.errors import InvalidInput
from core.phones import normalize_phone
from sms.turn import InboundText

log = logging.getLogger(__name__)
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}", re.IGNORECASE)
STATUS = re.compile(r"[a-z_]{1,24}")
ERROR_CODE = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class StatusReport:
    """A delivery status callback: which text, its new state and Twilio's error code if any."""

    sid: str
    status: str
    error_code: int | None


def signing_token(settings: Settings) -> str:
    """The secret webhooks are signed with: the Twilio auth token, or outside production a derived one."""
    if settings.twilio_auth_token or settings.is_production:
        return settings.twilio_auth_token
    return development_webhook_token(settings.var_dir)  # random, in var/webhook.token (0600)


def public_url(settings: Settings) -> str:
    """The URL Twilio called, as configured in its console: our public origin, not what the proxy forwarded."""
    query = request.query_string.decode("utf-8", "replace")
    return settings.public_base_url + request.path + (f"?{query}" if query else "")


def is_signed(settings: Settings) -> bool:
    """True when the current request carries Twilio's valid signature for our public URL and its form."""
    token, signature = signing_token(settings), request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    return RequestValidator(token).validate(public_url(settings), request.form, signature, algorithm)


def twilio_signed(view):
    """Decorator: 403 unless the request is signed by Twilio (checked before the view reads anything)."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not is_signed(web.runtime().settings):
            log.warning("refused an unsigned or mis-signed request to %s: signature checked against %s "
                        "(PUBLIC_BASE_URL + path; it must be the URL set in Twilio's console)",
                        request.path, public_url(web.runtime().settings))
            abort(403)
        return view(*args, **kwargs)
    return guarded


def parse_inbound(form) -> InboundText:
    """MessageSid, From (as E.164) and Body (may be empty, e.g. a photo); 400 when any is missing or bad."""
    sid, phone, body = form.get("MessageSid", ""), form.get("From", ""), form.get("Body")
    if not MESSAGE_SID.fullmatch(sid) or body is None:
        abort(400, "MessageSid, From and Body are required")
    try:
        return InboundText(sid, normalize_phone(phone), body)
    except InvalidInput:
        abort(400, "From is not a phone number")


def parse_status(form) -> StatusReport:
    """MessageSid, MessageStatus and the optional ErrorCode of a status callback; 400 when malformed."""
    sid, status, code = form.get("MessageSid", ""), form.get("MessageStatus", ""), form.get("ErrorCode", "")
    if not MESSAGE_SID.fullmatch(sid) or not STATUS.fullmatch(status) or code and not ERROR_CODE.fullmatch(code):
        abort(400, "MessageSid and MessageStatus are required; ErrorCode is a number")
    return StatusReport(sid, status, int(code) if code else None)
