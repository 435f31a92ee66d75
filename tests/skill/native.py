"""Fixtures for the Alexa-native features (issue 12): the skill's messaging credentials set, every Alexa API
call going to a loopback FakeAlexa (development's ALEXA_API_URL), a FakeLwa token endpoint, texts signed like
Twilio's, and an Alexa driver that can speak from an Echo Show. Imported by the tests that use them."""
import json

import pytest
from sqlalchemy import select

from devkit.fakes.alexa_api import FakeAlexa
from devkit.fakes.lwa import FakeLwa
from skill.alexa_api import AlexaMessaging
from tests.conftest import make_settings
from tests.skill.conftest import OUR_NUMBER
from tests.skill.envelopes import DEVICE_ID, SKILL_ID, Alexa
from tests.sms.conftest import TOKEN as TWILIO_TOKEN, inbound_form, signed_post, twiml_message

CLIENT_ID, CLIENT_SECRET = "amzn1.application-oa2-client.test", "messaging-secret"


@pytest.fixture
def fake():
    with FakeAlexa({DEVICE_ID: "America/Los_Angeles"}, profile={
            "givenName": "Alex", "mobileNumber": {"countryCode": "+1", "phoneNumber": "4155550100"}}) as api:
        yield api


@pytest.fixture
def lwa():
    with FakeLwa(CLIENT_ID, CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def settings(tmp_path, database_url, fake, lwa):
    """On a real SQLite file and, with TEST_DATABASE_URL, on PostgreSQL."""
    return make_settings(tmp_path, database_url, alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER, alexa_api_url=fake.url,
                         alexa_client_id=CLIENT_ID, alexa_client_secret=CLIENT_SECRET, alexa_lwa_url=lwa.url,
                         twilio_auth_token=TWILIO_TOKEN)


@pytest.fixture
def messaging(settings):
    return AlexaMessaging.from_settings(settings)


@pytest.fixture
def show(client, clock):
    """The same Echo, with a screen (Alexa.Presentation.APL declared)."""
    return Alexa(client, clock, screen=True)


@pytest.fixture
def text(client):
    """`text(phone, body)` -> the reply, signed like Twilio."""
    return lambda phone, body: twiml_message(signed_post(client, "/sms/inbound", inbound_form(phone, body)))


def rows(tx, model, *where):
    with tx() as s:
        return s.scalars(select(model).where(*where)).all()


def directive(reply, kind: str) -> dict | None:
    """The reply's directive of type `kind`, if any."""
    return next((d for d in reply.directives if d.get("type") == kind), None)


def dumps(reply) -> str:
    return json.dumps(reply.body)
