"""POST /alexa: prove the request came from Alexa for our skill, answer it, and never fail with a 500."""
import logging

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, current_app, jsonify, request

from core import db
from skill import AlexaSkill
from skill.speech import SORRY
from skill.verify import VerificationError, dig as _dig, parse_envelope

log = logging.getLogger("trustbuilder.alexa")
blueprint = Blueprint("alexa", __name__)
SERIALIZER = DefaultSerializer()  # stateless: safe to share between requests
REQUIRED_TEXT = (("request", "type"), ("request", "requestId"), ("request", "timestamp"),
                 ("context", "System", "application", "applicationId"), ("context", "System", "user", "userId"))


# Requests that usually only read (a launch writes once a day per partner: the day's prompt, the heard mark).
# On SQLite they read without the write lock and are run again, with it, if they lost a race to write
# (core.db.reads_first); everything else takes the lock at its first statement, since it writes anyway and a
# lost race would only mean doing its reads twice. Correct either way: this is a choice of speed only.
READS_MOSTLY = frozenset({
    "LaunchRequest", "SessionEndedRequest", "TodaysQuestionIntent", "PartnerAnswerIntent", "ListPromisesIntent",
    "PactListIntent", "WeeklySummaryIntent", "SafetyIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent",
    "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"})

# Ids we store: at most 255 characters (the column size) of text that encodes as UTF-8.
ID_FIELDS = (("context", "System", "user", "userId"), ("context", "System", "person", "personId"),
             ("context", "System", "device", "deviceId"), ("request", "requestId"), ("session", "sessionId"))


def _storable_id(value: object) -> bool:
    """Text of at most 255 characters without lone surrogates (which no database can store)."""
    if not isinstance(value, str) or len(value) > 255:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class MalformedRequest(Exception):
    """The body is not an Alexa request envelope we can answer; `reason` names what is wrong."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@blueprint.post("/alexa")
def alexa():
    """Verify (or, in development, at least parse and check the skill id), then let the skill answer."""
    skill: AlexaSkill = current_app.extensions["alexa_skill"]
    body = request.get_data(cache=False)
    try:
        envelope = read_envelope(skill, request.headers, body)
    except (VerificationError, MalformedRequest) as error:
        log.warning("refused an Alexa request: %s", error.reason)
        return jsonify(error=error.reason), 400
    if _kind(envelope) not in READS_MOSTLY:
        return jsonify(answer(skill, envelope))
    # A turn that read what another request changed meanwhile runs once more (core.db.reads_first; the
    # database error handler has rolled it back); it gets a fresh envelope, since handlers may rewrite the
    # request (a resumed intent) as they go.
    fresh = iter((envelope,))
    return jsonify(db.reads_first(lambda: answer(skill, next(fresh, None) or _deserialize(body))))


def _kind(envelope: RequestEnvelope) -> str:
    """The intent's name for an IntentRequest, else the request's type."""
    request_ = envelope.request
    intent = getattr(request_, "intent", None)
    return intent.name if intent is not None and intent.name else request_.object_type


def read_envelope(skill: AlexaSkill, headers, body: bytes) -> RequestEnvelope:
    """The typed envelope, once the signature (or at least the shape and skill id) checks out."""
    if skill.verifier is not None:
        data = skill.verifier.verify(headers, body)
    else:
        data = _parse(body)
        _check_application(data, skill.skill_id)
    _check_shape(data)
    return _deserialize(body)


def _deserialize(body: bytes) -> RequestEnvelope:
    """The SDK's typed envelope of a body already checked."""
    try:
        return SERIALIZER.deserialize(body.decode("utf-8"), RequestEnvelope)
    except Exception:  # the SDK's parser raises assorted errors on odd shapes: all mean a bad request
        raise MalformedRequest("bad_envelope") from None


def answer(skill: AlexaSkill, envelope: RequestEnvelope) -> dict:
    """The skill's response as JSON; a failure that escapes every handler still gets a spoken apology."""
    try:
        response = skill.custom.invoke(request_envelope=envelope, context=None)
    except db.LostWriteRace:
        raise  # core.db.reads_first runs the turn again
    except Exception:  # the exception handlers failed too: Alexa must still get a valid answer
        log.exception("the Alexa skill failed outside its handlers")
        return apology()
    return SERIALIZER.serialize(response)


def apology() -> dict:
    """A minimal valid response that says sorry and ends the session."""
    return {"version": "1.0", "response": {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{SORRY}</speak>"},
                                           "shouldEndSession": True}}


def _parse(body: bytes) -> dict:
    """The JSON object in the body (verification off: the same parser, without the signature checks)."""
    try:
        return parse_envelope(body)
    except VerificationError:
        raise MalformedRequest("bad_json") from None


def _check_application(data: dict, skill_id: str | None) -> None:
    """Every application id in the envelope must be ours, when a skill id is configured."""
    if not skill_id:
        return
    ids = [_dig(data, "session", "application", "applicationId"),
           _dig(data, "context", "System", "application", "applicationId")]
    present = [i for i in ids if i is not None]
    if not present or any(i != skill_id for i in present):
        raise MalformedRequest("wrong_application_id")


def _check_shape(data: dict) -> None:
    """The fields every handler relies on are present and are text; attributes, when sent, are an object."""
    for path in REQUIRED_TEXT:
        value = _dig(data, *path)
        if not isinstance(value, str) or not value:
            raise MalformedRequest("missing_" + path[-1])
    for path in ID_FIELDS:
        value = _dig(data, *path)
        if value is not None and not _storable_id(value):
            raise MalformedRequest("bad_" + path[-1])
    attributes = _dig(data, "session", "attributes")
    if attributes is not None and not isinstance(attributes, dict):
        raise MalformedRequest("bad_attributes")
    if data["request"]["type"] == "IntentRequest" and not isinstance(_dig(data, "request", "intent", "name"), str):
        raise MalformedRequest("missing_intent")

