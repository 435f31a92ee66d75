"""Signing in and out: GET/POST /login (the number), GET/POST /login/code (the 6-digit code), the one-time
link a LOGIN text carries (/login/link/<token>: a page with a button, because phones open links to preview
them), and POST /logout (this browser, or everywhere)."""
from flask import Blueprint, redirect, render_template, request, url_for

import request_scope
from core.errors import InvalidInput
from core.services import sign_in
from web.security import (SESSION_COOKIE, SIGN_IN_COOKIE, current_partner, drop_cookie, guard, now, set_cookie,
                          signed_in)

blueprint = Blueprint("web_auth", __name__, template_folder="templates")
guard(blueprint)
SESSION_SECONDS = int(sign_in.SESSION_IDLE.total_seconds())
CODE_SECONDS = int(sign_in.CODE_VALID.total_seconds())
CODE_WORDS = {"wrong": "That code isn't right.", "locked": "That was the fifth wrong code, so it no longer works.",
              "expired": "That code has expired or was already used."}


@blueprint.get("/login")
def login():
    """The sign-in form: one field, the phone number."""
    if current_partner() is not None:
        return redirect(url_for("web_couple.today"), 303)
    return render_template("web/login.html", signed_out=request.args.get("out") == "1")


@blueprint.post("/login")
def ask_code():
    """Text a code (to a partner who takes texts) and go on to the code page; the same for any number."""
    db = request_scope.db()
    try:
        handle = sign_in.ask_code(db, request.form.get("phone", "")[:40], now(), asker=request.remote_addr)
    except InvalidInput:
        return render_template("web/login.html", problem="That doesn't look like a phone number.",
                               phone=request.form.get("phone", "")[:40]), 400
    db.commit()
    response = redirect(url_for("web_auth.code"), 303)
    set_cookie(response, SIGN_IN_COOKIE, handle, CODE_SECONDS, path="/login")
    return response


@blueprint.get("/login/code")
def code():
    """The second step: the code field."""
    if not request.cookies.get(SIGN_IN_COOKIE):
        return redirect(url_for("web_auth.login"), 303)
    return render_template("web/code.html")


@blueprint.post("/login/code")
def check_code():
    """A right code signs in and lands on the day's page; a wrong one uses up one of five tries."""
    db = request_scope.db()
    checked = sign_in.check_code(db, request.cookies.get(SIGN_IN_COOKIE), request.form.get("code", "")[:20], now())
    if checked.status != "ok":
        db.commit()  # the wrong try counts
        return render_template("web/code.html", problem=CODE_WORDS[checked.status], status=checked.status,
                               tries_left=checked.tries_left), 400
    response = _signed_in_as(checked.partner)
    drop_cookie(response, SIGN_IN_COOKIE, path="/login")
    return response


def _signed_in_as(partner):
    """A new session (committed) and its cookie, landing on the day's page."""
    db = request_scope.db()
    token = sign_in.start_session(db, partner, now())
    db.commit()
    response = redirect(url_for("web_couple.today"), 303)
    set_cookie(response, SESSION_COOKIE, token, SESSION_SECONDS)
    return response


@blueprint.get("/login/link/<token>")
def link(token):
    """A sign-in link: a button to press (looking at the link uses nothing)."""
    if not sign_in.link_is_live(request_scope.db(), token, now()):
        return render_template("web/link.html", live=False), 404
    return render_template("web/link.html", live=True, token=token)


@blueprint.post("/login/link/<token>")
def use_link(token):
    """The button: the link is used up and this browser is signed in."""
    partner = sign_in.use_link(request_scope.db(), token, now())
    if partner is None:
        return render_template("web/link.html", live=False), 404
    return _signed_in_as(partner)


@blueprint.post("/logout")
@signed_in
def logout(partner):
    """Sign out: this browser's session ends on the server, or every session of this partner."""
    db = request_scope.db()
    if request.form.get("everywhere"):
        sign_in.end_all_sessions(db, partner)
    else:
        sign_in.end_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = redirect(url_for("web_auth.login", out=1), 303)
    drop_cookie(response, SESSION_COOKIE)
    return response
