"""A loopback fake of the Alexa Settings API's time zone lookup.

    with FakeAlexa({"amzn1.ask.device.ABC": "America/Chicago"}) as alexa:
        # point the code under test at alexa.url (the envelope's context.System.apiEndpoint)
"""
import re

from devkit.fakes.twilio_api import LoopbackServer, QuietHandler

TIMEZONE_PATH = re.compile(r"^/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone$")


class AlexaHandler(QuietHandler):
    """Answers GET /v2/devices/{deviceId}/settings/System.timeZone like the Settings API."""

    def do_GET(self):
        """Check path and bearer token, then return the device's zone as a JSON string."""
        fake, match = self.server.fake, TIMEZONE_PATH.match(self.path)
        fake.record_request({"path": self.path, "authorization": self.headers.get("Authorization")})
        if not match:
            return self.reply(404, {"message": "Not found"})
        if not fake.authorized(self.headers.get("Authorization")):
            return self.reply(403, {"type": "FORBIDDEN", "message": "Access denied"})
        fake.pause(fake.delay)
        if fake.error_status:
            return self.reply(fake.error_status, {"message": "Scripted error"})
        zone = fake.timezones.get(match["device"])
        # The real API answers 204 No Content when the device has no zone to report.
        if zone is None:
            return self.reply(204)
        self.reply(200, zone)


class FakeAlexa(LoopbackServer):
    """Fake Settings API: zones per device id, optional exact token, delay and forced error."""

    handler = AlexaHandler

    def __init__(self, timezones: dict[str, str] | None = None, *, token: str | None = None,
                 delay: float = 0.0, error_status: int | None = None):
        super().__init__()
        self.timezones = dict(timezones or {})
        self.token = token
        self.delay = delay
        self.error_status = error_status
        self._requests: list[dict] = []

    def authorized(self, header: str | None) -> bool:
        """Accept any bearer token, or only `self.token` when one was given."""
        if not header or not header.startswith("Bearer ") or not header[7:].strip():
            return False
        return self.token is None or header[7:] == self.token

    def record_request(self, attempt: dict) -> None:
        """Remember every attempt."""
        with self.lock:
            self._requests.append(attempt)

    @property
    def requests(self) -> list[dict]:
        """Every attempt (a copy): {"path", "authorization"}."""
        with self.lock:
            return list(self._requests)
