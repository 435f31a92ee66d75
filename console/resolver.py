"""Utterance -> intent and slots, from OUR interaction model (skill/skill-package/.../en-US.json).

Each sample utterance is compiled into a regex whose `{slot}`s are capture groups shaped by the slot's
type; of all samples that match, the most specific wins (fewest characters caught by phrase-like slots,
then most literal words). Nothing matches -> AMAZON.FallbackIntent, as Alexa does.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from console import slots

MODEL = Path(__file__).resolve().parent.parent / "skill" / "skill-package" / "interactionModels" / "custom" / "en-US.json"
FALLBACK = "AMAZON.FallbackIntent"
#: Amazon's built-in intents carry no samples in our model; these are the phrasings Alexa maps to them.
BUILTIN_SAMPLES = {
    "AMAZON.HelpIntent": ["help", "help me", "what can I do", "what can you do", "how does this work"],
    "AMAZON.StopIntent": ["stop", "quit", "exit", "goodbye", "bye", "shut up", "be quiet", "off"],
    "AMAZON.CancelIntent": ["cancel", "never mind", "nevermind", "forget it", "cancel that"],
    "AMAZON.YesIntent": ["yes", "yeah", "yep", "sure", "ok", "okay", "yes please", "sure thing"],
    "AMAZON.NoIntent": ["no", "nope", "no thanks", "not now", "no thank you"],
    "AMAZON.NavigateHomeIntent": ["go home", "go to the home screen"],
}
_WAKE = r"(?:alexa[\s,]+)?"
_LAUNCH = rf"{_WAKE}(?:open|launch|start|begin|load|run|use|ask|tell)\s+{{name}}"
_ONE_SHOT = rf"{_WAKE}(?:ask|tell|open|launch|start|use)\s+{{name}}\s+(?P<inner>.+)"
_CONNECTOR = re.compile(r"^(?:and|to|for|about|that|if|whether)\s+", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:at|by|on|around|to)\s+", re.IGNORECASE)  # "at six", "to call Sam" answer a prompt


@dataclass(frozen=True)
class Resolution:
    """What Alexa would send: a LaunchRequest, or an intent with its filled slots (Alexa's normal forms)."""

    request_type: str  # LaunchRequest | IntentRequest
    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    invoked: bool = False  # the utterance named the skill ("open/ask trust builder ..."): a new session


@dataclass(frozen=True)
class Sample:
    """One compiled sample utterance."""

    intent: str
    text: str
    regex: re.Pattern
    slot_types: dict[str, str]
    literal: int


class Resolver:
    """Resolves typed utterances the way the Alexa service resolves spoken ones, for our model."""

    def __init__(self, model_path: Path = MODEL):
        model = json.loads(Path(model_path).read_text(encoding="utf-8"))["interactionModel"]
        language = model["languageModel"]
        self.intents = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in language["intents"]}
        self.types = {t["name"]: t for t in language.get("types", [])}
        self.dialog = {i["name"]: i.get("slots", []) for i in model.get("dialog", {}).get("intents", [])}
        self.prompts = {p["id"]: p["variations"][0]["value"] for p in model.get("prompts", [])}
        self.samples = self._compile(language["intents"])
        name = r"\s+".join(map(re.escape, language["invocationName"].split()))
        self._launch = re.compile(_LAUNCH.replace("{name}", name), re.IGNORECASE)
        self._one_shot = re.compile(_ONE_SHOT.replace("{name}", name), re.IGNORECASE)

    def _compile(self, intents: list[dict]) -> list[Sample]:
        """Every sample of the model, and Amazon's phrasings for the built-in intents the model lists."""
        ours = [compile_sample(i["name"], text, self.intents[i["name"]]) for i in intents for text in i.get("samples", [])]
        return ours + [compile_sample(name, text, {}) for name, texts in BUILTIN_SAMPLES.items()
                       if name in self.intents for text in texts]

    def resolve(self, utterance: str, now: datetime, tz: str) -> Resolution:
        """The request Alexa would send for `utterance` said at `now` on a device in `tz`."""
        text = clean(utterance)
        if self._launch.fullmatch(text):
            return Resolution("LaunchRequest", invoked=True)
        one_shot = self._one_shot.fullmatch(text)
        if one_shot:
            inner = one_shot["inner"]
            found = self.match(inner, now, tz) or self.match(_CONNECTOR.sub("", inner), now, tz)
            return _invoked(found or Resolution("IntentRequest", FALLBACK))
        text = re.sub(rf"^{_WAKE}", "", text, flags=re.IGNORECASE)
        return self.match(text, now, tz) or Resolution("IntentRequest", FALLBACK)

    def match(self, text: str, now: datetime, tz: str) -> Resolution | None:
        """The most specific sample matching all of `text`, with normalised slots; None if none does."""
        best, best_score = None, None
        for sample in self.samples:
            found = sample.regex.fullmatch(text)
            resolution = self._fill(sample, found, now, tz) if found else None
            if resolution and (best_score is None or _score(sample, found) < best_score):
                best, best_score = resolution, _score(sample, found)
        return best

    def slot_value(self, intent: str, slot: str, text: str, now: datetime, tz: str) -> str | None:
        """`text` said alone as the value of `slot` (an answer to "At what time?"), or None."""
        slot_type = self.slot_type(intent, slot)
        if slot_type is None:
            return None
        text = clean(text) if slot_type == "AMAZON.SearchQuery" else _LEAD_IN.sub("", clean(text))
        if not re.fullmatch(slots.pattern_for(slot_type), text, re.IGNORECASE):
            return None
        return slots.normalize(slot_type, text, now, tz)

    def slot_type(self, intent: str, slot: str) -> str | None:
        """The type of `intent`'s slot, from the model."""
        return self.intents.get(intent, {}).get(slot)

    def next_prompt(self, intent: str, filled: dict[str, str]) -> tuple[str, str] | None:
        """Under Dialog.Delegate: the first required slot still empty and Alexa's prompt for it."""
        for entry in self.dialog.get(intent, []):
            if entry.get("elicitationRequired") and not filled.get(entry["name"]):
                return entry["name"], self.prompts.get(entry["prompts"].get("elicitation"), "Go on?")
        return None

    def _fill(self, sample: Sample, found: re.Match, now: datetime, tz: str) -> Resolution | None:
        """Normalise every captured slot; None when one is not a value of its type."""
        values = {}
        for name, slot_type in sample.slot_types.items():
            values[name] = slots.normalize(slot_type, found.group(name), now, tz)
            if values[name] is None:
                return None
        return Resolution("IntentRequest", sample.intent, values)


