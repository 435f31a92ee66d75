"""Contact from the voice profile (issue 12, item 4): a recognised speaker setting up can let us read their
given name and mobile number from the Person Profile API (voice-forward consent, person level) instead of
saying the number aloud; then only the YES text is needed. Denied consent, a profile without a number, an API
that fails, or a voice Alexa did not recognise fall back to the spoken-number flow."""
import pytest
from sqlalchemy import select

from core.models import ALEXA_PERSON, OutboundMessage, TextKind, VoiceSetup
from core.crypto import keyed
from devkit.alexa import consent_result, session_resumed_request
from devkit.fakes.alexa_api import TIMEOUT
from skill.echo import PROFILE
from tests.skill.envelopes import Alexa
from tests.skill.native import directive, fake, lwa, settings, text  # noqa: F401

NEW_ACCOUNT, PERSON = "amzn1.ask.account.NEWHOUSEHOLD", "amzn1.ask.person.JORDAN"
PROFILE_PHONE = "+14155550100"


@pytest.fixture
def echo(client, clock):
    return Alexa(client, clock, user_id=NEW_ACCOUNT, person_id=PERSON)


def consent_texts(look):
    return look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.LINK_CONSENT)).all()


def profile_calls(fake):
    return [r["path"] for r in fake.requests if r["api"] == "profile"]


def test_a_profile_already_shared_sets_up_without_saying_the_number(echo, fake, look):
    echo.launch()
    done = echo.intent("AMAZON.YesIntent")
    assert done.speech.startswith("I've used the first name and mobile number in your Alexa voice profile, so nobody "
                                  "heard it. I've texted you. Reply YES to that text")
    assert "4 1 5" not in done.speech and "five five five" not in done.speech
    assert profile_calls(fake) == ["/v2/persons/~current/profile/givenName", "/v2/persons/~current/profile/mobileNumber"]
    [consent] = consent_texts(look)
    assert consent.to_phone == PROFILE_PHONE
    row = look.scalar(select(VoiceSetup))
    assert row.first_name == "Alex" and row.alexa_person_id == keyed(ALEXA_PERSON, PERSON)


def test_without_consent_yet_it_is_asked_by_voice_for_this_person(echo, fake, look):
    echo.launch()
    fake.script("profile", 403, 403)
    asked = echo.intent("AMAZON.YesIntent")
    start = directive(asked, "Connections.StartConnection")
    assert start["uri"] == "connection://AMAZON.AskForPermissionsConsent/2" and start["token"] == "setup"
    assert start["input"]["permissionScopes"] == [{"permissionScope": scope, "consentLevel": "PERSON"}
                                                  for scope in PROFILE]
    assert asked.speech.startswith("I can use the first name and mobile number in your Alexa voice profile")
    assert consent_texts(look) == []
    resumed = echo.send(session_resumed_request(echo.clock(), "setup", consent_result(*PROFILE)))
    assert resumed.speech.startswith("I've used the first name and mobile number in your Alexa voice profile")
    assert [c.to_phone for c in consent_texts(look)] == [PROFILE_PHONE]


@pytest.mark.parametrize("result, code", [(consent_result(*PROFILE, status="DENIED"), "200"),
                                          ({"status": "NOT_ANSWERED"}, "200"), (None, "500")])
def test_denied_or_unanswered_consent_falls_back_to_the_spoken_number(echo, fake, look, result, code):
    echo.launch()
    fake.script("profile", 403, 403)
    echo.intent("AMAZON.YesIntent")
    said = echo.send(session_resumed_request(echo.clock(), "setup", result, code))
    assert said.speech == "OK, let's do it by voice. What's your mobile number? I'll text it once, to check it's yours."
    assert directive(said, "Dialog.ElicitSlot")["slotToElicit"] == "phone"
    assert len(profile_calls(fake)) == 2 and consent_texts(look) == []


def test_consent_granted_but_still_refused_by_the_api_falls_back(echo, fake, look):
    echo.launch()
    fake.script("profile", 403, 403, 403, 403)
    echo.intent("AMAZON.YesIntent")
    said = echo.send(session_resumed_request(echo.clock(), "setup", consent_result(*PROFILE)))
    assert said.speech.endswith("What's your mobile number? I'll text it once, to check it's yours.")
    assert consent_texts(look) == []


@pytest.mark.parametrize("answer", [500, TIMEOUT])
def test_a_failing_profile_api_falls_back_to_the_spoken_number(echo, fake, answer):
    echo.launch()
    fake.script("profile", answer, answer)
    said = echo.intent("AMAZON.YesIntent")
    assert said.speech == "What's your mobile number? I'll text it once, to check it's yours."


def test_a_profile_without_a_number_asks_for_it(echo, fake):
    fake.profile = {"givenName": "Jordan"}
    echo.launch()
    said = echo.intent("AMAZON.YesIntent")
    assert said.speech == "What's your mobile number? I'll text it once, to check it's yours."
    assert echo.intent("SetUpIntent", phone=None).speech.startswith("What's your mobile number?")
    assert len(profile_calls(fake)) == 2  # asked once a session


def test_a_profile_without_a_name_asks_only_for_the_name(echo, fake, look):
    fake.profile = {"mobileNumber": {"countryCode": "+1", "phoneNumber": "4155550100"}}
    echo.launch()
    said = echo.intent("AMAZON.YesIntent")
    assert said.speech.endswith("And what's your first name?")
    assert directive(said, "Dialog.ElicitSlot")["slotToElicit"] == "name"
    done = echo.intent("SetUpIntent", name="Jordan", phone=None)
    assert done.speech.startswith("I've texted you.") and [c.to_phone for c in consent_texts(look)] == [PROFILE_PHONE]


def test_a_voice_alexa_did_not_recognise_never_reaches_the_profile(client, clock, fake):
    echo = Alexa(client, clock, user_id=NEW_ACCOUNT)
    echo.launch()
    assert echo.intent("AMAZON.YesIntent").speech == "What's your mobile number? I'll text it once, to check it's yours."
    assert profile_calls(fake) == []
