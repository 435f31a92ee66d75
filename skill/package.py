"""Write the deployable Alexa skill package (ASK CLI layout) from the settings; nothing in it is edited by hand.

    python -m skill.package [--out skill/skill-package] [--base-url https://HOST] [--skill-id amzn1.ask.skill...]
                            [--reviewer-number +15555550100]

The endpoint is PUBLIC_BASE_URL + /alexa, the privacy and terms pages PUBLIC_BASE_URL + /privacy and /terms,
the four locale models are generated from skill/model/, the icons are drawn by skill/model/icons.py. With a
skill id (ALEXA_SKILL_ID or --skill-id) the ASK CLI state file `.ask/ask-states.json` is written next to the
package so `ask deploy` updates that skill instead of creating a new one.
"""
import argparse
import json
import os
import re
import sys
from pathlib import Path

from skill.alexa_api import MESSAGE_ALERT
from skill.echo import PROFILE, REMINDERS
from skill.handlers.echo import NOTIFICATIONS
from skill.model import LOCALES, build_model, locales, localise
from skill.screen import DOCUMENT
from skill.model.icons import SIZES, draw

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "skill" / "skill-package"
#: The origin the committed package is written with; a deployment writes its own (docs/alexa.md).
PLACEHOLDER_BASE_URL = "https://trustbuilder.invalid"
ALEXA_PATH, PRIVACY_PATH, TERMS_PATH = "/alexa", "/privacy", "/terms"
#: Exactly what the features use (docs/alexa.md says what each is for): voice profiles (context.System.person);
#: Echo reminders of promises (asked by voice); "your partner answered" notifications (Proactive Events,
#: granted in the Alexa app); the recognised speaker's first name and mobile number (voice-forward consent).
#: The device time zone comes from the Settings API, which needs no permission.
PERMISSIONS = ("alexa::person_id:read", REMINDERS, NOTIFICATIONS, *PROFILE)
#: Echo Show: the APL documents (sources in skill/model/apl/, written to response/prompts/<name>/document.json).
APL_SOURCES = ROOT / "skill" / "model" / "apl"
#: Hubs of every size, round and rectangular (the document scales with the viewport).
VIEWPORTS = ({"mode": "HUB", "shape": "ROUND", "minWidth": 480, "maxWidth": 599, "minHeight": 480, "maxHeight": 599},
             {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 960, "maxWidth": 1279, "minHeight": 480,
              "maxHeight": 599},
             {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 1280, "maxWidth": 1920, "minHeight": 600,
              "maxHeight": 1200})

NAME = "Trust Builder"
SUMMARY = ("One reflection question a day, small promises you keep, and a weekly check-in, for couples "
           "rebuilding trust.")
DESCRIPTION = """Trust Builder helps couples who are rebuilding trust turn good intentions into small, daily habits.

Every day, both partners hear the same reflection question and answer it out loud. Your answer is saved as that day's check-in, and once you've both answered you can hear what your partner said. You can also rate your day from one to five, and keep a note just for yourself.

Make small promises by voice, like "I promise to text you when I land" or "remind me to pick up groceries tomorrow at six", and Trust Builder reminds you by text message. When you follow through, say "I kept it"; if it didn't happen, say "I missed it", or move or cancel the promise.

Send a quick "thinking about you" text to your partner at any time, and ask "how's our week" to hear a weekly summary of check-ins, moods and kept promises.

To start, say "set up Trust Builder": you give your cell number and reply YES to one text. If two of you share an Echo, Alexa voice profiles tell you apart. Say "I don't feel safe" at any time for safety resources, and "delete my data" to erase everything.

Trust Builder is a tool for building habits together; it is not therapy or counseling and is not a substitute for professional help."""
EXAMPLE_PHRASES = (
    "Alexa, open trust builder",
    "Alexa, ask trust builder for today's question",
    "Alexa, ask trust builder to tell my partner I'm thinking of them",
)
KEYWORDS = ("relationship", "couples", "trust", "check in", "reflection", "promises", "partner", "marriage")


class PackageError(Exception):
    """A setting the package cannot be written without; the message names it."""


