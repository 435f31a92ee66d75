"""Utterance -> intent and slots, from OUR interaction model (skill/skill-package/.../<locale>.json).

It behaves like Alexa's matching as far as a console can, and no further:
1. Exact: a sample utterance matches all of what was said, each `{slot}` covering a span that is a value of
   the slot's type (AMAZON.TIME, DATE, NUMBER, PhoneNumber, FirstName; free text for AMAZON.SearchQuery and
   custom types, which Alexa also fills with values outside the list). Contractions count as their long
   forms ("what is" = "what's"), apostrophes and punctuation as typed don't matter.
2. Near: otherwise the sample that needs the fewest word edits, within a small budget that grows with the
   sample's length (a dropped "the", a "please" added, "promise" for "promises"), plus at most two words
   said before or after the whole sample ("can I ...", "... right now"). Short samples allow only a light
   word; the carrier words of a sample with a free-text or name slot must all be said as written (Alexa's
   SearchQuery rule), only light words may be added between them.
   Slots still have to be values of their types.
3. Otherwise AMAZON.FallbackIntent, as Alexa does for out-of-domain requests.
Of several candidates the cheapest wins, then the one whose custom-type slots hold listed values, then the one
whose phrase-like slots caught the fewest characters, then the one with the most literal words. Amazon's own phrasings of the built-in intents are added to the
samples the model gives them, as Alexa does.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from console import slots

MODELS = Path(__file__).resolve().parent.parent / "skill" / "skill-package" / "interactionModels" / "custom"
MODEL = MODELS / "en-US.json"
FALLBACK = "AMAZON.FallbackIntent"
#: Phrasings Alexa itself maps to the built-in intents (the model may add more of its own).
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

#: Long forms -> the contraction both sides are compared in ("what is" and "what's" are one word here).
CONTRACTIONS = {
    ("what", "is"): "what's", ("how", "is"): "how's", ("that", "is"): "that's", ("it", "is"): "it's",
    ("there", "is"): "there's", ("i", "am"): "i'm", ("i", "will"): "i'll", ("i", "would"): "i'd",
    ("i", "have"): "i've", ("we", "are"): "we're", ("you", "are"): "you're", ("they", "are"): "they're",
    ("let", "us"): "let's", ("do", "not"): "don't", ("did", "not"): "didn't", ("does", "not"): "doesn't",
    ("can", "not"): "can't", ("is", "not"): "isn't", ("was", "not"): "wasn't", ("could", "not"): "couldn't",
    ("have", "not"): "haven't", ("would", "not"): "wouldn't", ("will", "not"): "won't",
    ("who", "is"): "who's", ("name", "is"): "name's", ("one", "is"): "one's", ("someone", "is"): "someone's",
    ("i", "would"): "i'd",
}
#: Everyday paraphrases compared as one phrase (Alexa's matching is not thrown by them).
PARAPHRASES = {("id", "like"): ("i", "want"), ("i", "would", "like"): ("i", "want")}
#: Words whose omission or addition Alexa barely notices: they cost half an edit.
LIGHT = set("""a an the my our me to of for please thanks just now so well um uh okay ok hey oh alexa actually
really can you could would will is are it that this some any as in on with then""".split())
#: Words said before or after a whole sample ("can I ...", "... right now"): Alexa's statistical matching
#: tolerates a couple; each costs a quarter edit, at most this many (one for a one-word sample).
EDGE_WORDS = 2
EDGE_COST = 0.25
#: Largest edit cost accepted for a near match, by the number of literal words in the sample.
def budget(literal_words: int) -> float:
    """Short samples must match (a light word at most); longer ones tolerate one or two edits."""
    if literal_words <= 2:
        return 0.5
    if literal_words <= 5:
        return 1.0
    return 1.5


@dataclass(frozen=True)
class Resolution:
    """What Alexa would send: a LaunchRequest, or an intent with its filled slots (Alexa's normal forms)."""

    request_type: str  # LaunchRequest | IntentRequest
    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    invoked: bool = False  # the utterance named the skill ("open/ask trust builder ..."): a new session
    near: bool = False  # matched a sample only approximately


@dataclass(frozen=True)
class Sample:
    """One sample utterance, as words to compare: a str is a literal word, a tuple ("slot", name) a slot."""

    intent: str
    text: str
    tokens: tuple
    slot_types: dict[str, str]
    literal: int
    words: frozenset
    free: bool  # has a phrase-like slot (SearchQuery, custom type): its carrier words must be said as written


class Resolver:
    """Resolves typed utterances the way the Alexa service resolves spoken ones, for our model."""

    def __init__(self, model_path: Path = MODEL):
        model = json.loads(Path(model_path).read_text(encoding="utf-8"))["interactionModel"]
        language = model["languageModel"]
        self.intents = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in language["intents"]}
        self.types = {t["name"]: t for t in language.get("types", [])}
        #: custom type -> its values and synonyms, lowercased: Alexa prefers a span that is a listed value.
        self.type_values = {name: {w.lower() for v in t.get("values", [])
                                   for w in [v["name"]["value"], *v["name"].get("synonyms", [])]}
                            for name, t in self.types.items()}
        self.dialog = {i["name"]: i.get("slots", []) for i in model.get("dialog", {}).get("intents", [])}
        self.prompts = {p["id"]: p["variations"][0]["value"] for p in model.get("prompts", [])}
        self.samples = self._compile(language["intents"])
        #: (intent, slot) -> the samples Alexa accepts when that slot is being elicited.
        self.slot_samples = {
            (i["name"], s["name"]): [compile_sample(i["name"], text, self.intents[i["name"]])
                                     for text in s.get("samples", [])]
            for i in language["intents"] for s in i.get("slots", []) if s.get("samples")}
        name = r"\s+".join(map(re.escape, language["invocationName"].split()))
        self._launch = re.compile(_LAUNCH.replace("{name}", name), re.IGNORECASE)
        self._one_shot = re.compile(_ONE_SHOT.replace("{name}", name), re.IGNORECASE)

    @classmethod
    def for_locale(cls, locale: str) -> "Resolver":
        """The resolver of one locale's model."""
        return cls(MODELS / f"{locale}.json")

    def _compile(self, intents: list[dict]) -> list[Sample]:
        """Every sample of the model, and Amazon's phrasings for the built-in intents the model lists."""
        ours = [compile_sample(i["name"], text, self.intents[i["name"]]) for i in intents for text in i.get("samples", [])]
        known = {(s.intent, s.tokens) for s in ours}
        builtin = [compile_sample(name, text, {}) for name, texts in BUILTIN_SAMPLES.items()
                   if name in self.intents for text in texts]
        return ours + [s for s in builtin if (s.intent, s.tokens) not in known]

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

    def match(self, text: str, now: datetime, tz: str, samples: list[Sample] | None = None) -> Resolution | None:
        """The best sample for all of `text`, exact before near, with normalised slots; None if none is close."""
        pairs = _words(clean(text))
        if not pairs:
            return None
        words, said = [k for k, _ in pairs], [o for _, o in pairs]
        present = set(words)
        best, best_key = None, None
        for sample in self.samples if samples is None else samples:
            allowed = budget(sample.literal)
            if _lower_bound(sample, present) > allowed:
                continue
            found = align(sample, words, said, now, tz, allowed)
            if found is None:
                continue
            cost, values, wild = found
            unlisted = sum(1 for name, value in values.items() if sample.slot_types[name] in self.type_values
                           and value.lower() not in self.type_values[sample.slot_types[name]])
            key = (cost, unlisted, wild, -sample.literal)
            if best_key is None or key < best_key:
                best, best_key = Resolution("IntentRequest", sample.intent, values, near=cost > 0), key
        return best

    def slot_value(self, intent: str, slot: str, text: str, now: datetime, tz: str) -> str | None:
        """`text` said as the answer to the elicitation of `slot` ("At what time?"), or None. The slot's own
        samples in the model ("it's {name}", "at {time}") are what Alexa accepts; without any, the value
        alone (after a lead-in such as "at")."""
        slot_type = self.slot_type(intent, slot)
        if slot_type is None:
            return None
        own = self.slot_samples.get((intent, slot))
        if own:
            found = self.match(text, now, tz, own)
            return found.slots.get(slot) if found else None
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


