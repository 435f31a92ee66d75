"""The bench's bare baselines, served by gunicorn exactly like the app:

    gunicorn -c bench/gunicorn_baseline.py 'bench.baseline:create_baseline_app()'   # BENCH_CA_DIR, ALEXA_SKILL_ID

POST /alexa is an ask-sdk-core skill with one LaunchRequest handler that says "hello", behind our own
Alexa verifier (trusting the bench CA, chain cached); POST /sms/inbound returns fixed TwiML. They are the
floor: what Flask, ask-sdk-core, the verifier and gunicorn cost with no database and no product logic.
"""
import os

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, Flask, Response, current_app, jsonify, request

from bench.benchapp import bench_verifier
from skill.verify import VerificationError

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, got it.</Message></Response>'
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


@baseline.get("/healthz")
def healthz():
    """Readiness for the bench runner."""
    return jsonify(status="ok")
