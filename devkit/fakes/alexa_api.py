"""A loopback fake of the Alexa APIs Trust Builder calls: the Settings API's time zone, the Reminders API,
the Person Profile API, Proactive Events and Skill Messaging. Each API can be scripted to answer with a
status (201, 401, 403, 500...) or to time out, one call at a time; the fake keeps the reminders it holds.

    with FakeAlexa({"amzn1.ask.device.ABC": "America/Chicago"}) as alexa:
        alexa.script("reminders", 403)            # the next Reminders API call is refused
        # point the code under test at alexa.url (the envelope's apiEndpoint, or ALEXA_API_URL)
"""
import itertools
import json
import re

from devkit.fakes.twilio_api import LoopbackServer, QuietHandler

TIMEZONE_PATH = re.compile(r"^/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone$")
REMINDER_PATH = re.compile(r"^/v1/alerts/reminders(?:/(?P<token>[^/]+))?$")
PROFILE_PATH = re.compile(r"^/v2/persons/~current/profile/(?P<field>givenName|mobileNumber)$")
EVENTS_PATH = re.compile(r"^/v1/proactiveEvents(?P<stage>/stages/development)?$")
MESSAGE_PATH = re.compile(r"^/v1/skillmessages/users/(?P<user>[^/]+)$")
TIMEOUT = "timeout"  # scripted: answer only after every client of ours has given up
SLOW_SECONDS = 3.0


class AlexaHandler(QuietHandler):
    """Routes each request to the API it belongs to; records every attempt."""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method: str) -> None:
        """Find the API, check the bearer token, play its script, then answer like Amazon."""
        fake, body = self.server.fake, self._body()
        api, match = fake.api_of(self.path)
        fake.record_request({"api": api, "method": method, "path": self.path, "body": body,
                             "authorization": self.headers.get("Authorization")})
        if api is None:
            return self.reply(404, {"message": "Not found"})
        if not fake.authorized(api, self.headers.get("Authorization")):
            return self.reply(401 if api in ("events", "messages") else 403, {"message": "Access denied"})
        scripted = fake.next_answer(api)
        if scripted == TIMEOUT:
            fake.pause(SLOW_SECONDS)
        fake.pause(fake.delay)
        if isinstance(scripted, int) and scripted >= 300:
            return self.reply(scripted, {"code": "SCRIPTED", "message": "Scripted error"})
        status, payload = getattr(fake, f"answer_{api}")(method, match, body)
        self.reply(scripted if isinstance(scripted, int) and status < 300 else status, payload)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", "replace")


class FakeAlexa(LoopbackServer):
    """Fake Alexa APIs: zones per device id, reminders held, a speaker profile, events and messages received."""

    handler = AlexaHandler

    def __init__(self, timezones: dict[str, str] | None = None, *, token: str | None = None,
                 delay: float = 0.0, error_status: int | None = None, profile: dict | None = None):
        super().__init__()
        self.timezones = dict(timezones or {})
        self.token = token
        self.delay = delay
        self.error_status = error_status  # every time zone lookup fails with it
        self.profile = dict(profile or {})  # {"givenName": "Alex", "mobileNumber": {"countryCode", "phoneNumber"}}
        self.reminders: dict[str, dict] = {}
        self.events: list[dict] = []
        self.messages: list[dict] = []
        self._scripts: dict[str, list] = {}
        self._ids = itertools.count(1)
        self._requests: list[dict] = []

    def script(self, api: str, *answers) -> None:
        """The next calls to `api` (timezone, reminders, profile, events, messages) answer with these statuses
        (an error status, or TIMEOUT) in turn; a success status (201, 202) replaces the usual one."""
        with self.lock:
            self._scripts.setdefault(api, []).extend(answers)

    def next_answer(self, api: str):
        with self.lock:
            queue = self._scripts.get(api) or []
            return queue.pop(0) if queue else None

    @staticmethod
    def api_of(path: str):
        for api, pattern in (("timezone", TIMEZONE_PATH), ("reminders", REMINDER_PATH), ("profile", PROFILE_PATH),
                             ("events", EVENTS_PATH), ("messages", MESSAGE_PATH)):
            match = pattern.match(path.split("?")[0])
            if match:
                return api, match
        return None, None

    def authorized(self, api: str, header: str | None) -> bool:
        """Any bearer token, or only `self.token` when given; events and messages need a token from
        Login with Amazon (FakeLwa issues "Atc|..." tokens)."""
        if not header or not header.startswith("Bearer ") or not header[7:].strip():
            return False
        if api in ("events", "messages"):
            return header[7:].startswith("Atc|")
        return self.token is None or header[7:] == self.token

    def answer_timezone(self, method, match, body):
        if self.error_status:
            return self.error_status, {"message": "Scripted error"}
        zone = self.timezones.get(match["device"])
        return (200, zone) if zone is not None else (204, None)  # 204: the device has no zone to report

    def answer_reminders(self, method, match, body):
        token = match["token"]
        with self.lock:
            if method == "POST" and token is None:
                alert = f"amzn1.alert.fake-{next(self._ids)}"
                self.reminders[alert] = body
                return 201, {"alertToken": alert, "status": "ON", "version": "1"}
            if token not in self.reminders:
                return 404, {"code": "NOT_FOUND", "message": "No such reminder"}
            if method == "PUT":
                self.reminders[token] = body
                return 200, {"alertToken": token, "status": "ON"}
            if method == "DELETE":
                del self.reminders[token]
                return 200, None
            return 200, {"alertToken": token, **(self.reminders[token] or {})}

    def answer_profile(self, method, match, body):
        value = self.profile.get(match["field"])
        return (200, value) if value is not None else (204, None)

    def answer_events(self, method, match, body):
        with self.lock:
            self.events.append({"stage": "development" if match["stage"] else "live", "body": body})
        return 202, None

    def answer_messages(self, method, match, body):
        with self.lock:
            self.messages.append({"user": match["user"], "body": body})
        return 202, None

    def record_request(self, attempt: dict) -> None:
        with self.lock:
            self._requests.append(attempt)

    @property
    def requests(self) -> list[dict]:
        """Every attempt (a copy): {"api", "method", "path", "body", "authorization"}."""
        with self.lock:
            return list(self._requests)
