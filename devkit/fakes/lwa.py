"""A loopback fake of Login with Amazon's token endpoint (POST /auth/o2/token, client credentials grant),
which gives the scheduler its tokens for Proactive Events and Skill Messaging.

    with FakeLwa("amzn1.application-oa2-client.x", "secret") as lwa:
        # ALEXA_LWA_URL=lwa.url; lwa.script(401) makes the next request fail
"""
import itertools
from urllib.parse import parse_qs

from devkit.fakes.twilio_api import LoopbackServer, QuietHandler

SCOPES = {"alexa::proactive_events", "alexa:skill_messaging"}


class LwaHandler(QuietHandler):
    def do_POST(self):
        """Check the form like Amazon does, then issue a bearer token for the scope."""
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        fake.record(form)
        if self.path != "/auth/o2/token":
            return self.reply(404, {"error": "not_found"})
        scripted = fake.next_answer()
        if scripted:
            return self.reply(scripted, {"error": "scripted", "error_description": "Scripted error"})
        if form.get("grant_type") != "client_credentials" or form.get("scope") not in SCOPES:
            return self.reply(400, {"error": "invalid_request"})
        if (form.get("client_id"), form.get("client_secret")) != (fake.client_id, fake.client_secret):
            return self.reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        self.reply(200, {"access_token": f"Atc|{form['scope']}|{next(fake.ids)}", "expires_in": fake.lifetime,
                         "scope": form["scope"], "token_type": "bearer"})


class FakeLwa(LoopbackServer):
    """Fake token endpoint for one client id and secret; records every request's form."""

    handler = LwaHandler

    def __init__(self, client_id: str, client_secret: str, lifetime: int = 3600):
        super().__init__()
        self.client_id, self.client_secret, self.lifetime = client_id, client_secret, lifetime
        self.ids = itertools.count(1)
        self.forms: list[dict] = []
        self._script: list[int] = []

    def script(self, *statuses: int) -> None:
        with self.lock:
            self._script.extend(statuses)

    def next_answer(self) -> int | None:
        with self.lock:
            return self._script.pop(0) if self._script else None

    def record(self, form: dict) -> None:
        with self.lock:
            self.forms.append(form)
