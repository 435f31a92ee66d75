"""The skill package is written by `python -m skill.package` from the settings, and what it writes is what
Amazon's SMAPI models (the ask-smapi-model package) define: every field known, every value of a known kind."""
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from ask_sdk_model_runtime.serializer import DefaultSerializer

from skill import package
from skill.model import LOCALES, spoken_phone
from skill.model.icons import SIZES, draw

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "skill" / "skill-package"
MANIFEST_TYPE = "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope"
MODEL_TYPE = "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData"
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
serializer = DefaultSerializer()


def round_trip(data: dict, kind: str) -> dict:
    """Through Amazon's model classes and back: unknown fields are dropped, so a difference names them."""
    return serializer.serialize(serializer.deserialize(json.dumps(data), kind))


def unknown_fields(original, back, path="") -> list[str]:
    if isinstance(original, dict):
        found = []
        for key, value in original.items():
            if not isinstance(back, dict) or key not in back:
                found.append(f"{path}/{key}")
            else:
                found += unknown_fields(value, back[key], f"{path}/{key}")
        return found
    if isinstance(original, list):
        return [f for a, b in zip(original, back) for f in unknown_fields(a, b, path + "[]")]
    return [] if original == back else [f"{path}={original!r}"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("project") / "skill-package"
    paths = package.write(out, "https://tb.example.org/", SKILL_ID, "+15555550100")
    return out, paths


def test_the_written_manifest_is_an_smapi_skill_manifest(written):
    out, _ = written
    manifest = json.loads((out / "skill.json").read_text(encoding="utf-8"))
    assert unknown_fields(manifest, round_trip(manifest, MANIFEST_TYPE)) == []
    envelope = serializer.deserialize(json.dumps(manifest), MANIFEST_TYPE)
    info = envelope.manifest
    assert info.apis.custom.endpoint.uri == "https://tb.example.org/alexa"
    assert [p.name.value for p in info.permissions] == list(package.PERMISSIONS)
    assert [i.object_type for i in info.apis.custom.interfaces] == ["ALEXA_PRESENTATION_APL"]
    assert info.apis.custom.interfaces[0].supported_viewports  # Amazon requires at least one
    assert [e.event_name for e in info.events.publications] == ["AMAZON.MessageAlert.Activated"]
    assert info.events.endpoint.uri == "https://tb.example.org/alexa"
    document = json.loads((out / "response/prompts/TrustBuilderHome/document.json").read_text(encoding="utf-8"))
    assert document["type"] == "APL" and document["mainTemplate"]["parameters"] == ["payload"]
    assert info.publishing_information.category == "FRIENDS_AND_FAMILY"
    for locale in LOCALES:
        privacy = info.privacy_and_compliance.locales[locale]
        assert (privacy.privacy_policy_url, privacy.terms_of_use_url) == (
            "https://tb.example.org/privacy", "https://tb.example.org/terms")
        listing = info.publishing_information.locales[locale]
        assert listing.small_icon_uri == f"file://assets/images/{locale}_smallIconUri.png"
        assert (out / listing.small_icon_uri.removeprefix("file://")).is_file()
        assert (out / listing.large_icon_uri.removeprefix("file://")).is_file()
    assert "+15555550100" in info.publishing_information.testing_instructions


def test_the_check_can_fail_on_an_unknown_field_or_permission(written):
    out, _ = written
    manifest = json.loads((out / "skill.json").read_text(encoding="utf-8"))
    manifest["manifest"]["apis"]["custom"]["endpoint"]["url"] = "https://tb.example.org/alexa"  # uri, not url
    assert unknown_fields(manifest, round_trip(manifest, MANIFEST_TYPE)) == ["/manifest/apis/custom/endpoint/url"]
    manifest["manifest"]["permissions"] = [{"name": "alexa::person_id:write"}]
    with pytest.raises(Exception):
        round_trip(manifest, MANIFEST_TYPE)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_written_models_are_smapi_interaction_models(written, locale):
    out, _ = written
    model = json.loads((out / "interactionModels" / "custom" / f"{locale}.json").read_text(encoding="utf-8"))
    assert unknown_fields(model, round_trip(model, MODEL_TYPE)) == []


def test_the_committed_package_is_the_generated_one():
    """Nothing in skill/skill-package is edited by hand: it is exactly what the command writes."""
    wanted = package.files(package.PLACEHOLDER_BASE_URL)
    committed = {p.relative_to(COMMITTED).as_posix(): p.read_bytes()
                 for p in COMMITTED.rglob("*") if p.is_file()}
    assert set(committed) == set(wanted)
    stale = [name for name in wanted if committed[name] != wanted[name]]
    assert not stale, f"stale: {stale}; run python -m skill.package --base-url {package.PLACEHOLDER_BASE_URL}"


def test_the_ask_cli_finds_the_package_and_no_hosted_code():
    resources = json.loads((ROOT / "skill" / "ask-resources.json").read_text(encoding="utf-8"))
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"]["src"] == "./skill-package"
    assert "code" not in profile and "skillInfrastructure" not in profile  # our endpoint is an https URL


def test_the_skill_id_goes_to_the_ask_cli_state(written):
    out, paths = written
    states = out.parent / ".ask" / "ask-states.json"
    assert states in paths
    assert json.loads(states.read_text())["profiles"]["default"]["skillId"] == SKILL_ID


@pytest.mark.parametrize("base_url", ["http://tb.example.org", "https://tb.example.org:8443", "", "tb.example.org",
                                      "https://tb.example.org/app"])
def test_alexa_endpoints_must_be_https_origins(tmp_path, base_url):
    with pytest.raises(package.PackageError, match="PUBLIC_BASE_URL"):
        package.write(tmp_path / "skill-package", base_url)


def test_a_bad_skill_id_is_refused(tmp_path):
    with pytest.raises(package.PackageError, match="ALEXA_SKILL_ID"):
        package.write(tmp_path / "skill-package", "https://tb.example.org", "my-skill")


def test_the_command_reads_public_base_url_and_skill_id_from_the_environment(tmp_path):
    out = tmp_path / "pkg"
    env = {"PATH": "/usr/bin:/bin", "PUBLIC_BASE_URL": "https://voice.example.net", "ALEXA_SKILL_ID": SKILL_ID}
    done = subprocess.run([sys.executable, "-m", "skill.package", "--out", str(out)], cwd=tmp_path, env={
        **env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "skill.json").read_text())["manifest"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"] == "https://voice.example.net/alexa"
    assert (tmp_path / ".ask" / "ask-states.json").is_file()


def test_the_command_refuses_without_a_public_base_url(tmp_path):
    done = subprocess.run([sys.executable, "-m", "skill.package", "--out", str(tmp_path / "pkg")], cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "PUBLIC_BASE_URL" in done.stderr
    assert not (tmp_path / "pkg").exists()


@pytest.mark.parametrize("kind, size", SIZES.items())
def test_icons_are_png_of_the_sizes_amazon_asks_for(kind, size):
    png = (COMMITTED / "assets" / "images" / f"en-US_{kind}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (size, size)
    length = struct.unpack(">I", png[33:37])[0]
    pixels = zlib.decompress(png[41:41 + length])
    assert len(pixels) == size * (1 + 3 * size)
    assert len(set(pixels[1:1 + 3 * size * 2])) > 1 or len(set(pixels)) > 10  # not a blank square


@pytest.mark.parametrize("locale, number, spoken", [
    ("en-US", "+15555550123", "five five five, five five five, zero one two three"),
    ("en-GB", "+447700900123", "oh seven seven oh oh, nine oh oh one two three"),
    ("en-AU", "+61412345678", "zero four one two, three four five, six seven eight"),
])
def test_phone_numbers_are_read_back_the_way_each_locale_reads_them(locale, number, spoken):
    assert spoken_phone(number, locale) == spoken


@pytest.mark.parametrize("change, named", [
    (lambda m: m["permissions"].append({"name": "alexa::profile:email:read"}), "permissions"),
    (lambda m: m["permissions"].pop(), "permissions"),
    (lambda m: m["apis"]["custom"].update(interfaces=[]), "interfaces"),
    (lambda m: m.pop("events"), "event publications"),
    (lambda m: m["events"]["publications"].append({"eventName": "AMAZON.Occasion.Updated"}), "event publications"),
])
def test_the_command_refuses_a_manifest_that_is_not_exactly_what_the_code_uses(change, named):
    files = package.files(package.PLACEHOLDER_BASE_URL)
    manifest = json.loads(files["skill.json"])
    change(manifest["manifest"])
    files["skill.json"] = json.dumps(manifest).encode()
    with pytest.raises(package.PackageError, match=named):
        package.check(files)


def test_the_apl_interface_needs_the_document_in_the_package():
    files = package.files(package.PLACEHOLDER_BASE_URL)
    del files["response/prompts/TrustBuilderHome/document.json"]
    with pytest.raises(package.PackageError, match="TrustBuilderHome"):
        package.check(files)
