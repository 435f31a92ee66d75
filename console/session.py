"""One console run: the app, the shared Echo, each player's phone, whose turn it is, and the clock.

Every command is answered by the real code paths: voice through POST /alexa (signed, verified), texts
through POST /sms/inbound (signed, validated), time through the scheduler's own plan-and-dispatch pass.
"""
import re
from dataclasses import dataclass

from console import clockwork, outbox
from console.build import API_TOKEN, NUMBER, PUBLIC_URL, World
from console.echo import Echo, Heard
from console.phone import Phone
from console.players import PLAYERS, Cast, UnknownPlayer
from console.resolver import Resolver
from core.errors import InvalidInput
from devkit.alexa import Device
from sms.security import signing_token

# Fixed ids, so a console database reopened later still knows this Echo and these voices.
USER_ID, DEVICE_ID = "amzn1.ask.account.CONSOLE-ECHO-OWNER", "amzn1.ask.device.CONSOLE-ECHO"
API_ENDPOINT = "https://api.amazonalexa.com"  # never called: the skill's Settings API is answered in-process
CODE = re.compile(r"\bcode\s+(?:is\s+)?((?:\d[\s,]*){4,10})", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """What one console line produced: who acted on which channel, and the lines to print."""

    who: str
    lines: list[str]


class Console:
    """Routes console commands to the Echo, the phones, the outbox and the clock."""

    def __init__(self, world: World):
        self.world, self.player, self.variables = world, PLAYERS["alex"], {}
        self.cast = Cast(world.runtime.sessions)
        self.client = world.app.test_client()
        self.tz = world.settings.default_timezone
        device = Device(world.settings.alexa_skill_id, USER_ID, DEVICE_ID, API_ENDPOINT, API_TOKEN)
        self.echo = Echo(self._post_alexa, Resolver(), world.signer, device, world.clock, self.tz)
        self.phone = Phone(self._post_sms, signing_token(world.settings), PUBLIC_URL, NUMBER)
        self.shown = outbox.delivered_ids(world.runtime.sessions)

    def say(self, utterance: str) -> Reply:
        """Speak to the Echo as the current partner."""
        heard = self.echo.say(self.player.person_id, utterance)
        lines = self._voice_lines(heard)
        self._remember_code(heard)
        return Reply(f"{self.player.name} (Echo)", lines + self._tick())

    def text(self, body: str) -> Reply:
        """Text the Trust Builder number from the current partner's phone."""
        replies, error = self.phone.text(self.player.phone, body)
        lines = [f"ERROR: {error}"] if error else [f"Trust Builder: {r}" for r in replies] or ["(no reply)"]
        return Reply(f"{self.player.name} (phone)", lines + self._tick())

    def switch(self, spec: str) -> Reply:
        """Play someone else: `name` (a partner the console knows) or `name phone` (a new player)."""
        try:
            self.player = self.cast.find(spec)
        except (UnknownPlayer, InvalidInput) as error:
            return Reply("console", [str(error)])
        voice = "" if self.player.person_id else " The Echo has no voice profile for them."
        return Reply("console", [f"You are now {self.player.name} (phone {self.player.phone}).{voice}"])

    def show_outbox(self, limit: int = 20) -> Reply:
        """The last texts the service queued or would have sent."""
        rows = outbox.recent(self.world.runtime.sessions, limit)
        lines = [outbox.line(row, self.tz) for row in rows] or ["(the outbox is empty)"]
        return Reply("console", lines)

    def advance(self, spec: str) -> Reply:
        """Move the clock forward, running the scheduler at every due time on the way."""
        target = clockwork.parse_target(spec, self.world.clock(), self.tz)
        if target is None:
            return Reply("console", [f"Can't read {spec!r}: try +3h, +30m, +1d, 18:30, 'tomorrow 19:00' "
                                     "or 'fri 18:45'."])
        stops = clockwork.advance(self.world, target)
        lines = [f"Clock: {clockwork.show(target, self.tz)} ({stops} scheduler passes)."]
        return Reply("console", lines + self._new_texts())

    def now_line(self) -> str:
        """The simulated local time, e.g. "Mon 09:00"."""
        return clockwork.show(self.world.clock(), self.tz)

    def _voice_lines(self, heard: Heard) -> list[str]:
        """Alexa's answer: what was sent, what she said, and whether she is still listening."""
        lines = [f"-> {heard.sent}"]
        if heard.error:
            return lines + [f"ERROR: {heard.error}"]
        lines.append(f"Alexa: {heard.speech or '(silence)'}")
        if heard.card:
            lines.append(f"[card] {heard.card}")
        lines.append("(session open: Alexa is listening)" if heard.open else "(session closed)")
        return lines

    def _remember_code(self, heard: Heard) -> None:
        """A link code Alexa spoke becomes $code, so a script can text LINK $code."""
        found = CODE.findall(heard.speech or "")
        if found:
            self.variables["code"] = re.sub(r"\D", "", found[-1])

    def _tick(self) -> list[str]:
        """The scheduler's pass at the current time (it runs every few seconds in production), then new texts."""
        clockwork.run_pass(self.world)
        return self._new_texts()

    def _new_texts(self) -> list[str]:
        """Texts handed to the outbox since last shown."""
        rows = outbox.delivered_since(self.world.runtime.sessions, self.shown)
        self.shown.update(row.id for row in rows)
        return [outbox.line(row, self.tz, new=True) for row in rows]

    def _post_alexa(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        """POST /alexa in-process, as Alexa would over HTTPS."""
        response = self.client.post("/alexa", data=body, headers=headers, base_url=PUBLIC_URL)
        return response.status_code, response.get_data()

    def _post_sms(self, form: dict, headers: dict) -> tuple[int, bytes]:
        """POST /sms/inbound in-process, form-encoded as Twilio sends it."""
        response = self.client.post("/sms/inbound", data=form, headers=headers, base_url=PUBLIC_URL)
        return response.status_code, response.get_data()