def compile_sample(intent: str, text: str, slot_types: dict[str, str]) -> Sample:
    """A sample as a case-insensitive regex; apostrophes optional, spacing loose, slots typed."""
    parts, used, literal = [], {}, 0
    for token in text.split():
        slot = re.fullmatch(r"\{(\w+)\}", token)
        if slot:
            used[slot[1]] = slot_types[slot[1]]
            parts.append(f"(?P<{slot[1]}>{slots.pattern_for(slot_types[slot[1]])})")
        else:
            literal += len(token)
            parts.append(re.escape(token.lower()).replace("'", "'?"))
    return Sample(intent, text, re.compile(r"\s+".join(parts), re.IGNORECASE), used, literal)


def clean(utterance: str) -> str:
    """Typed text as Alexa would hear it: no punctuation but clock colons and apostrophes, single spaces."""
    text = utterance.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^\w\s':.]", " ", text)
    text = re.sub(r"(?<![ap])\.|\.(?!m\b)|(?<!\d):|:(?!\d)", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _score(sample: Sample, found: re.Match) -> tuple[int, int]:
    """Lower is better: fewer characters caught by phrase-like slots, then more literal text."""
    wild = sum(len(found.group(name)) for name, kind in sample.slot_types.items() if slots.is_free(kind))
    return wild, -sample.literal


def _invoked(resolution: Resolution) -> Resolution:
    """The same request, marked as said with the invocation name."""
    return Resolution(resolution.request_type, resolution.intent, resolution.slots, True)
