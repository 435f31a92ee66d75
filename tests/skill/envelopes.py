"""Alexa request envelopes built exactly as Alexa sends them, and a small conversation driver.

    alexa = Alexa(client, clock)
    said = alexa.launch()                    # -> Reply (speech, reprompt, ended, directives, attributes)
    said = alexa.intent("AnswerIntent", answer="I felt heard")
"""
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
USER_ID = "amzn1.ask.account.AHOUSEHOLD"
DEVICE_ID = "amzn1.ask.device.KITCHEN"
API_ENDPOINT = "http://127.0.0.1:9"  # nothing listens: tests that need the Settings API start FakeAlexa
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test-token"
_sessions = itertools.count(1)


def stamp(now) -> str:
    """Alexa's request timestamp format."""
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def request_id() -> str:
    """A fresh request id in Alexa's format."""
    return f"amzn1.echo-api.request.{uuid.uuid4()}"


def envelope(request: dict, *, user_id=USER_ID, person_id=None, device_id=DEVICE_ID, api_endpoint=API_ENDPOINT,
             token=TOKEN, attributes=None, new=True, session_id="amzn1.echo-api.session.1", app_id=SKILL_ID) -> dict:
    """The whole envelope around `request`: version, session, context.System (with person when given)."""
    system = {"application": {"applicationId": app_id}, "user": {"userId": user_id},
              "device": {"deviceId": device_id, "supportedInterfaces": {}},
              "apiEndpoint": api_endpoint, "apiAccessToken": token}
    if person_id:
        system["person"] = {"personId": person_id}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": session_id, "application": {"applicationId": app_id},
                    "attributes": attributes or {}, "user": {"userId": user_id}},
        "context": {"System": system},
        "request": request,
    }


def launch_request(now, rid=None) -> dict:
    """A LaunchRequest ("open Trust Builder")."""
    return {"type": "LaunchRequest", "requestId": rid or request_id(), "timestamp": stamp(now), "locale": "en-US"}


def intent_request(name, now, slots=None, dialog_state=None, rid=None) -> dict:
    """An IntentRequest; `slots` maps slot name to value (None means the slot was not filled)."""
    request = {"type": "IntentRequest", "requestId": rid or request_id(), "timestamp": stamp(now), "locale": "en-US",
               "intent": {"name": name, "confirmationStatus": "NONE",
                          "slots": {k: _slot(k, v) for k, v in (slots or {}).items()}}}
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


def _slot(name, value) -> dict:
    slot = {"name": name, "confirmationStatus": "NONE"}
    if value is not None:
        slot["value"] = value
    return slot


def session_ended_request(now, reason="USER_INITIATED", rid=None) -> dict:
    """A SessionEndedRequest."""
    return {"type": "SessionEndedRequest", "requestId": rid or request_id(), "timestamp": stamp(now),
            "locale": "en-US", "reason": reason}


@dataclass
class Reply:
    """What the skill answered, with the SSML tags taken off."""

    status: int
    body: dict
    speech: str = ""
    reprompt: str | None = None
    ended: bool | None = None
    directives: list = field(default_factory=list)

    @classmethod
    def parse(cls, response) -> "Reply":
        body = response.get_json(silent=True) or {}
        answer = body.get("response") or {}
        reprompt = (answer.get("reprompt") or {}).get("outputSpeech", {}).get("ssml")
        speech = _text(answer.get("outputSpeech", {}).get("ssml"))
        return cls(response.status_code, body, speech, _text(reprompt) if reprompt else None,
                   answer.get("shouldEndSession"), answer.get("directives") or [])

    @property
    def attributes(self) -> dict:
        return self.body.get("sessionAttributes") or {}


def _text(ssml) -> str:
    return re.sub(r"</?speak>", "", ssml or "")


class Alexa:
    """One Echo talking to /alexa: keeps the session's attributes between turns like Alexa does."""

    def __init__(self, client, clock, **identity):
        self.client, self.clock, self.identity = client, clock, identity
        self.attributes, self.new, self.session_id = {}, True, f"amzn1.echo-api.session.{next(_sessions)}"
        self.last: dict | None = None

    def send(self, request: dict, **overrides) -> Reply:
        """Post one request in this session and carry its attributes forward."""
        body = envelope(request, attributes=self.attributes, new=self.new, session_id=self.session_id,
                        **{**self.identity, **overrides})
        self.last = body
        reply = Reply.parse(self.client.post("/alexa", data=json.dumps(body), content_type="application/json"))
        self.new = False
        self.attributes = reply.attributes if reply.status == 200 else self.attributes
        return reply

    def launch(self, **overrides) -> Reply:
        return self.send(launch_request(self.clock()), **overrides)

    def intent(self, intent_name, /, dialog_state=None, rid=None, **slots) -> Reply:
        return self.send(intent_request(intent_name, self.clock(), slots, dialog_state, rid))

    def end(self, reason="USER_INITIATED") -> Reply:
        return self.send(session_ended_request(self.clock(), reason))
