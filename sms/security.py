"""Twilio webhook checks: the X-Twilio-Signature over the public URL, then the form fields.

Signature: HMAC as Twilio computes it (twilio's RequestValidator) with `signing_token(settings)`, over
`PUBLIC_BASE_URL + path (+ "?" + query)`, so it holds behind a TLS-terminating proxy that changes the
scheme, host or port the app sees. Production (and test) always has TWILIO_AUTH_TOKEN (config refuses to
start without it). In development without one, the token is a random one kept in var/webhook.token:
requests must still be signed, and the local console signs them exactly like Twilio with
`signing_token(settings)`. An unsigned or mis-signed request
gets 403 before anything is read or stored (the fields are then read by sms.forms), and so does a signed
one whose AccountSid is not TWILIO_ACCOUNT_SID.
"""
import functools
import logging

from flask import abort, request
from twilio.request_validator import (SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator,
                                      get_signature_algorithm)

import request_scope
from core.config import Settings, development_webhook_token

log = logging.getLogger(__name__)

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
        if not is_signed(request_scope.runtime().settings):
            log.warning("refused an unsigned or mis-signed request to %s: signature checked against %s "
                        "(PUBLIC_BASE_URL + path; it must be the URL set in Twilio's console)",
                        request.path, public_url(request_scope.runtime().settings))
            abort(403)
        if not from_our_account(request_scope.runtime().settings):
            log.warning("refused a signed request to %s naming another Twilio account (AccountSid is not "
                        "TWILIO_ACCOUNT_SID)", request.path)
            abort(403)
        return view(*args, **kwargs)
    return guarded


def from_our_account(settings: Settings) -> bool:
    """True unless TWILIO_ACCOUNT_SID is set (always in production) and the form's AccountSid is another
    one: a callback for someone else's account (a reused token, a misconfigured callback URL) changes
    nothing here."""
    return not settings.twilio_account_sid or request.form.get("AccountSid") == settings.twilio_account_sid
