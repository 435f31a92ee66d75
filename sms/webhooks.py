"""Twilio's webhooks: POST /sms/inbound (a text to our number, answered with TwiML) and POST /sms/status
(delivery reports). Both are signature-checked first (sms.security): unsigned 403, malformed 400,
database trouble 503 (Twilio may retry; nothing is half-written), never 500 for a bad request."""
import logging
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import request_scope
from core.crypto import CryptoError
from core.services import delivery_reports
from sms import conversation, forms, security

log = logging.getLogger(__name__)
blueprint = Blueprint("sms", __name__, url_prefix="/sms")


@blueprint.post("/inbound")
@security.twilio_signed
def inbound():
    """A text to our number: handle it once and answer with TwiML (an empty <Response/> means no reply)."""
    text = forms.parse_inbound(request.form)
    runtime = request_scope.runtime()
    reply = committed(lambda session: conversation.respond(session, runtime.settings, text, runtime.clock()))
    return twiml(reply)


@blueprint.post("/status")
@security.twilio_signed
def status():
    """A delivery report for a text we sent; an unknown MessageSid changes nothing."""
    report = forms.parse_status(request.form)
    now = request_scope.runtime().clock()
    committed(lambda session: delivery_reports.update_status(session, report.sid, report.status, report.error_code,
                                                             now))
    return twiml(None)


def committed(work, attempts: int = 2):
    """Run `work(session)` and commit. A unique-key race (the same MessageSid twice at once) runs once more,
    which replays the first one's reply; other database trouble rolls back and answers 503."""
    session = request_scope.db()
    for attempt in range(1, attempts + 1):
        try:
            result = work(session)
            session.commit()
            return result
        except (SQLAlchemyError, CryptoError) as error:
            _rollback(session)
            # Only the type: SQLAlchemy's message quotes parameters, and those include phone numbers.
            log.warning("SMS webhook %s failed: %s (attempt %d)", request.path, type(error).__name__, attempt)
            if not isinstance(error, IntegrityError) or attempt == attempts:
                abort(503)


def _rollback(session) -> None:
    """Roll back, tolerating a connection that is already gone (teardown closes the session anyway)."""
    try:
        session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed after a database error")


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
NO_REPLY = XML_DECLARATION + "<Response />"


def twiml(reply: str | None) -> Response:
    """A TwiML messaging response with at most one message: the document twilio's MessagingResponse
    writes (tests/sms/test_webhooks.py compares them), as a string rather than an ElementTree built and
    serialised per text."""
    if not reply:
        return Response(NO_REPLY, mimetype="text/xml")
    return Response(f"{XML_DECLARATION}<Response><Message>{escape(reply)}</Message></Response>", mimetype="text/xml")