def testing_instructions(reviewer_number: str) -> str:
    """How a certification reviewer, with no phone of their own, reaches every feature (docs/alexa.md)."""
    number = reviewer_number or "the reviewer test number given in the notes for reviewers"
    return (
        "No account linking and no phone of your own are needed. "
        "1. Set up: say \"Alexa, open trust builder\", then \"yes\" to set it up. When asked for a number, give "
        f"our reviewer test number {number} and the first name Alex. Texts to this number are never sent to a "
        "phone: they are kept in our outbox, and its consent reply is accepted on the reviewer's behalf, so the "
        "device is linked within a few seconds. (\"Link my phone\" also works: it speaks a one-time code.) "
        "2. Daily question: \"what's today's question\", then \"my answer is I felt heard today\"; \"a different "
        "question\" gives another one; \"take back my answer\" removes it; \"just for me, I was tired\" keeps a "
        "private note. \"Rate today a four\" records a mood. \"What did my partner say\" says the partner has not "
        "answered yet until they do; \"invite my partner\" starts the "
        "invitation of a partner by name and number. "
        "3. Promises: \"I promise to call Sam tomorrow at six PM\", \"what are my promises\", \"I kept it\", "
        "\"I missed my promise\", \"move it to seven PM\", \"cancel my promise\". Reminders go to the outbox. "
        "4. Together: \"tell my partner I'm thinking of them\", \"how's our week\". "
        "5. Voice profiles: with two Alexa voice profiles on the device each partner is recognised; an "
        "unrecognised voice is asked \"who is this?\" and answers \"this is Alex\". "
        "6. Care: \"I don't feel safe\" gives safety resources; \"delete my data\" erases the speaker's data "
        "after a confirmation; \"help\" explains the skill at any point, linked or not; \"stop\" ends.")


def manifest(base_url: str, reviewer_number: str = "") -> dict:
    """skill.json for `base_url` (an https origin)."""
    base_url = _https_origin(base_url)
    publishing, privacy = {}, {}
    for locale in LOCALES:
        say = lambda text: localise(text, locale)  # noqa: E731
        publishing[locale] = {
            "name": NAME, "summary": say(SUMMARY), "description": say(DESCRIPTION),
            "examplePhrases": list(EXAMPLE_PHRASES), "keywords": list(KEYWORDS),
            "smallIconUri": f"file://assets/images/{locale}_smallIconUri.png",
            "largeIconUri": f"file://assets/images/{locale}_largeIconUri.png",
        }
        privacy[locale] = {"privacyPolicyUrl": base_url + PRIVACY_PATH, "termsOfUseUrl": base_url + TERMS_PATH}
    return {"manifest": {
        "manifestVersion": "1.0",
        "publishingInformation": {
            "locales": publishing,
            "isAvailableWorldwide": False,
            "distributionCountries": [locales()[locale]["country"] for locale in LOCALES],
            "distributionMode": "PUBLIC",
            "category": "FRIENDS_AND_FAMILY",
            "testingInstructions": testing_instructions(reviewer_number),
        },
        "privacyAndCompliance": {
            "allowsPurchases": False, "usesPersonalInfo": True, "isChildDirected": False,
            "isExportCompliant": True, "containsAds": False, "locales": privacy,
        },
        "permissions": [{"name": name} for name in PERMISSIONS],
        "apis": {"custom": {
            "endpoint": {"uri": base_url + ALEXA_PATH, "sslCertificateType": "Wildcard"},
            "interfaces": [{"type": "ALEXA_PRESENTATION_APL", "supportedViewports": [dict(v) for v in VIEWPORTS]}],
        }},
        "events": {"publications": [{"eventName": MESSAGE_ALERT}],
                   "endpoint": {"uri": base_url + ALEXA_PATH, "sslCertificateType": "Wildcard"}},
    }}


def apl_documents() -> dict[str, bytes]:
    """The APL documents, by their path in the package."""
    return {f"response/prompts/{path.stem}/document.json": _json(json.loads(path.read_text(encoding="utf-8")))
            for path in sorted(APL_SOURCES.glob("*.json"))}


