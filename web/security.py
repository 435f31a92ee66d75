"""What every page of the couple's web companion shares: the session cookie, CSRF tokens, the security
headers, and "who is signed in" (core.services.sign_in keeps the sessions).

CSRF: every form carries `csrf_token`, a keyed digest of a secret only this browser has (its session
token once signed in, else a random `tb_anon` cookie); a POST whose token does not match gets 400 before
any view runs. Cookies are HttpOnly and SameSite=Lax, Secure when PUBLIC_BASE_URL is https.
"""
import base64
import hmac
import logging
import secrets
from functools import wraps

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

import request_scope
from core.crypto import CryptoError, digest
from core.services import sign_in

log = logging.getLogger(__name__)
SESSION_COOKIE, ANON_COOKIE, SIGN_IN_COOKIE = "tb_session", "tb_anon", "tb_signin"
#: No script at all, styles only from our one CSS file, never framed, no referrer (sign-in links carry tokens).
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def now():
    """The runtime's clock (tests and the console move it)."""
    return request_scope.runtime().clock()


def secure_cookies() -> bool:
    return request_scope.runtime().settings.public_base_url.startswith("https://")


def set_cookie(response, name: str, value: str, max_age: int | None, path: str = "/") -> None:
    """A cookie only our server reads: HttpOnly, SameSite=Lax, Secure behind https."""
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="Lax",
                        secure=secure_cookies())


def drop_cookie(response, name: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="Lax", secure=secure_cookies())


def current_partner():
    """The signed-in partner of this request, or None (looked up once)."""
    if "partner" not in g:
        g.partner = sign_in.session_partner(request_scope.db(), request.cookies.get(SESSION_COOKIE), now())
    return g.partner


def signed_in(view):
    """A page for a signed-in partner only; anyone else is sent to /login."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_partner() is None:
            return redirect(url_for("web_auth.login"), 303)
        return view(current_partner(), *args, **kwargs)
    return wrapper


def _seed() -> str:
    """The browser's own secret the CSRF token is made from."""
    if current_partner() is not None:
        return "s:" + request.cookies[SESSION_COOKIE]
    anon = request.cookies.get(ANON_COOKIE) or g.get("new_anon")
    if not anon or len(anon) > 100:
        anon = g.new_anon = secrets.token_urlsafe(24)
    return "a:" + anon


def csrf_token() -> str:
    """The token this browser's forms carry (templates call it)."""
    return base64.urlsafe_b64encode(digest("csrf", _seed())).decode().rstrip("=")


def check_csrf() -> None:
    """Before every POST: 400 unless the form's token is this browser's."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
        abort(400, "This form has expired. Go back, reload the page and try again.")


def finish(response):
    """After every page: the security headers, no caching of private pages, and a new anonymous cookie."""
    response.headers.update(HEADERS)
    if request.endpoint and not request.endpoint.endswith(".static"):
        response.headers["Cache-Control"] = "no-store"
    if g.get("new_anon"):
        set_cookie(response, ANON_COOKIE, g.new_anon, max_age=None)
    return response


def error_page(error):
    """A 4xx page in our own look (never a stack trace); database trouble is a 503."""
    if isinstance(error, HTTPException):
        code, said = error.code or 500, error.description
    else:  # SQLAlchemyError, CryptoError: nothing was half-written (the session rolls back at teardown)
        log.warning("web page %s failed: %s", request.path, type(error).__name__)
        code, said = 503, "Trust Builder can't reach its records right now. Please try again in a minute."
    return render_template("web/error.html", code=code, said=said, partner=g.get("partner")), code


def guard(blueprint) -> None:
    """Give a blueprint the CSRF check, the headers and the error pages."""
    blueprint.before_request(check_csrf)
    blueprint.after_request(finish)
    blueprint.register_error_handler(HTTPException, error_page)
    blueprint.register_error_handler(SQLAlchemyError, error_page)
    blueprint.register_error_handler(CryptoError, error_page)
