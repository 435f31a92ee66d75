"""The Echo's dialog handling against scripted skill answers: the skill's Dialog.ElicitSlot."""
import json
from datetime import datetime, timezone

import pytest

from console.build import console_signer
from console.echo import Echo, card_text
from console.resolver import Resolver
from core.clock import SettableClock
from devkit.alexa import Device

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
DEVICE = Device("amzn1.ask.skill.console", "amzn1.ask.account.A", "amzn1.ask.device.D", "https://api.example", "t")


class ScriptedSkill:
    """Answers each post with the next scripted response and keeps the envelopes it was sent."""

    def __init__(self, *responses):
        self.responses, self.sent = list(responses), []

    def __call__(self, body, headers):
        assert set(headers) >= {"SignatureCertChainUrl", "Signature-256"}
        self.sent.append(json.loads(body))
        return 200, json.dumps(self.responses.pop(0)).encode()


def answer(text, end=None, directives=(), attributes=None):
    response = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{text}</speak>"}, "directives": list(directives)}
    if end is not None:
        response["shouldEndSession"] = end
    return {"version": "1.0", "sessionAttributes": attributes or {}, "response": response}


def intent(name, **values):
    return {"name": name, "confirmationStatus": "NONE",
            "slots": {k: {"name": k, "value": v, "confirmationStatus": "NONE"} for k, v in values.items()}}


@pytest.fixture(scope="module")
def signer():
    return console_signer(NOW)


def echo_for(skill, signer):
    return Echo(skill, Resolver(), signer, DEVICE, SettableClock(NOW), "America/New_York")


def test_an_elicited_slot_is_filled_by_the_next_utterance_in_the_same_session(signer):
    elicit = {"type": "Dialog.ElicitSlot", "slotToElicit": "time",
              "updatedIntent": intent("MakePromiseIntent", task="call Sam")}
    skill = ScriptedSkill(answer("At what time?", directives=[elicit], attributes={"partner_id": 1}),
                          answer("OK.", end=True))
    echo = echo_for(skill, signer)
    assert echo.say("p1", "I promise to call Sam").open
    heard = echo.say("p1", "six")
    first, second = skill.sent
    assert second["session"]["sessionId"] == first["session"]["sessionId"] and second["session"]["new"] is False
    assert second["session"]["attributes"] == {"partner_id": 1}
    assert second["request"]["dialogState"] == "IN_PROGRESS"
    assert {k: v.get("value") for k, v in second["request"]["intent"]["slots"].items()} == \
        {"task": "call Sam", "date": None, "time": "18:00"}
    assert second["request"]["intent"]["slots"]["task"]["resolutions"]["resolutionsPerAuthority"][0]["status"] \
        == {"code": "ER_SUCCESS_MATCH"}
    assert (heard.speech, heard.open, echo.session) == ("OK.", False, None)


def test_stop_leaves_a_dialog_and_a_new_invocation_starts_a_new_session(signer):
    elicit = {"type": "Dialog.ElicitSlot", "slotToElicit": "task", "updatedIntent": intent("MakePromiseIntent")}
    skill = ScriptedSkill(answer("What?", directives=[elicit]), answer("Bye.", end=True), answer("Hi.", end=False),
                          answer("Hello again.", end=False))
    echo = echo_for(skill, signer)
    echo.say("p1", "make a promise")
    assert skill.sent and echo.say("p1", "stop").speech == "Bye."
    assert skill.sent[1]["request"]["intent"]["name"] == "AMAZON.StopIntent"
    echo.say("p1", "open trust builder")
    echo.say("p1", "open trust builder")
    assert skill.sent[2]["session"]["sessionId"] != skill.sent[3]["session"]["sessionId"]
    assert skill.sent[3]["session"]["new"] is True


def test_a_refused_request_ends_the_session_and_says_why(signer):
    echo = echo_for(lambda body, headers: (400, b'{"error": "bad_signature"}'), signer)
    heard = echo.say("p1", "how are we doing")
    assert heard.error == 'HTTP 400: {"error": "bad_signature"}' and echo.session is None


def test_an_answer_that_is_not_json_is_reported(signer):
    heard = echo_for(lambda body, headers: (200, b"<html>oops</html>"), signer).say("p1", "how are we doing")
    assert heard.error == "HTTP 200: <html>oops</html>"


def test_cards_read_as_one_line():
    assert card_text({"type": "Simple", "title": "Link", "content": "Text LINK\n123456"}) == "Link: Text LINK 123456"
    assert card_text({"type": "LinkAccount"}) == "LinkAccount" and card_text(None) is None
