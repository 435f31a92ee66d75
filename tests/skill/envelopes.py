"""The test Echo's identity, its envelopes (built by devkit.alexa) and a small conversation driver.

    alexa = Alexa(client, clock)
    said = alexa.launch()                    # -> Reply (speech, reprompt, ended, directives, attributes)
    said = alexa.intent("AnswerIntent", answer="I felt heard")
"""
import itertools
import json
import re
from dataclasses import dataclass, field

from devkit import alexa
from devkit.alexa import AlexaSession, Device, intent_request, launch_request, session_ended_request  # noqa: F401

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
USER_ID = "amzn1.ask.account.AHOUSEHOLD"
DEVICE_ID = "amzn1.ask.device.KITCHEN"
API_ENDPOINT = "http://127.0.0.1:9"  # nothing listens: tests that need the Settings API start FakeAlexa
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test-token"
_sessions = itertools.count(1)


def envelope(request: dict, *, user_id=USER_ID, person_id=None, device_id=DEVICE_ID, api_endpoint=API_ENDPOINT,
             token=TOKEN, attributes=None, new=True, session_id="amzn1.echo-api.session.1", app_id=SKILL_ID,
             screen=False, consent_token=None, in_session=True) -> dict:
    """devkit's envelope around `request` from the test Echo, in a session unless `in_session` is False."""
    device = Device(app_id, user_id, device_id, api_endpoint, token)
    session = AlexaSession(session_id, new, attributes or {}) if in_session else None
    return alexa.envelope(request, device, person_id, session, screen=screen, consent_token=consent_token)


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
