"""GET /admin: the operator's status page, metadata only (core.services.operator_status). It exists only
when ADMIN_TOKEN is set (else 404) and answers only to `Authorization: Bearer <ADMIN_TOKEN>` (else 401)."""
import hmac

from flask import Blueprint, abort, render_template, request

import request_scope
from core.services import operator_status
from web.security import finish, now

blueprint = Blueprint("web_admin", __name__, template_folder="templates")
blueprint.after_request(finish)


@blueprint.get("/admin")
def status():
    """Queue depth by state, sends per hour, failures by Twilio error code, heartbeat, database."""
    _authorise()
    session = request_scope.db()
    shown = operator_status.status(session, now())
    session.rollback()
    return render_template("web/admin.html", status=shown, now=now())


def _authorise() -> None:
    token = request_scope.runtime().settings.admin_token
    if not token:
        abort(404)
    sent = request.headers.get("Authorization", "")
    if not (sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode())):
        abort(401)


@blueprint.errorhandler(401)
def unauthorised(_error):
    """No page without the token: a bare 401 that says how to authenticate, nothing more."""
    return "401 Unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="trustbuilder-admin"',
                                      "Content-Type": "text/plain; charset=utf-8"}


@blueprint.errorhandler(404)
def missing(_error):
    return "404 Not Found\n", 404, {"Content-Type": "text/plain; charset=utf-8"}
