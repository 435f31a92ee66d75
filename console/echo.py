"""The simulated Echo: a typed utterance becomes the signed request Alexa would post to /alexa, and the
skill's answer becomes plain text. It keeps the session (id, attributes) and any dialog step between turns,
so the promise dialog's "At what time?" is answered by the next utterance."""
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from console.resolver import Resolution, Resolver
from devkit import alexa as envelopes
from devkit.alexa import AlexaSession, Device
from devkit.certs import AlexaSigner

#: Said in the middle of a dialog, these leave it instead of answering it.
ESCAPES = {"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.HelpIntent"}


@dataclass(frozen=True)
class Heard:
    """What the Echo said back, and what it sent (`sent`) to get it."""

    sent: str
    speech: str = ""
    reprompt: str | None = None
    open: bool = False
    card: str | None = None
    error: str | None = None


@dataclass
class Pending:
    """A dialog step in progress (the skill's Dialog.ElicitSlot), for an intent with its slots."""

    intent: str
    slots: dict[str, str] = field(default_factory=dict)
    slot: str | None = None


class Echo:
    """One shared Echo: one Alexa account, several voices (person ids)."""

    def __init__(self, post: Callable[[bytes, dict], tuple[int, bytes]], resolver: Resolver, signer: AlexaSigner,
                 device: Device, clock: Callable[[], datetime], tz: str):
        self.post, self.resolver, self.signer, self.device = post, resolver, signer, device
        self.clock, self.tz = clock, tz
        self.session: AlexaSession | None = None
        self.pending: Pending | None = None
        self.last: tuple[str, dict[str, str], str | None] = ("", {}, None)  # intent, slots, dialogState sent

    def say(self, person_id: str | None, utterance: str) -> Heard:
        """Resolve `utterance`, send it in the current session (or a new one), and return the answer."""
        resolution = self.resolver.resolve(utterance, self.clock(), self.tz)
        if resolution.invoked or self.session is None:
            self.session, self.pending = AlexaSession(), None
        if resolution.request_type == "LaunchRequest":
            return self.send(person_id, envelopes.launch_request(self.clock()), "LaunchRequest")
        return self.send_intent(person_id, *self._next_intent(utterance, resolution))

    def _next_intent(self, utterance: str, resolution: Resolution) -> tuple[str, dict, str]:
        """(intent, slots, dialogState): what was said, or the dialog in progress, answered."""
        pending, self.pending = self.pending, None
        if pending is None or resolution.intent in ESCAPES:
            return resolution.intent, resolution.slots, "STARTED"
        if resolution.intent == pending.intent:
            return pending.intent, {**pending.slots, **resolution.slots}, "IN_PROGRESS"
        value = pending.slot and self.resolver.slot_value(pending.intent, pending.slot, utterance, self.clock(), self.tz)
        if value:
            return pending.intent, {**pending.slots, pending.slot: value}, "IN_PROGRESS"
        return resolution.intent, resolution.slots, "STARTED"

    def send_intent(self, person_id: str | None, intent: str, values: dict[str, str], state: str) -> Heard:
        """Post an IntentRequest with every slot of the intent (filled or not)."""
        state = state if intent in self.resolver.dialog else None
        self.last = (intent, dict(values), state)
        request = envelopes.intent_request(intent, self.clock(), self._slots(intent, values), state)
        shown = " ".join(f"{name}={value!r}" for name, value in values.items())
        return self.send(person_id, request, f"IntentRequest {intent} {shown}".rstrip())

    def _slots(self, intent: str, values: dict[str, str]) -> dict[str, dict]:
        """Slot objects for the envelope; values of custom types carry Alexa's entity resolution."""
        objects = {}
        for name, slot_type in self.resolver.intents.get(intent, {}).items():
            value, resolution = values.get(name), None
            if value is not None and slot_type in self.resolver.types:
                resolution = envelopes.custom_resolution(self.device.skill_id, slot_type, value,
                                                         self.resolver.types[slot_type].get("values", []))
            objects[name] = envelopes.slot(name, value, resolution)
        return objects

    def send(self, person_id: str | None, request: dict, sent: str) -> Heard:
        """Sign and post one envelope; a refused request ends the session."""
        body = json.dumps(envelopes.envelope(request, self.device, person_id, self.session)).encode()
        status, answer = self.post(body, self.signer.headers(body))
        self.session.new = False
        try:
            payload = json.loads(answer) if status == 200 else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self.session, self.pending = None, None
            return Heard(sent, error=f"HTTP {status}: {answer.decode('utf-8', 'replace')[:300]}")
        return self._hear(person_id, payload, sent)

    def _hear(self, person_id: str | None, payload: dict, sent: str) -> Heard:
        """Read the skill's response: speech, whether the session stays open, and any dialog directive."""
        answer = payload.get("response") or {}
        self.session.attributes = payload.get("sessionAttributes") or {}
        directive = next((d for d in answer.get("directives") or [] if d.get("type", "").startswith("Dialog.")), None)
        heard = Heard(sent, plain(answer.get("outputSpeech")), plain((answer.get("reprompt") or {}).get("outputSpeech")),
                      bool(directive) or answer.get("shouldEndSession") is False, card_text(answer.get("card")))
        if directive:
            return self._follow(directive, heard)
        if not heard.open:
            self.session, self.pending = None, None
        return heard

    def _follow(self, directive: dict, heard: Heard) -> Heard:
        """Remember the dialog step the skill asked for (it only ever elicits a slot)."""
        intent = directive.get("updatedIntent") or {}
        name = intent.get("name") or self.last[0]
        slots = intent.get("slots")
        filled = {n: s["value"] for n, s in slots.items() if s.get("value")} if slots else self.last[1]
        self.pending = Pending(name, filled, directive.get("slotToElicit"))
        return heard


def plain(speech: dict | None) -> str:
    """The words of an outputSpeech: SSML tags stripped and entities decoded."""
    if not speech:
        return ""
    text = speech.get("text") if speech.get("type") == "PlainText" else speech.get("ssml", "")
    text = re.sub(r"<break[^>]*>", " ", text or "")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def card_text(card: dict | None) -> str | None:
    """A card as one line ("Title: content"), or None."""
    if not card:
        return None
    words = card.get("content") or card.get("text") or ""
    return ": ".join(filter(None, [card.get("title"), " ".join(words.split())])) or card.get("type")
