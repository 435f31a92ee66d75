"""SMS test helpers: settings with a Twilio token, requests signed exactly as Twilio signs them, people who
text the app, TwiML parsing, and a dispatcher to see what would reach phones."""
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from core.services.dispatch import Dispatcher
from devkit import twilio
from devkit.twilio import new_sid  # noqa: F401  (the tests' MessageSids)
from tests.conftest import make_settings

TOKEN = "test-token"
BASE_URL = "https://tb.example.com"
OUR_NUMBER = "+14155550199"
ACCOUNT_SID = "AC" + "0" * 32
ALEX, SAM, STRANGER = "+14155550100", "+14155550101", "+12025550123"


def signed_post(client, path: str, form: dict, token: str = TOKEN, base_url: str = BASE_URL, headers=None):
    """POST `form` to `path` with the X-Twilio-Signature Twilio computes over the public URL and the form."""
    return client.post(path, data=form, headers={**twilio.signed_headers(token, base_url + path, form), **(headers or {})})


def inbound_form(phone: str, body: str, sid: str | None = None) -> dict:
    """The fields Twilio posts for an inbound SMS from `phone` to our test number."""
    return twilio.inbound_form(phone, OUR_NUMBER, body, sid, ACCOUNT_SID)


def twiml_message(response) -> str | None:
    """The reply text in a TwiML response (None for an empty <Response/>); fails on anything else."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1 and len(root) == len(messages)
    return messages[0].text if messages else None


@pytest.fixture
def settings(tmp_path, database_url):
    """The usual test settings on SQLite (and PostgreSQL when configured), with a Twilio token for signatures."""
    return make_settings(tmp_path, database_url, twilio_auth_token=TOKEN, public_base_url=BASE_URL)


@pytest.fixture
def text(client):
    """`text(phone, body, sid=None)` -> the reply text (None when the app answered with no message)."""
    def send(phone: str, body: str, sid: str | None = None) -> str | None:
        return twiml_message(signed_post(client, "/sms/inbound", inbound_form(phone, body, sid)))
    return send


@pytest.fixture
def couple(text):
    """Alex joined and invited Sam, and Sam said YES."""
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    text(SAM, "YES")


@pytest.fixture
def dispatcher(runtime, gateway, clock):
    """The real dispatcher over the recording gateway, one send at a time."""
    d = Dispatcher(runtime.sessions, gateway, clock, concurrency=1)
    yield d
    d.close()


@pytest.fixture
def db(look):
    """tests/conftest.py's `look`: a plain session for reading what the app stored."""
    return look


def count(session, model, *where) -> int:
    """Rows of `model` matching `where`, read fresh."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))

