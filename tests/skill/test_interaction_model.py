"""Static checks of the Alexa skill package (manifest + interaction models).

These catch the mistakes the Alexa build would reject, or that would silently
break the handlers (which dispatch on exact intent and slot names), before a
deploy is attempted. The models are generated from skill/model/ (one source);
the committed files must be exactly what the generator writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from skill import package
from skill.model import build_model, localise

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "skill" / "skill-package"
MANIFEST = PACKAGE / "skill.json"
MODELS = PACKAGE / "interactionModels" / "custom"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU")
INVOCATION = "trust builder"

# intent -> {slot name: slot type}; the handlers rely on these exact names.
CUSTOM_INTENTS: dict[str, dict[str, str]] = {
    "TodaysQuestionIntent": {},
    "AnswerIntent": {"answer": "AMAZON.SearchQuery"},
    "MoodIntent": {"rating": "AMAZON.NUMBER"},
    "PartnerAnswerIntent": {},
    "MakePromiseIntent": {
        "task": "PromiseTask",
        "date": "AMAZON.DATE",
        "time": "AMAZON.TIME",
    },
    "ListPromisesIntent": {},
    "KeptPromiseIntent": {"task": "PromiseTask"},
    "ThinkingOfYouIntent": {"name": "AMAZON.FirstName"},
    "WeeklySummaryIntent": {},
    "IdentifyPartnerIntent": {"name": "AMAZON.FirstName"},
    "LinkAccountIntent": {},
    # Issue 10: new intents (their handlers come next; see test_intent_coverage.PENDING_HANDLERS).
    "MissedPromiseIntent": {"task": "PromiseTask"},
    "CancelPromiseIntent": {"task": "PromiseTask"},
    "MovePromiseIntent": {"task": "PromiseTask", "date": "AMAZON.DATE", "time": "AMAZON.TIME"},
    "SetUpIntent": {"phone": "AMAZON.PhoneNumber", "name": "AMAZON.FirstName"},
    "InvitePartnerIntent": {"name": "AMAZON.FirstName", "phone": "AMAZON.PhoneNumber"},
    "SafetyIntent": {},
    "DeleteMyDataIntent": {},
    "UndoAnswerIntent": {},
    "PrivateReflectionIntent": {"text": "AMAZON.SearchQuery"},
    "SkipQuestionIntent": {},
    "SetRoleIntent": {"role": "PartnerRole"},
    # Issue 12: how promise reminders come, and the "your partner answered" opt-in.
    "ReminderWayIntent": {"way": "ReminderWay"},
    "AnswerNoticesIntent": {"setting": "NoticeSwitch"},
    # Issue 13: the weekly ritual
    "WeeklyCheckInIntent": {"answer": "AMAZON.SearchQuery"},
    "RateIntent": {"safe": "AMAZON.NUMBER", "trusting": "AMAZON.NUMBER", "connected": "AMAZON.NUMBER"},
    "SetbackIntent": {},
    "SendPageLinkIntent": {},
    # Issue 13: the trust pact and the guided apology
    "PactAddIntent": {"agreement": "AMAZON.SearchQuery"},
    "PactListIntent": {},
    "PactChangeIntent": {"number": "AMAZON.NUMBER", "agreement": "AMAZON.SearchQuery"},
    "PactRetireIntent": {"number": "AMAZON.NUMBER"},
    "ApologyIntent": {"did": "AMAZON.SearchQuery", "impact": "AMAZON.SearchQuery", "change": "AMAZON.SearchQuery"},
    "RedoApologyStepIntent": {"number": "AMAZON.NUMBER"},
    "SendApologyIntent": {},
    "ApologyReplyIntent": {"reply": "ApologyReply"},
    "ApologyFollowUpIntent": {"into": "ApologyFollowUp"},
}
BUILTIN_INTENTS = {
    "AMAZON.HelpIntent",
    "AMAZON.CancelIntent",
    "AMAZON.StopIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
}
MIN_SAMPLES = 30
MIN_PROMISE_TASK_VALUES = 40

SLOT_REF = re.compile(r"\{([^{}]*)\}")
# Letters, spaces, apostrophes, periods (abbreviations) and {slot} braces.
ALLOWED_CHARS = re.compile(r"^[A-Za-z' .{}]+$")
# "I" and its contractions are the only words allowed to carry capitals.
CAPITALISED_OK = {"I", "I'm", "I'd", "I've", "I'll"}


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return _load(MANIFEST)["manifest"]


@pytest.fixture(scope="module")
def model() -> dict:
    return _load(MODELS / "en-US.json")["interactionModel"]


@pytest.fixture(scope="module")
def intents(model: dict) -> dict[str, dict]:
    return {i["name"]: i for i in model["languageModel"]["intents"]}


@pytest.fixture(scope="module")
def custom_samples(intents: dict[str, dict]) -> list[tuple[str, str]]:
    return [
        (name, sample)
        for name in CUSTOM_INTENTS
        for sample in intents[name].get("samples", [])
    ]


def _slot_types(intent: dict) -> dict[str, str]:
    return {s["name"]: s["type"] for s in intent.get("slots", [])}


def _normalise(sample: str) -> str:
    return " ".join(sample.lower().split())


# --------------------------------------------------------------------- files


def test_every_package_file_is_valid_json():
    files = sorted(PACKAGE.rglob("*.json"))
    assert MANIFEST in files
    for loc in LOCALES:
        assert MODELS / f"{loc}.json" in files, f"missing model for {loc}"
    for path in files:
        try:
            _load(path)
        except json.JSONDecodeError as exc:  # pragma: no cover - failure path
            pytest.fail(f"{path.relative_to(ROOT)} is not valid JSON: {exc}")


# ------------------------------------------------------------------ manifest


def test_manifest_publishes_the_four_english_locales(manifest: dict):
    locales = manifest["publishingInformation"]["locales"]
    assert set(locales) == set(LOCALES)
    for loc, info in locales.items():
        assert info["name"] == "Trust Builder", loc
        assert info["summary"].strip(), loc
        assert len(info["summary"]) <= 160, loc
        assert info["description"].strip(), loc
        assert len(info["description"]) <= 4000, loc
        assert 1 <= len(info["examplePhrases"]) <= 3, loc
    assert set(manifest["privacyAndCompliance"]["locales"]) == set(LOCALES)


def test_manifest_endpoint_and_pages_come_from_the_base_url(manifest: dict):
    base = package.PLACEHOLDER_BASE_URL
    endpoint = manifest["apis"]["custom"]["endpoint"]
    assert endpoint["uri"] == f"{base}/alexa"
    assert endpoint["sslCertificateType"] == "Wildcard"
    for loc, urls in manifest["privacyAndCompliance"]["locales"].items():
        assert urls == {"privacyPolicyUrl": f"{base}/privacy", "termsOfUseUrl": f"{base}/terms"}, loc
    assert "example.com" not in MANIFEST.read_text(encoding="utf-8")


def test_manifest_requests_exactly_the_permissions_the_features_use(manifest: dict):
    # Voice profiles need person ids; Echo reminders, notifications and the voice profile's contact need theirs;
    # the time zone comes from the Settings API, which needs no permission.
    assert [p["name"] for p in manifest["permissions"]] == [
        "alexa::person_id:read", "alexa::alerts:reminders:skill:readwrite", "alexa::devices:all:notifications:write",
        "alexa::profile:given_name:read", "alexa::profile:mobile_number:read"]
    assert [i["type"] for i in manifest["apis"]["custom"]["interfaces"]] == ["ALEXA_PRESENTATION_APL"]
    assert manifest["events"]["publications"] == [{"eventName": "AMAZON.MessageAlert.Activated"}]


def test_example_phrases_match_the_model(manifest: dict, intents: dict[str, dict]):
    all_samples = {
        _normalise(s) for i in intents.values() for s in i.get("samples", [])
    }
    for loc, info in manifest["publishingInformation"]["locales"].items():
        phrases = info["examplePhrases"]
        assert phrases[0] == "Alexa, open trust builder", loc
        for phrase in phrases:
            assert phrase.startswith("Alexa, "), phrase
            assert INVOCATION in phrase.lower(), phrase
        for phrase in phrases[1:]:
            prefix = f"alexa, ask {INVOCATION} "
            lowered = _normalise(phrase)
            assert lowered.startswith(prefix), phrase
            rest = lowered[len(prefix):].rstrip(".")
            candidates = {rest}
            if rest.startswith("to "):
                candidates.add(rest[3:])
            assert candidates & all_samples, (
                f"example phrase {phrase!r} does not match any sample utterance"
            )


# ----------------------------------------------------------- model, overall


@pytest.mark.parametrize("loc", LOCALES)
def test_committed_models_are_what_the_one_source_generates(loc):
    """Nobody edits the JSON by hand: regenerate and compare (run `python -m skill.package` after a change)."""
    assert _load(MODELS / f"{loc}.json") == build_model(loc), f"{loc} is stale: run python -m skill.package"


@pytest.mark.parametrize("loc, said, unsaid", [
    ("en-GB", ["call my mum", "take the bins out", "schedule our counselling session", "mobile"],
     ["call my mom", "trash", "counseling", "cell"]),
    ("en-AU", ["call my mum", "put the bins out", "go to counselling"], ["call my mom", "trash", "counseling"]),
    ("en-CA", ["call my mom", "take out the garbage", "go to counselling"], ["trash", "counseling"]),
    ("en-US", ["call my mom", "take out the trash", "go to counseling", "cell"], ["mum", "rubbish", "counselling"]),
])
def test_each_locale_says_its_own_words(loc, said, unsaid):
    text = (MODELS / f"{loc}.json").read_text(encoding="utf-8")
    for word in said:
        assert re.search(rf"\b{re.escape(word)}\b", text), f"{loc} lacks {word!r}"
    for word in unsaid:
        assert not re.search(rf"\b{re.escape(word)}\b", text), f"{loc} still says {word!r}"


def test_locales_differ_only_by_their_words():
    """Same intents, slots and dialogs everywhere; only the wording (and a few extra phrasings) differ."""
    reference = build_model("en-US")["interactionModel"]
    for loc in LOCALES[1:]:
        model = build_model(loc)["interactionModel"]
        shape = lambda m: [(i["name"], [(s["name"], s["type"]) for s in i.get("slots", [])])  # noqa: E731
                           for i in m["languageModel"]["intents"]]
        assert shape(model) == shape(reference), loc
        assert [d["name"] for d in model["dialog"]["intents"]] == [d["name"] for d in reference["dialog"]["intents"]]
        us = {i["name"]: {localise(s, loc) for s in i["samples"]} for i in reference["languageModel"]["intents"]}
        for intent in model["languageModel"]["intents"]:
            assert us[intent["name"]] <= set(intent["samples"]), (loc, intent["name"])


def test_invocation_name(model: dict):
    name = model["languageModel"]["invocationName"]
    assert name == INVOCATION
    assert name == name.lower()
    assert len(name.split()) == 2


def test_custom_intents_have_exact_slots(intents: dict[str, dict]):
    for name, expected in CUSTOM_INTENTS.items():
        assert name in intents, f"missing intent {name}"
        assert _slot_types(intents[name]) == expected, name


def test_builtin_intents_present(intents: dict[str, dict]):
    assert BUILTIN_INTENTS <= set(intents)


def test_no_unexpected_intents(intents: dict[str, dict]):
    assert set(intents) == set(CUSTOM_INTENTS) | BUILTIN_INTENTS


def test_intent_names_unique(model: dict):
    names = [i["name"] for i in model["languageModel"]["intents"]]
    assert len(names) == len(set(names))


# ------------------------------------------------------------------- samples


def test_each_custom_intent_has_enough_samples(intents: dict[str, dict]):
    for name in CUSTOM_INTENTS:
        count = len(intents[name].get("samples", []))
        assert count >= MIN_SAMPLES, f"{name} has only {count} samples"


def test_no_duplicate_samples_within_or_across_intents(intents: dict[str, dict]):
    seen: dict[str, str] = {}
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            key = _normalise(sample)
            assert key not in seen, (
                f"{sample!r} in {name} duplicates a sample of {seen[key]}"
            )
            seen[key] = name


def test_samples_use_allowed_characters(intents: dict[str, dict]):
    for name, intent in intents.items():
        samples = list(intent.get("samples", []))
        for slot in intent.get("slots", []):
            samples += slot.get("samples", [])
        for sample in samples:
            assert ALLOWED_CHARS.match(sample), f"{name}: bad character in {sample!r}"
            assert sample == sample.strip(), f"{name}: stray whitespace {sample!r}"
            assert "  " not in sample, f"{name}: double space in {sample!r}"
            # Braces only as well-formed {slot} references.
            leftover = SLOT_REF.sub("", sample)
            assert "{" not in leftover and "}" not in leftover, (
                f"{name}: malformed slot reference in {sample!r}"
            )
            # Periods only inside abbreviations such as "p.m.".
            for word in SLOT_REF.sub("", sample).split():
                if "." in word:
                    assert re.fullmatch(r"(?:[A-Za-z]\.)+", word), (
                        f"{name}: period outside an abbreviation in {sample!r}"
                    )


def test_samples_are_lowercase_apart_from_i(custom_samples):
    for name, sample in custom_samples:
        for word in SLOT_REF.sub("", sample).split():
            if word in CAPITALISED_OK:
                continue
            assert word == word.lower(), f"{name}: capitalised {word!r} in {sample!r}"


def test_slot_references_are_declared_and_used(intents: dict[str, dict]):
    for name, intent in intents.items():
        declared = set(_slot_types(intent))
        used: set[str] = set()
        for sample in intent.get("samples", []):
            refs = SLOT_REF.findall(sample)
            assert len(refs) == len(set(refs)), f"{name}: slot repeated in {sample!r}"
            for ref in refs:
                assert ref in declared, f"{name}: undeclared slot {{{ref}}} in {sample!r}"
            used.update(refs)
        for slot in intent.get("slots", []):  # a slot only elicited in a dialog is used by its own samples
            if slot.get("samples"):
                used.add(slot["name"])
        if not name.startswith("AMAZON."):
            assert declared <= used, f"{name}: slots never sampled: {declared - used}"


def test_slot_elicitation_samples_reference_their_slot(intents: dict[str, dict]):
    for name, intent in intents.items():
        declared = set(_slot_types(intent))
        for slot in intent.get("slots", []):
            for sample in slot.get("samples", []):
                refs = SLOT_REF.findall(sample)
                assert slot["name"] in refs, f"{name}.{slot['name']}: {sample!r}"
                assert set(refs) <= declared, f"{name}.{slot['name']}: {sample!r}"


def test_search_query_samples_have_carrier_phrase_and_no_other_slot(
    intents: dict[str, dict],
):
    for name, intent in intents.items():
        types = _slot_types(intent)
        search_slots = {s for s, t in types.items() if t == "AMAZON.SearchQuery"}
        if not search_slots:
            continue
        for sample in intent.get("samples", []):
            refs = SLOT_REF.findall(sample)
            if not set(refs) & search_slots:
                continue
            assert len(refs) == 1, f"{name}: SearchQuery shares {sample!r} with another slot"
            carrier = SLOT_REF.sub("", sample).strip()
            assert carrier, f"{name}: SearchQuery sample {sample!r} has no carrier phrase"


# --------------------------------------------------------------- slot types


def test_promise_task_slot_type(model: dict):
    types = {t["name"]: t for t in model["languageModel"].get("types", [])}
    assert "PromiseTask" in types
    values = [v["name"]["value"] for v in types["PromiseTask"]["values"]]
    assert len(values) >= MIN_PROMISE_TASK_VALUES
    lowered = [v.lower() for v in values]
    assert len(lowered) == len(set(lowered)), "duplicate PromiseTask values"
    for value in values:
        assert value == value.strip() and value, repr(value)
        assert re.fullmatch(r"[A-Za-z' ]+", value), f"bad PromiseTask value {value!r}"


def test_every_custom_slot_type_is_defined(model: dict, intents: dict[str, dict]):
    defined = {t["name"] for t in model["languageModel"].get("types", [])}
    for name, intent in intents.items():
        for slot_name, slot_type in _slot_types(intent).items():
            if not slot_type.startswith("AMAZON."):
                assert slot_type in defined, f"{name}.{slot_name}: {slot_type} undefined"


# -------------------------------------------------------------------- dialog


def test_make_promise_dialog(model: dict, intents: dict[str, dict]):
    dialog = model["dialog"]
    dialog_intents = {i["name"]: i for i in dialog["intents"]}
    assert "MakePromiseIntent" in dialog_intents
    make = dialog_intents["MakePromiseIntent"]
    # The handler delegates explicitly with Dialog.Delegate.
    assert make["delegationStrategy"] == "SKILL_RESPONSE"

    slots = {s["name"]: s for s in make["slots"]}
    language_types = _slot_types(intents["MakePromiseIntent"])
    assert set(slots) <= set(language_types)
    for slot_name, slot in slots.items():
        assert slot["type"] == language_types[slot_name], slot_name

    assert slots["task"]["elicitationRequired"] is True
    assert slots["time"]["elicitationRequired"] is True
    assert slots.get("date", {}).get("elicitationRequired", False) is False

    prompts = {p["id"]: p for p in model["prompts"]}
    for required in ("task", "time"):
        prompt_id = slots[required]["prompts"]["elicitation"]
        assert prompt_id in prompts, f"prompt {prompt_id} not defined"
        variations = prompts[prompt_id]["variations"]
        assert len(variations) >= 2, prompt_id
        for v in variations:
            assert v["type"] in {"PlainText", "SSML"}
            assert v["value"].strip()
    task_texts = {
        v["value"]
        for v in prompts[slots["task"]["prompts"]["elicitation"]]["variations"]
    }
    time_texts = {
        v["value"]
        for v in prompts[slots["time"]["prompts"]["elicitation"]]["variations"]
    }
    assert "What do you promise to do?" in task_texts
    assert "At what time?" in time_texts


def test_every_dialog_prompt_reference_exists(model: dict):
    prompt_ids = {p["id"] for p in model.get("prompts", [])}
    assert len(prompt_ids) == len(model.get("prompts", [])), "duplicate prompt ids"
    language = {i["name"] for i in model["languageModel"]["intents"]}
    for intent in model["dialog"]["intents"]:
        assert intent["name"] in language
        assert intent.get("delegationStrategy", "ALWAYS") in {"ALWAYS", "SKILL_RESPONSE"}
        for prompt_id in intent.get("prompts", {}).values():
            assert prompt_id in prompt_ids, prompt_id
        for slot in intent.get("slots", []):
            for prompt_id in slot.get("prompts", {}).values():
                assert prompt_id in prompt_ids, prompt_id


# ----------------------------------------------------------- issue 10 rules


def test_identity_needs_a_carrier_phrase(intents: dict[str, dict]):
    """A bare "{name}", "I'm {name}" or "{name} here" swallowed "goodbye", "check in", "I'm done": never again
    outside the "who is this?" dialog (where the name alone is a slot sample)."""
    for sample in intents["IdentifyPartnerIntent"]["samples"]:
        literal = SLOT_REF.sub("", sample).split()
        assert len(literal) >= 2, f"near-bare identity sample {sample!r}"
        assert _normalise(sample) not in {"i'm {name}", "it's {name}", "i am {name}", "it is {name}",
                                          "{name} here", "{name} speaking", "call me {name}"}, sample
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            assert SLOT_REF.sub("", sample).strip(), f"{name}: bare-slot sample {sample!r}"
    [name_slot] = intents["IdentifyPartnerIntent"]["slots"]
    assert "{name}" in name_slot["samples"], "inside the dialog the name alone answers"


def test_built_ins_are_extended_with_how_people_say_them(intents: dict[str, dict]):
    wanted = {"AMAZON.HelpIntent": {"what can I say", "how does this work"},
              "AMAZON.StopIntent": {"that's all", "I'm done"}}
    for name, phrases in wanted.items():
        assert phrases <= set(intents[name]["samples"]), name
    assert intents["AMAZON.FallbackIntent"]["samples"] == []


def test_short_forms_people_use_are_samples(intents: dict[str, dict]):
    for intent, phrase in [("TodaysQuestionIntent", "check in"), ("KeptPromiseIntent", "I kept it"),
                           ("ListPromisesIntent", "my promises"), ("WeeklySummaryIntent", "how's our week"),
                           ("SetUpIntent", "set up trust builder"), ("SetUpIntent", "get started"),
                           ("LinkAccountIntent", "link my phone"), ("SafetyIntent", "I don't feel safe"),
                           ("SafetyIntent", "I'm in danger"), ("UndoAnswerIntent", "take back my answer"),
                           ("SkipQuestionIntent", "a different question"),
                           ("PrivateReflectionIntent", "just for me {text}")]:
        assert phrase in intents[intent]["samples"], (intent, phrase)


def test_set_up_asks_for_a_phone_number_and_confirms_it(model: dict, intents: dict[str, dict]):
    dialog = {i["name"]: {s["name"]: s for s in i["slots"]} for i in model["dialog"]["intents"]}
    prompts = {p["id"]: p for p in model["prompts"]}
    for intent in ("SetUpIntent", "InvitePartnerIntent"):
        phone = dialog[intent]["phone"]
        assert phone["type"] == "AMAZON.PhoneNumber"
        assert phone["elicitationRequired"] and phone["confirmationRequired"], intent
        assert prompts[phone["prompts"]["elicitation"]]["variations"]
        assert "{phone}" in prompts[phone["prompts"]["confirmation"]]["variations"][0]["value"]
        assert dialog[intent]["name"]["type"] == "AMAZON.FirstName"
        slot_samples = {s["name"]: s["samples"] for s in intents[intent]["slots"]}
        assert "{phone}" in slot_samples["phone"] and "{name}" in slot_samples["name"], intent
