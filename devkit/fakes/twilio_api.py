"""A loopback fake of Twilio's Messages API, for driving the real twilio client in tests.

    with FakeTwilio() as twilio:
        twilio.script(("error", 429, 20429))          # the next request gets a 429, later ones succeed
        gateway = TwilioGateway(twilio.account_sid, twilio.auth_token, from_number="+15550001111",
                                api_url=twilio.url)
"""
import base64
import json
import re
import threading
import uuid
from collections import deque
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


class QuietHandler(BaseHTTPRequestHandler):
    """Request handler that keeps test output clean and survives clients that hang up."""

    def log_message(self, format, *args):
        """Stay silent: pytest output is for test failures."""

    def reply(self, status: int, payload=None) -> None:
        """Write `payload` as JSON (no body when None); a client that timed out is not an error."""
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) in a daemon thread, as a context manager."""

    handler: type[QuietHandler]

    def __init__(self):
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    def __enter__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.server.fake = self
        # A short poll interval keeps shutdown (and so each test's teardown) fast.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.closing.set()  # wakes handlers still sleeping on a scripted delay
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. "http://127.0.0.1:54321"."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def pause(self, seconds: float) -> None:
        """Sleep like a slow server, but stop early when the fake shuts down."""
        self.closing.wait(seconds)


class TwilioHandler(QuietHandler):
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json the way Twilio does."""

    def do_POST(self):
        """Check path and credentials, record the attempt, then play the next scripted response."""
        fake, match = self.server.fake, MESSAGES_PATH.match(self.path)
        if not match:
            return self.reply(404, twilio_error(404, 20404, "The requested resource was not found"))
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        authorized = fake.authorized(match["sid"], self.headers.get("Authorization"))
        action = fake.next_action() if authorized else ("unauthorized",)
        fake.record_request({"path": self.path, "form": form, "action": action})
        if not authorized:
            return self.reply(401, twilio_error(401, 20003, "Authenticate"))
        self.play(action, form)

    def play(self, action: tuple, form: dict) -> None:
        """Answer with a scripted error, or accept the message (after a delay if scripted)."""
        if action[0] == "error":
            _, status, code = action
            return self.reply(status, twilio_error(status, code, f"Scripted error {code}"))
        if action[0] == "delay":
            self.server.fake.pause(action[1])
        problem = missing_field(form)
        if problem:
            return self.reply(400, twilio_error(400, *problem))
        self.reply(201, self.server.fake.accept(form))


def twilio_error(status: int, code: int | None, message: str) -> dict:
    """Twilio's legacy error body."""
    more_info = f"https://www.twilio.com/docs/errors/{code}" if code else None
    return {"code": code, "message": message, "more_info": more_info, "status": status}


def missing_field(form: dict) -> tuple[int, str] | None:
    """Return Twilio's (code, message) for a missing required parameter, or None."""
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("Body"):
        return 21602, "Message body is required."
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return 21603, "A 'From' phone number is required."
    return None


class FakeTwilio(LoopbackServer):
    """Fake Messages API: `.script(...)` queues answers, `.sent` and `.requests` record traffic."""

    handler = TwilioHandler
    account_sid = "AC" + "0" * 31 + "1"
    auth_token = "fake-auth-token"

    def __init__(self):
        super().__init__()
        self.queue: deque[tuple] = deque()
        self._sent: list[dict] = []
        self._requests: list[dict] = []

    def script(self, *responses: tuple) -> None:
        """Queue answers for the next requests: ("ok",), ("error", status, code), ("delay", s)."""
        with self.lock:
            self.queue.extend(responses)

    def next_action(self) -> tuple:
        """Pop the next scripted answer; an empty script means success."""
        with self.lock:
            return self.queue.popleft() if self.queue else ("ok",)

    def authorized(self, path_sid: str, header: str | None) -> bool:
        """Check HTTP basic auth against the test credentials and the SID in the path."""
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return path_sid == self.account_sid and header == f"Basic {token}"

    def record_request(self, attempt: dict) -> None:
        """Remember every attempt, accepted or not."""
        with self.lock:
            self._requests.append(attempt)

    def accept(self, form: dict) -> dict:
        """Store an accepted message and return Twilio's 201 body for it."""
        sid = "SM" + uuid.uuid4().hex
        message = {
            "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
            "to": form["To"], "from": form.get("From"), "body": form["Body"],
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "status_callback": form.get("StatusCallback"), "status": "queued",
            "direction": "outbound-api", "num_segments": "1", "num_media": "0",
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "date_created": formatdate(usegmt=True), "date_updated": formatdate(usegmt=True),
            "date_sent": None, "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        with self.lock:
            self._sent.append(message)
        return message

    @property
    def sent(self) -> list[dict]:
        """Messages accepted so far (a copy), including ones whose client had already timed out."""
        with self.lock:
            return list(self._sent)

    @property
    def requests(self) -> list[dict]:
        """Every attempt (a copy): {"path", "form", "action"}."""
        with self.lock:
            return list(self._requests)