def compile_sample(intent: str, text: str, slot_types: dict[str, str]) -> Sample:
    """A sample as comparable words; `{slot}`s keep their type."""
    parts, used = [], {}
    for token in tokens(text.replace("{", " {").replace("}", "} ")):
        slot = re.fullmatch(r"\{(\w+)\}", token)
        if slot:
            used[slot[1]] = slot_types[slot[1]]
            parts.append(("slot", slot[1]))
        else:
            parts.append(token)
    literal = [p for p in parts if isinstance(p, str)]
    free = any(slots.is_free(t) for t in used.values())
    return Sample(intent, text, tuple(parts), used, len(literal), frozenset(literal), free)


def tokens(text: str) -> list[str]:
    """Lowercase words with the long forms of contractions joined ("what is" -> "what's"), apostrophes kept
    as typed are optional ("whats" = "what's")."""
    return [key for key, _ in _words(text)]


def _words(text: str) -> list[tuple[str, str]]:
    """(compared form, words as said) for each word of `text`; a joined long form keeps both words said."""
    raw = text.split()
    out, i = [], 0
    while i < len(raw):
        for phrase, same in PARAPHRASES.items():
            if tuple(w.lower().replace("'", "") for w in raw[i:i + len(phrase)]) == phrase:
                out.extend((word, word) for word in same)
                i += len(phrase)
                break
        else:
            phrase = None
        if phrase is not None:
            continue
        pair = tuple(w.lower().replace("'", "") for w in raw[i:i + 2])
        if len(pair) == 2 and pair in CONTRACTIONS:
            out.append((_key(CONTRACTIONS[pair]), " ".join(raw[i:i + 2])))
            i += 2
            continue
        word = raw[i]
        out.append((word if word.startswith("{") else _key(word.lower()), word))
        i += 1
    return out


