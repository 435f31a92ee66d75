"""The bench's bare baselines, served by gunicorn exactly like the app:

    gunicorn -c bench/gunicorn_baseline.py 'bench.baseline:create_baseline_app()'   # BENCH_CA_DIR, ALEXA_SKILL_ID

POST /alexa is an ask-sdk-core skill with one LaunchRequest handler that says "hello", behind our own
Alexa verifier (trusting the bench CA, chain cached); POST /sms/inbound returns fixed TwiML. They are the
floor: what Flask, ask-sdk-core, the verifier and gunicorn cost with no database and no product logic.

POST /minimal/alexa and POST /minimal/sms are the minimal correct handlers: the same checks (our Alexa
verifier; Twilio's signature over PUBLIC_BASE_URL + /sms/inbound with TWILIO_AUTH_TOKEN), then one insert
of an encrypted row (the answer, as `inbound_message.reply`, Fernet under ENCRYPTION_KEY) in the app's
database and one commit, through core.db's engine (SQLite `synchronous=FULL`, `BEGIN IMMEDIATE`): the cost
of doing a check-in's job at all, with nothing else of the product.
"""
import json
import os
import threading

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request
from sqlalchemy import insert
from twilio.request_validator import RequestValidator

from bench.benchapp import bench_verifier
from core import crypto
from core.clock import utcnow
from core.db import make_engine
from core.models import InboundMessage
from skill.verify import VerificationError

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, got it.</Message></Response>'
SAVED_TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you for sharing.</Message>'
               '</Response>')
_engine_lock = threading.Lock()
baseline = Blueprint("baseline", __name__)


class LaunchRequestHandler(AbstractRequestHandler):
    """"Alexa, open ...": say hello."""

    def can_handle(self, handler_input):
        """Only the LaunchRequest."""
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        """One word, session ended."""
        return handler_input.response_builder.speak("hello").set_should_end_session(True).response


def create_baseline_app() -> Flask:
    """A Flask app with the bare skill (and its verifier) and the fixed-TwiML route."""
    app = Flask(__name__)
    builder = SkillBuilder()
    builder.add_request_handler(LaunchRequestHandler())
    app.extensions["baseline_skill"] = builder.create()
    app.extensions["baseline_verifier"] = bench_verifier(os.environ.get("ALEXA_SKILL_ID"))
    app.register_blueprint(baseline)
    return app


@baseline.post("/alexa")
def alexa():
    """Verify, dispatch to the one handler, answer the response envelope as JSON."""
    body = request.get_data(cache=False)
    try:
        current_app.extensions["baseline_verifier"].verify(request.headers, body)
    except VerificationError as error:
        return jsonify(error=error.reason), 400
    skill = current_app.extensions["baseline_skill"]
    envelope = skill.serializer.deserialize(payload=body.decode("utf-8"), obj_type=RequestEnvelope)
    return jsonify(skill.serializer.serialize(skill.invoke(request_envelope=envelope, context=None)))


@baseline.post("/sms/inbound")
def sms_inbound():
    """The same reply to every text, unvalidated: the cheapest TwiML webhook Flask can serve."""
    return Response(TWIML, mimetype="application/xml")


def minimal_engine():
    """The app's database, opened on first use in each worker (after gunicorn's fork)."""
    app = current_app._get_current_object()
    with _engine_lock:
        if "minimal_engine" not in app.extensions:
            crypto.configure(os.environ["ENCRYPTION_KEY"])
            app.extensions["minimal_engine"] = make_engine(os.environ["DATABASE_URL"])
    return app.extensions["minimal_engine"]


def store_answer(source_id: str, answer: str) -> None:
    """One encrypted row, one commit."""
    with minimal_engine().begin() as connection:
        connection.execute(insert(InboundMessage.__table__).values(message_sid=source_id, reply=answer,
                                                                   created_at=utcnow()))


@baseline.post("/minimal/alexa")
def minimal_alexa():
    """Verify as the app does, store the answer encrypted, commit, confirm."""
    body = request.get_data(cache=False)
    try:
        current_app.extensions["baseline_verifier"].verify(request.headers, body)
    except VerificationError as error:
        return jsonify(error=error.reason), 400
    envelope = json.loads(body)
    answer = envelope["request"]["intent"]["slots"]["answer"]["value"]
    # inbound_message.message_sid holds 64 characters: the request id's unique tail (a UUID) keys the row
    store_answer("alexa:" + envelope["request"]["requestId"][-36:], answer)
    return jsonify(version="1.0", response={"outputSpeech": {"type": "PlainText", "text": "I saved your answer."},
                                            "shouldEndSession": True})


@baseline.post("/minimal/sms")
def minimal_sms():
    """Check Twilio's signature as the app does, store the text encrypted, commit, confirm in TwiML."""
    url = os.environ["PUBLIC_BASE_URL"].rstrip("/") + "/sms/inbound"
    form = request.form
    if not RequestValidator(os.environ["TWILIO_AUTH_TOKEN"]).validate(
            url, form.to_dict(), request.headers.get("X-Twilio-Signature", "")):
        abort(403)
    store_answer(form["MessageSid"], form["Body"])
    return Response(SAVED_TWIML, mimetype="application/xml")


@baseline.get("/healthz")
def healthz():
    """Readiness for the bench runner."""
    return jsonify(status="ok")