def check(package: dict[str, bytes]) -> None:
    """The manifest declares exactly what the code uses: these permissions, the APL interface with the
    document the skill renders, and the one proactive event it sends; PackageError names what is off."""
    info = json.loads(package["skill.json"])["manifest"]
    declared = [p["name"] for p in info.get("permissions", [])]
    if sorted(declared) != sorted(PERMISSIONS) or len(set(declared)) != len(declared):
        raise PackageError(f"skill.json permissions {declared} are not exactly {list(PERMISSIONS)}")
    interfaces = [i.get("type") for i in info["apis"]["custom"].get("interfaces", [])]
    if interfaces != ["ALEXA_PRESENTATION_APL"] or f"response/prompts/{DOCUMENT}/document.json" not in package:
        raise PackageError(f"skill.json interfaces {interfaces}: the APL interface and document {DOCUMENT} are needed")
    events = [e.get("eventName") for e in info.get("events", {}).get("publications", [])]
    if events != [MESSAGE_ALERT]:
        raise PackageError(f"skill.json event publications {events} are not exactly [{MESSAGE_ALERT!r}]")


def files(base_url: str, reviewer_number: str = "") -> dict[str, bytes]:
    """Every file of the package, by path relative to the package folder."""
    out = {"skill.json": _json(manifest(base_url, reviewer_number))}
    for locale in LOCALES:
        out[f"interactionModels/custom/{locale}.json"] = _json(build_model(locale))
    icons = {kind: draw(size) for kind, size in SIZES.items()}
    for locale in LOCALES:
        for kind, png in icons.items():
            out[f"assets/images/{locale}_{kind}.png"] = png
    out.update(apl_documents())
    check(out)
    return out


def write(out: Path, base_url: str, skill_id: str = "", reviewer_number: str = "") -> list[Path]:
    """Write the package into `out` (stale generated files are removed); the written paths."""
    out = Path(out)
    wanted = files(base_url, reviewer_number)
    for old in [*out.glob("interactionModels/custom/*.json"), *out.glob("assets/images/*.png"),
                *out.glob("response/prompts/*/document.json")]:
        if old.relative_to(out).as_posix() not in wanted:
            old.unlink()
    written = []
    for relative, data in wanted.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    if skill_id:
        if not re.fullmatch(r"amzn1\.ask\.skill\.[0-9a-f-]+", skill_id):
            raise PackageError(f"ALEXA_SKILL_ID: expected amzn1.ask.skill.<id>, got {skill_id!r}")
        states = out.parent / ".ask" / "ask-states.json"
        states.parent.mkdir(parents=True, exist_ok=True)
        states.write_bytes(_json({"askcliStatesVersion": "2020-03-31",
                                  "profiles": {"default": {"skillId": skill_id}}}))
        written.append(states)
    return written


def _https_origin(base_url: str) -> str:
    """Alexa calls only https endpoints on port 443: refuse anything else, naming the setting."""
    url = (base_url or "").strip().rstrip("/")
    if not re.fullmatch(r"https://[A-Za-z0-9.\-]+", url):
        raise PackageError(f"PUBLIC_BASE_URL: Alexa needs an https origin on port 443 (no path), got {base_url!r}")
    return url


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _from_settings() -> dict:
    """PUBLIC_BASE_URL and ALEXA_SKILL_ID as the app reads them (environment over .env), without requiring
    the rest of a production configuration."""
    from core.config import load_settings
    settings = load_settings(app_env="development")
    explicit = os.environ.get("PUBLIC_BASE_URL") or _dotenv("PUBLIC_BASE_URL")
    return {"base_url": settings.public_base_url if explicit else "", "skill_id": settings.alexa_skill_id,
            "reviewer_number": getattr(settings, "reviewer_phone_number", "") or os.environ.get(
                "REVIEWER_PHONE_NUMBER", "")}


def _dotenv(name: str) -> str:
    from dotenv import dotenv_values
    return (dotenv_values(".env").get(name) or "") if Path(".env").is_file() else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.package", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="package folder (default skill/skill-package)")
    parser.add_argument("--base-url", help="public https origin (default PUBLIC_BASE_URL)")
    parser.add_argument("--skill-id", help="the skill's id (default ALEXA_SKILL_ID)")
    parser.add_argument("--reviewer-number", help="the certification reviewers' test number (default "
                                                  "REVIEWER_PHONE_NUMBER)")
    args = parser.parse_args(argv)
    settings = _from_settings()
    base_url = args.base_url or settings["base_url"]
    if not base_url:
        print("python -m skill.package: set PUBLIC_BASE_URL (or pass --base-url https://YOUR-HOST)", file=sys.stderr)
        return 2
    try:
        written = write(args.out, base_url, args.skill_id or settings["skill_id"],
                        args.reviewer_number or settings["reviewer_number"])
    except PackageError as error:
        print(f"python -m skill.package: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