def _key(word: str) -> str:
    """One word as compared: no apostrophes, so "whats" and "what's" are the same word."""
    return word.replace("'", "")


def align(sample: Sample, words: list[str], said: list[str], now: datetime, tz: str, allowed: float):
    """(cost, slot values, characters caught by phrase-like slots) of the cheapest way `sample` covers all of
    `words`, or None when it costs more than `allowed` or a slot span is not a value of its type."""
    n, m = len(sample.tokens), len(words)
    inf = float("inf")
    # cost[i][j]: sample tokens [:i] cover words [:j]; back[i][j] remembers the step, for the slot spans.
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for j in range(1, m + 1):  # words said before the sample's first word
        cost[0][j], back[0][j] = cost[0][j - 1] + EDGE_COST, ("ins",)
    values_cache: dict[tuple, str | None] = {}
    for i in range(1, n + 1):
        part = sample.tokens[i - 1]
        for j in range(0, m + 1):
            if isinstance(part, tuple):
                slot_type = sample.slot_types[part[1]]
                for k in range(j - 1, -1, -1):  # the slot covers words[k:j], at least one word
                    if cost[i - 1][k] == inf or cost[i - 1][k] >= cost[i][j]:
                        continue
                    if _slot_value(slot_type, said, k, j, now, tz, values_cache) is not None:
                        cost[i][j], back[i][j] = cost[i - 1][k], ("slot", k)
                if i == n and j > 0 and cost[i][j - 1] + EDGE_COST < cost[i][j]:  # words after a final slot
                    cost[i][j], back[i][j] = cost[i][j - 1] + EDGE_COST, ("ins",)
                continue
            best, step = cost[i - 1][j] + _delete(part), ("del",)
            if j > 0:
                same = _same(part, words[j - 1])
                if same is not None and cost[i - 1][j - 1] + same < best:
                    best, step = cost[i - 1][j - 1] + same, ("sub",)
                inserted = EDGE_COST if i == n else _insert(words[j - 1])  # after the sample's last word
                if cost[i][j - 1] + inserted < best:
                    best, step = cost[i][j - 1] + inserted, ("ins",)
            cost[i][j], back[i][j] = best, step
        if min(cost[i]) > allowed + EDGE_WORDS * EDGE_COST:
            return None
    total = cost[n][m]
    if total > allowed + EDGE_WORDS * EDGE_COST:
        return None
    if total > 0 and not _shares_words(sample, words):
        return None
    values, wild, matched, edges, edited, i, j = {}, 0, 0, 0, 0.0, n, m
    while i > 0 or j > 0:
        step = back[i][j]
        if step[0] == "slot":
            name = sample.tokens[i - 1][1]
            slot_type = sample.slot_types[name]
            values[name] = _slot_value(slot_type, said, step[1], j, now, tz, values_cache)
            if slots.is_free(slot_type):
                wild += sum(len(w) for w in words[step[1]:j])
            i, j = i - 1, step[1]
        elif step[0] == "sub":
            same = sample.tokens[i - 1] == words[j - 1]
            matched += same
            if not same:
                edited += _same(sample.tokens[i - 1], words[j - 1])
                if sample.free:
                    return None
            i, j = i - 1, j - 1
        elif step[0] == "del":
            edited += _delete(sample.tokens[i - 1])
            if sample.free:
                return None
            i -= 1
        else:
            if i == 0 or i == n:
                edges += 1
            else:
                edited += _insert(words[j - 1])
                if sample.free and words[j - 1] not in LIGHT:
                    return None
            j -= 1
    if edited > allowed or edges > min(EDGE_WORDS, max(sample.literal, 1)):
        return None
    if sample.literal - matched > (1 if sample.literal <= 5 else 2):
        return None  # a near match keeps all but one of the sample's words (two of a long one)
    ordered = {name: values[name] for name in sample.slot_types if name in values}  # in the sample's order
    return total, ordered, wild


