"""Web companion fixtures: the real app over the test runtime, and a visitor that uses the pages as a browser
does (reads each form's CSRF token from the page it came from, keeps cookies, signs in with the code that
went to the outbox)."""
import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.db import transaction
from core.models import OutboundMessage, TextKind
from devkit.seeding import seed_couple
from tests.conftest import ALEX, SAM, make_settings

ADMIN_TOKEN = "admin-" + "0123456789abcdef" * 3
OTHER_A, OTHER_B = "+14155550110", "+14155550111"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, public_base_url="http://localhost", admin_token=ADMIN_TOKEN)


@pytest.fixture
def second_couple(runtime, clock, couple):
    """Another couple (Jo and Kim) in the same database."""
    with transaction(runtime.sessions) as s:
        jo, kim = seed_couple(s, clock(), "America/New_York", (OTHER_A, OTHER_B), ("Jo", "Kim"))
        return SimpleNamespace(jo=jo.id, kim=kim.id, couple=jo.couple_id)


def sent_code(runtime, phone: str) -> str | None:
    """The newest sign-in code texted to `phone` (from the outbox), or None."""
    with runtime.sessions() as s:
        body = s.scalar(select(OutboundMessage.body).where(
            OutboundMessage.kind == TextKind.SIGN_IN, OutboundMessage.to_phone_digest == phone_digest(phone))
            .order_by(OutboundMessage.id.desc()).limit(1))
    return re.search(r"\b\d{6}\b", body)[0] if body else None


def words(response) -> str:
    """A page's text as a person reads it (entities such as &#39; turned back into characters)."""
    return html.unescape(response.get_data(as_text=True))


class Visitor:
    """One browser: its own cookies; every form posted with the token of the page it was read from."""

    def __init__(self, app, runtime):
        self.client, self.runtime, self.last = app.test_client(), runtime, None

    def get(self, path: str, **kwargs):
        self.last = self.client.get(path, **kwargs)
        return self.last

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return words(response)

    def token(self, page_path: str) -> str:
        return TOKEN.search(self.text(page_path))[1]

    def post(self, path: str, data: dict | None = None, page: str | None = None, token: str | None = None):
        """POST `data` with the CSRF token read from `page` (default: the path itself)."""
        form = {"csrf_token": token if token is not None else self.token(page or path), **(data or {})}
        self.last = self.client.post(path, data=form)
        return self.last

    def ask_code(self, phone: str):
        return self.post("/login", {"phone": phone})

    def sign_in(self, phone: str):
        """The whole sign-in: number, code from the outbox, landing on /."""
        assert self.ask_code(phone).status_code == 303
        response = self.post("/login/code", {"code": sent_code(self.runtime, phone)})
        assert response.status_code == 303 and response.headers["Location"] == "/", response.data
        return response

    def cookie(self, name: str):
        return self.client.get_cookie(name, path="/login") or self.client.get_cookie(name)


@pytest.fixture
def visitor(app, runtime):
    return lambda: Visitor(app, runtime)


@pytest.fixture
def alex(visitor, couple):
    """Alex, signed in."""
    browser = visitor()
    browser.sign_in(ALEX)
    return browser


@pytest.fixture
def sam(visitor, couple):
    """Sam, signed in (another browser)."""
    browser = visitor()
    browser.sign_in(SAM)
    return browser
