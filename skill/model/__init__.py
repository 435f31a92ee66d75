"""The interaction model, generated: intents.yaml (one source, US words) x locales.yaml (how each locale
says them) -> one Alexa interaction model per locale. `python -m skill.package` writes them; a test
regenerates them and compares with the committed files, so the four locales cannot drift apart."""
import re
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU")
SLOT = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def source() -> dict:
    """intents.yaml, parsed."""
    return yaml.safe_load((HERE / "intents.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def locales() -> dict:
    """locales.yaml, parsed; every locale we publish must be described."""
    data = yaml.safe_load((HERE / "locales.yaml").read_text(encoding="utf-8"))
    missing = set(LOCALES) - set(data)
    if missing:
        raise ValueError(f"locales.yaml does not describe {sorted(missing)}")
    return data


def localise(text: str, locale: str) -> str:
    """`text` (US words) as `locale` says it: whole words and phrases, longest first; {slots} untouched;
    a capital first letter stays capital."""
    words = locales()[locale].get("words") or {}
    if not words:
        return text
    pattern = _pattern(locale)

    def swap(match: re.Match) -> str:
        said = match.group(0)
        found = words[said.lower()]
        return found[0].upper() + found[1:] if said[0].isupper() and not found[0].isupper() else found
    return pattern.sub(swap, text)


@lru_cache(maxsize=8)
def _pattern(locale: str) -> re.Pattern:
    words = sorted(locales()[locale]["words"], key=len, reverse=True)
    return re.compile(r"(?<![\w{'])(?:" + "|".join(map(re.escape, words)) + r")(?![\w}])", re.IGNORECASE)


def _unique(items):
    """Keep the first of case-insensitive duplicates (a locale may map two US words to one)."""
    seen, kept = set(), []
    for item in items:
        key = " ".join(item.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def build_model(locale: str) -> dict:
    """The interaction model JSON (as a dict) for one locale."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    src, extra = source(), locales()[locale].get("extra") or {}
    say = lambda text: localise(text, locale)  # noqa: E731
    intents, dialog_intents, prompts = [], [], []
    for name, spec in src["intents"].items():
        spec = spec or {}
        slot_types = spec.get("slots") or {}
        dialog_slots = (spec.get("dialog") or {}).get("slots") or {}
        samples = _unique([say(s) for s in spec.get("samples", [])]
                          + [say(s) for s in (extra.get("intents") or {}).get(name, [])])
        intent = {"name": name}
        if slot_types or not name.startswith("AMAZON."):
            intent["slots"] = []
        for slot, slot_type in slot_types.items():
            entry = {"name": slot, "type": slot_type}
            slot_samples = (dialog_slots.get(slot) or {}).get("samples")
            if slot_samples:
                entry["samples"] = _unique([say(s) for s in slot_samples])
            intent["slots"].append(entry)
        intent["samples"] = samples
        intents.append(intent)
        if dialog_slots:
            dialog_intents.append(_dialog(name, spec["dialog"], slot_types, say, prompts))
    types = []
    for type_name, values in (src.get("types") or {}).items():
        values = _unique([say(v) for v in values] + (extra.get("types") or {}).get(type_name, []))
        types.append({"name": type_name, "values": [{"name": {"value": v}} for v in values]})
    return {"interactionModel": {
        "languageModel": {"invocationName": src["invocation"], "intents": intents, "types": types},
        "dialog": {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog_intents},
        "prompts": prompts,
    }, "version": "1"}


def _dialog(intent: str, spec: dict, slot_types: dict, say, prompts: list) -> dict:
    """One dialog.intents entry; its prompts are appended to `prompts`."""
    slots = []
    for slot, slot_spec in spec["slots"].items():
        entry = {"name": slot, "type": slot_types[slot], "elicitationRequired": bool(slot_spec.get("elicit")),
                 "confirmationRequired": bool(slot_spec.get("confirm")), "prompts": {}}
        for kind, key in (("elicitation", "prompts"), ("confirmation", "confirmation")):
            texts = slot_spec.get(key)
            if texts:
                prompt_id = f"{'Elicit' if kind == 'elicitation' else 'Confirm'}.Slot.{intent}.{slot}"
                prompts.append({"id": prompt_id, "variations": [{"type": "PlainText", "value": say(t)}
                                                                for t in texts]})
                entry["prompts"][kind] = prompt_id
        slots.append(entry)
    return {"name": intent, "delegationStrategy": spec.get("delegation", "SKILL_RESPONSE"),
            "confirmationRequired": False, "prompts": {}, "slots": slots}


def spoken_phone(digits: str, locale: str) -> str:
    """A phone number read back the way `locale` reads one: digit groups, "oh" or "zero" for 0.
    "+15555550123" in en-US -> "five five five, five five five, zero one two three"."""
    only = re.sub(r"\D", "", digits)
    phone = locales()[locale]["phone"]
    national = _national(only, locale)
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    names[0] = phone["zero"]
    groups, start = [], 0
    for size in phone["groups"]:
        groups.append(national[start:start + size])
        start += size
    if start < len(national):  # a longer number: the rest as a last group
        groups.append(national[start:])
    return ", ".join(" ".join(names[int(d)] for d in group) for group in groups if group)


_COUNTRY_CODE = {"en-US": "1", "en-CA": "1", "en-GB": "44", "en-AU": "61"}


def _national(only: str, locale: str) -> str:
    """The number as dialled at home: without the country code, with the trunk 0 where the locale uses one."""
    code = _COUNTRY_CODE[locale]
    if code == "1":
        return only[1:] if len(only) == 11 and only.startswith("1") else only
    if only.startswith(code) and len(only) > len(code) + 8:
        return "0" + only[len(code):]
    return only