def _slot_value(slot_type: str, said: list[str], start: int, end: int, now, tz, cache) -> str | None:
    """The normal form of the words said[start:end] as a value of `slot_type`, or None (remembered per span)."""
    key = (slot_type, start, end)
    if key not in cache:
        spoken = " ".join(said[start:end])
        fits = re.fullmatch(slots.pattern_for(slot_type), spoken, re.IGNORECASE)
        cache[key] = slots.normalize(slot_type, spoken, now, tz) if fits else None
    return cache[key]


def _same(expected: str, said: str) -> float | None:
    """0 for the same word, 0.5 for the same word in another form (promise/promises), else a substitution."""
    if expected == said:
        return 0.0
    if _stem(expected) == _stem(said) or (expected in LIGHT and said in LIGHT):
        return 0.5  # "promise"/"promises", "my"/"that"
    return 1.0


def _stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def _delete(word: str) -> float:
    return 0.5 if word in LIGHT else 1.0


def _insert(word: str) -> float:
    return 0.5 if word in LIGHT else 1.0


def _lower_bound(sample: Sample, present: set[str]) -> float:
    """At least this much it costs to leave out the sample's words that were not said at all."""
    missing = 0.0
    for word in sample.words - present:
        if not any(_stem(word) == _stem(p) for p in present):
            missing += min(_delete(word), 1.0)
    return missing


def _shares_words(sample: Sample, words: list[str]) -> bool:
    """A near match needs one of the sample's words that carries meaning (all of them, when every literal
    word of the sample is a light one, as in "this is {name}")."""
    heavy = [w for w in sample.words if w not in LIGHT]
    return any(w in words for w in heavy) if heavy else sample.words <= set(words)


def clean(utterance: str) -> str:
    """Typed text as Alexa would hear it: no punctuation but clock colons and apostrophes, single spaces."""
    text = utterance.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^\w\s':.+-]", " ", text)
    text = re.sub(r"(?<=\s)[-+](?=\s)|(?<![\d\s])-|-(?!\d)", " ", text)
    text = re.sub(r"(?<![ap])\.|\.(?!m\b)|(?<!\d):|:(?!\d)", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _invoked(resolution: Resolution) -> Resolution:
    """The same request, marked as said with the invocation name."""
    return Resolution(resolution.request_type, resolution.intent, resolution.slots, True, resolution.near)
