"""The utterance corpus (tests/skill/corpus/utterances.yaml), routed through the generated interaction model
by the console's resolver, which matches like Alexa (exact samples with typed slots, near samples within a
small edit budget, the fallback otherwise). Prints the rate per intent and every miss; the overall rate must
be at least 0.95, in each locale (the corpus said in that locale's words)."""
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from console.resolver import Resolver, clean
from skill.model import LOCALES, localise

CORPUS = Path(__file__).parent / "corpus" / "utterances.yaml"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 in New York
TZ = "America/New_York"
THRESHOLD = 0.95
MIN_ITEMS = 300


def corpus() -> list[tuple[str, str, dict]]:
    """(said, intent, expected slots) for every item."""
    items = []
    for intent, entries in yaml.safe_load(CORPUS.read_text(encoding="utf-8")).items():
        for entry in entries:
            if isinstance(entry, str):
                items.append((entry, intent, {}))
            else:
                items.append((entry["said"], intent, {k: str(v) for k, v in (entry.get("slots") or {}).items()}))
    return items


def route(resolver: Resolver, items, say=lambda text: text):
    """(hits per intent, totals per intent, misses) for `items` said through `say`."""
    hits, totals, misses = defaultdict(int), defaultdict(int), []
    for said, intent, expected in items:
        said = say(said)
        got = resolver.resolve(said, NOW, TZ)
        wanted = {k: say(v) for k, v in expected.items()}
        slots_ok = all(got.slots.get(name) is not None and got.slots[name].lower() == value.lower()
                       for name, value in wanted.items())
        totals[intent] += 1
        if got.intent == intent and slots_ok:
            hits[intent] += 1
        else:
            misses.append((said, intent, got.intent, got.slots, wanted))
    return hits, totals, misses


def report(locale, hits, totals, misses) -> float:
    rate = sum(hits.values()) / sum(totals.values())
    print(f"\n== routing {locale}: {sum(hits.values())}/{sum(totals.values())} = {rate:.3f}")
    for intent in sorted(totals):
        print(f"  {intent:28s} {hits[intent]:3d}/{totals[intent]:3d}  {hits[intent] / totals[intent]:.2f}")
    for said, intent, got, got_slots, wanted in misses:
        print(f"  MISS {said!r}: expected {intent} {wanted or ''}, got {got} {got_slots or ''}")
    return rate


def test_the_corpus_is_large_labelled_and_our_own():
    items = corpus()
    assert len(items) >= MIN_ITEMS
    model_intents = set(Resolver().intents)
    samples = {clean(text).lower() for text in _model_samples()}
    copied = [said for said, _, _ in items if clean(said).lower() in samples]
    assert not copied, f"corpus phrasings copied from the model's samples: {copied}"
    assert {intent for _, intent, _ in items} <= model_intents
    custom = {name for name in model_intents if not name.startswith("AMAZON.")}
    assert custom <= {intent for _, intent, _ in items}, "every custom intent is in the corpus"
    assert len({said.lower() for said, _, _ in items}) == len(items), "duplicate phrasings"


def _model_samples() -> set[str]:
    import json
    from console.resolver import MODEL
    model = json.loads(MODEL.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    return {s for i in model["intents"] for s in i.get("samples", [])}


def test_natural_speech_routes_to_the_right_intent_in_en_us():
    hits, totals, misses = route(Resolver(), corpus())
    assert report("en-US", hits, totals, misses) >= THRESHOLD


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en-US"])
def test_the_same_speech_in_each_locales_words_routes_in_that_locales_model(locale):
    hits, totals, misses = route(Resolver.for_locale(locale), corpus(), lambda text: localise(text, locale))
    assert report(locale, hits, totals, misses) >= THRESHOLD


def test_the_resolver_is_not_a_bag_of_words():
    """Word order and the words themselves matter: shuffled or unrelated speech reaches no intent."""
    resolver = Resolver()
    for said in ("question today's what's", "promises my list of weather the", "kept sandwich banana",
                 "answer partner my", "I promise", "this is", "it's here", "promise the weather"):
        assert resolver.resolve(said, NOW, TZ).intent == "AMAZON.FallbackIntent", said
