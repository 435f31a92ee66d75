"""Safety: the resource file is complete and checked, the country is picked right, the renderings fit, and
the danger phrases catch real danger without firing on everyday speech."""
import copy
import datetime as dt
import re
from collections import Counter

import pytest
import yaml

from core.safety import (
    COUNTRIES, CountryResources, Line, PhraseError, ResourceError, Source, Way, as_speech, as_text,
    country_of_locale, country_of_phone, default_directory, load_directory, load_phrases, normalise,
    reads_as_danger, resources_for, speak_number,
)
from core.safety.danger import DEFAULT_PATH as PHRASES_PATH
from core.safety.danger import parse_phrases
from core.safety.render import SMS_LIMIT
from core.safety.resources import DEFAULT_PATH as RESOURCES_PATH
from core.safety.resources import GENERIC, parse_directory
from prompts.bank import GSM7

CHECKED = dt.date(2026, 12, 1)


def shipped_resources() -> dict:
    """A fresh copy of the shipped resources YAML, to mutate."""
    return yaml.safe_load(RESOURCES_PATH.read_text(encoding="utf-8"))


def dialled(resources: CountryResources, kind: str, how: str = "call") -> list[str]:
    """The digits of every `how` way of the lines of `kind`."""
    return [w.digits for line in resources.of_kind(kind) for w in line.ways if w.how == how]


# ---- the resources file ---------------------------------------------------------------------------------

def test_shipped_file_covers_each_country_with_every_kind_of_line():
    directory = default_directory()
    assert set(directory.countries) == set(COUNTRIES) == {"US", "CA", "GB", "AU"}
    for code, res in directory.countries.items():
        assert res.country == code
        for kind in ("emergency", "crisis", "domestic_violence"):
            assert res.of_kind(kind), f"{code} has no {kind} line"


def test_every_number_has_a_source_an_owner_and_a_checked_date():
    directory = default_directory()
    every = [*directory.countries.values(), directory.generic]
    ways = [w for res in every for line in res.lines for w in line.ways]
    assert len(ways) >= 15
    for way in ways:
        assert way.source.url.startswith("https://")
        assert way.source.owner
        assert way.source.status in ("official", "secondary")
        assert way.source.checked == CHECKED
    pointers = [line for res in every for line in res.lines if not line.ways and not line.local_pointer]
    assert pointers and all(line.url and line.source and line.source.checked == CHECKED for line in pointers)


@pytest.mark.parametrize("country, kind, how, digits", [
    ("US", "emergency", "call", "911"),
    ("US", "crisis", "call", "988"),
    ("US", "crisis", "text", "988"),
    ("US", "domestic_violence", "call", "18007997233"),
    ("US", "domestic_violence", "text", "88788"),
    ("US", "domestic_violence", "tty", "18007873224"),
    ("CA", "emergency", "call", "911"),
    ("CA", "crisis", "call", "988"),
    ("CA", "crisis", "text", "988"),
    ("GB", "emergency", "call", "999"),
    ("GB", "crisis", "call", "116123"),
    ("GB", "domestic_violence", "call", "08082000247"),
    ("AU", "emergency", "call", "000"),
    ("AU", "crisis", "call", "131114"),
    ("AU", "crisis", "text", "0477131114"),
    ("AU", "domestic_violence", "call", "1800737732"),
    ("AU", "domestic_violence", "text", "0458737732"),
])
def test_the_checked_numbers_are_the_ones_shipped(country, kind, how, digits):
    assert digits in dialled(default_directory().for_country(country), kind, how)


def test_the_us_hotline_text_keyword_and_the_uk_silent_solution_are_kept():
    us_text = default_directory().for_country("US").of_kind("domestic_violence")[0].way("text")
    assert (us_text.keyword, us_text.number) == ("START", "88788")
    assert default_directory().for_country("GB").of_kind("emergency")[0].way("call").silent_option == "55"


def test_numbers_found_only_in_secondary_sources_are_marked_so():
    au = default_directory().for_country("AU")
    unconfirmed = {w.digits for line in au.lines for w in line.ways if not w.source.confirmed}
    assert {"0477131114", "0458737732"} <= unconfirmed
    assert default_directory().for_country("US").of_kind("crisis")[0].way("call").source.confirmed


def test_generic_points_to_the_local_emergency_number_and_a_helpline_directory():
    generic = default_directory().generic
    assert generic.is_generic and generic.country == GENERIC
    assert generic.of_kind("emergency")[0].local_pointer
    assert generic.of_kind("directory")[0].url == "https://findahelpline.com"


def test_load_directory_reads_a_file(tmp_path):
    path = tmp_path / "resources.yaml"
    path.write_text(RESOURCES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_directory(path).for_country("GB").of_kind("crisis")[0].name == "Samaritans"


def test_an_unreadable_file_is_a_resource_error(tmp_path):
    path = tmp_path / "resources.yaml"
    path.write_text("countries: [unclosed", encoding="utf-8")
    with pytest.raises(ResourceError, match="cannot read"):
        load_directory(path)
    with pytest.raises(ResourceError, match="cannot read"):
        load_directory(tmp_path / "missing.yaml")


def _first_way(data, country="US"):
    return data["countries"][country]["lines"][1]["ways"][0]


@pytest.mark.parametrize("breakage, message", [
    (lambda d: _first_way(d).pop("source_url"), "needs source_url"),
    (lambda d: _first_way(d).update(source_url="http://insecure.example.org"), "not an https address"),
    (lambda d: _first_way(d).pop("checked"), "checked date"),
    (lambda d: _first_way(d).update(checked="last week"), "not a date"),
    (lambda d: _first_way(d).pop("source_owner"), "needs source_owner"),
    (lambda d: _first_way(d).update(status="probably"), "status"),
    (lambda d: _first_way(d).update(number="call us"), "number"),
    (lambda d: _first_way(d).update(number=""), "number"),
    (lambda d: _first_way(d).update(how="fax"), "how"),
    (lambda d: _first_way(d).update(keyword="start"), "keyword"),
    (lambda d: d["countries"]["US"]["lines"][1].update(kind="hotline"), "kind"),
    (lambda d: d["countries"]["US"]["lines"][1].update(ways=[]), "has no number"),
    (lambda d: d["countries"]["US"]["lines"][1].update(url="www.no-scheme.org"), "url"),
    (lambda d: d["countries"]["US"]["lines"][1].update(key="us.emergency"), "duplicate line keys"),
    (lambda d: d["countries"]["US"].update(lines=d["countries"]["US"]["lines"][1:]), "emergency line"),
    (lambda d: d["countries"]["US"].update(spelling="en-XX"), "spelling"),
    (lambda d: d["countries"].update(XX=d["countries"]["US"]), "unknown country codes"),
    (lambda d: d["countries"].pop("AU"), "missing"),
    (lambda d: d["generic"]["lines"].pop(), "directory"),
    (lambda d: d["countries"]["CA"]["lines"][2].pop("source_url"), "has no number"),
])
def test_the_loader_rejects_each_kind_of_broken_entry(breakage, message):
    data = shipped_resources()
    breakage(data)
    with pytest.raises(ResourceError, match=message):
        parse_directory(data)


def test_an_untouched_copy_parses():
    assert parse_directory(copy.deepcopy(shipped_resources())).for_country("AU").spelling == "en-AU"


# ---- picking the country --------------------------------------------------------------------------------

@pytest.mark.parametrize("phone, locale, country", [
    ("+14155550100", None, "US"),       # San Francisco
    ("+12125550100", "en-GB", "US"),    # the phone wins over the locale
    ("+14165550100", None, "CA"),       # Toronto: +1, but Canada
    ("+16045550100", "en-US", "CA"),    # Vancouver, on a US-English device
    ("+442071838750", None, "GB"),
    ("+447700900123", None, "GB"),      # not a valid number, but +44 names one country
    ("+61291234567", None, "AU"),
    ("+61412345678", "en-US", "AU"),
    ("+33612345678", "en-US", GENERIC), # France: no lines held, and not the locale's US lines
    ("+15555550100", "en-CA", "CA"),    # +1 with no valid area code: the locale decides
    (None, "en-US", "US"),
    (None, "en-CA", "CA"),
    (None, "fr-CA", "CA"),
    (None, "en-GB", "GB"),
    (None, "en_GB", "GB"),
    (None, "en-UK", "GB"),
    (None, "en-AU", "AU"),
    (None, "en-IN", GENERIC),
    (None, "en", GENERIC),
    ("not a phone", "en-AU", "AU"),
    ("", "", GENERIC),
    (None, None, GENERIC),
])
def test_resources_for_picks_the_phone_country_then_the_locale_then_generic(phone, locale, country):
    assert resources_for(phone, locale).country == country


def test_country_helpers():
    assert country_of_phone("+14165550100") == "CA"
    assert country_of_phone("+999123") is None
    assert country_of_locale("en-au") == "AU"
    assert country_of_locale("english") is None


# ---- renderings -----------------------------------------------------------------------------------------

EVERY = ("US", "CA", "GB", "AU", GENERIC)


@pytest.mark.parametrize("country", EVERY)
def test_the_text_fits_two_segments_in_plain_gsm7(country):
    text = as_text(default_directory().for_country(country))
    assert 0 < len(text) <= SMS_LIMIT
    assert set(text) <= GSM7, set(text) - GSM7


@pytest.mark.parametrize("country", EVERY)
def test_the_text_lists_every_number_and_pointer(country):
    res = default_directory().for_country(country)
    text = as_text(res)
    for line in res.lines:
        for way in line.ways:
            assert way.number in text
        if not line.ways and line.url:
            assert line.url in text


def test_texts_use_each_countrys_words():
    texts = {c: as_text(default_directory().for_country(c)) for c in COUNTRIES}
    assert "text START to 88788" in texts["US"] and "call or text 988" in texts["US"]
    assert "Domestic abuse:" in texts["GB"] and "press 55" in texts["GB"]
    assert "Family violence:" in texts["CA"] and "Family and domestic violence:" in texts["AU"]
    assert "Domestic violence:" in texts["US"]


@pytest.mark.parametrize("country", EVERY)
def test_speech_reads_every_number_digit_by_digit(country):
    speech = as_speech(default_directory().for_country(country))
    assert not re.search(r"\d\d", speech), speech
    assert not re.search(r"[<>&]", speech)


def test_speech_uses_local_names_and_phrasing():
    speech = {c: as_speech(default_directory().for_country(c)) for c in COUNTRIES}
    assert "triple zero, 0 0 0" in speech["AU"]
    assert "press 5 5" in speech["GB"]
    assert "call the National Domestic Violence Hotline at 1, 8 0 0, 7 9 9, 7 2 3 3" in speech["US"]
    assert "call Samaritans on 1 1 6, 1 2 3" in speech["GB"]
    assert "text the word START to 8 8 7 8 8" in speech["US"]
    assert "justice dot g c dot c a" in speech["CA"]
    assert "find a helpline dot com" in as_speech(default_directory().generic)


def test_speak_number_keeps_the_written_groups():
    assert speak_number("1-800-799-7233") == "1, 8 0 0, 7 9 9, 7 2 3 3"
    assert speak_number("0808 2000 247") == "0 8 0 8, 2 0 0 0, 2 4 7"
    assert speak_number("988") == "9 8 8"


def test_a_text_that_would_not_fit_drops_the_tty_number_first():
    source = Source("https://example.org", "test", "official", CHECKED)
    long_name = "A Long Official Name For A National Support Service, Written Out In Many Full Words Too"
    lines = (
        Line("x.e", "emergency", "911", (Way("call", "911", source),)),
        Line("x.c", "crisis", long_name, (Way("call", "988", source), Way("text", "988", source))),
        Line("x.d", "domestic_violence", long_name,
             (Way("call", "1-800-799-7233", source), Way("tty", "1-800-787-3224", source))),
    )
    text = as_text(CountryResources("US", "en-US", lines))
    assert len(text) <= SMS_LIMIT < len(text) + len(" or TTY 1-800-787-3224")  # the TTY would not have fit
    assert "1-800-799-7233" in text and "1-800-787-3224" not in text


# ---- danger phrases -------------------------------------------------------------------------------------

POSITIVES = [
    ("I'm scared of him", "fear_of_partner"),
    ("Im scared of him", "fear_of_partner"),
    ("i\u2019m so scared of her", "fear_of_partner"),
    ("I am terrified of my husband.", "fear_of_partner"),
    ("I\u2019m so afraid of him.", "fear_of_partner"),
    ("I'm afraid of what he'll do", "fear_of_partner"),
    ("im afraid of what she will do if I leave", "fear_of_partner"),
    ("I'm scared he'll find me", "fear_of_partner"),
    ("he won't let me leave", "fear_of_partner"),
    ("He wont let me see my friends", "fear_of_partner"),
    ("my ex is stalking me", "fear_of_partner"),
    ("he took my phone and my keys", "fear_of_partner"),
    ("I'm scared to go home tonight", "fear_of_partner"),
    ("I fear for my life", "fear_of_partner"),
    ("She scares me when she drinks", "fear_of_partner"),
    ("he's so controlling with me", "fear_of_partner"),
    ("he grabbed me by the arm", "violence"),
    ("I think it's coercive control", "danger"),
    ("he hit me", "violence"),
    ("He hit me again last night.", "violence"),
    ("HE HIT ME", "violence"),
    ("she threatened me", "violence"),
    ("My boyfriend threatened to kill me", "violence"),
    ("he choked me", "violence"),
    ("choked me until I passed out", "violence"),
    ("He got drunk and hit me", "violence"),
    ("my husband has been hitting me", "violence"),
    ("He's been hurting me", "violence"),
    ("she slapped me in front of the kids", "violence"),
    ("he pushed me down the stairs", "violence"),
    ("I think he is going to hurt me", "violence"),
    ("she beat me up", "violence"),
    ("he threw a plate at me", "violence"),
    ("He has a gun and said he'd use it", "violence"),
    ("she locked me out of the house in the snow", "violence"),
    ("He raped me", "violence"),
    ("he's violent with me when he drinks", "violence"),
    ("I don't feel safe at home", "danger"),
    ("I dont feel safe anymore", "danger"),
    ("I'm not safe", "danger"),
    ("im not safe here", "danger"),
    ("I feel unsafe at home", "danger"),
    ("I'm in danger", "danger"),
    ("I'm in an abusive relationship", "danger"),
    ("I think this is domestic violence", "danger"),
    ("I need a restraining order", "danger"),
    ("I want to die", "self_harm"),
    ("i wanna die", "self_harm"),
    ("I want to kill myself", "self_harm"),
    ("sometimes I think about killing myself", "self_harm"),
    ("hurt myself", "self_harm"),
    ("I've been cutting myself again", "self_harm"),
    ("Everyone would be better off without me", "self_harm"),
    ("I don't want to live anymore", "self_harm"),
    ("I can't go on like this", "self_harm"),
    ("I wish I was dead", "self_harm"),
    ("suicidal thoughts again today", "self_harm"),
    ("kms", "self_harm"),
    ("I've thought about ending it", "self_harm"),
]

NEGATIVES = [
    "I'm scared of spiders",
    "this movie killed me",
    "I'd die for a coffee",
    "I'm scared of her leaving me",
    "I'm afraid of losing him",
    "I'm not scared of him anymore",
    "I'm scared of heights",
    "I'm scared of failing again",
    "I'm afraid of letting you down",
    "I'm scared of what they will think of us",
    "I'm afraid I forgot to call",
    "I'm afraid I can't make it tonight",
    "She's scared of the dark",
    "He's afraid of flying",
    "It finally hit me how much I hurt her",
    "He hit the nail on the head",
    "We hit a rough patch this year",
    "He hurt me when he lied",
    "I hurt her by lying and I'm sorry",
    "She pushed me to apply for the job",
    "she beat me at chess again",
    "he hit me up on Facebook",
    "She threatened to leave if I lie again",
    "I could kill for a pizza",
    "I killed it at my presentation",
    "I'm dying to see you",
    "I laughed so hard I nearly died",
    "Work is killing me",
    "The suspense is killing me",
    "My feet are killing me",
    "I'd die of embarrassment",
    "He said he'd kill for a burger",
    "She won't let me pay for dinner",
    "He won't let me forget it",
    "He never lets me down",
    "she let me sleep in today",
    "I feel safe with him now",
    "She makes me feel safe",
    "Home feels safe again",
    "I am safe now, thank you",
    "It's not safe to leave the oven on",
    "I don't want to lose you",
    "I'm trapped in traffic",
    "thanks for listening",
    "I want to try harder",
    "We talked about the kids' school",
    "",
    "   ",
]


def test_there_are_at_least_forty_cases_each_way():
    assert len(POSITIVES) >= 40 and len(NEGATIVES) >= 40


@pytest.mark.parametrize("text, category", POSITIVES)
def test_danger_is_caught(text, category):
    signal = reads_as_danger(text)
    assert signal is not None, text
    assert signal.category == category, (text, signal)
    assert signal.matched and signal.phrase


@pytest.mark.parametrize("text", NEGATIVES)
def test_everyday_speech_is_not_flagged(text):
    assert reads_as_danger(text) is None, (text, reads_as_danger(text))


def test_none_is_not_danger():
    assert reads_as_danger(None) is None


@pytest.mark.parametrize("raw, normal", [
    ("I\u2019m", "i am"),
    ("Im", "i am"),
    ("I'M SCARED!!!", "i am scared"),
    ("won't", "will not"),
    ("can't", "can not"),
    ("he'll", "he will"),
    ("she's been", "she has been"),
    ("hes been", "he has been"),
    ("I'd", "i would"),
    ("self-harm", "self harm"),
    ("wanna", "want to"),
    ("afriad   of\thim", "afraid of him"),
    ("my bf", "my boyfriend"),
])
def test_normalise(raw, normal):
    assert normalise(raw) == normal


def test_the_phrase_file_loads_with_every_category_and_no_duplicates():
    data = yaml.safe_load(PHRASES_PATH.read_text(encoding="utf-8"))
    phrases = [" ".join(p.split()) for group in data["categories"].values() for p in group]
    duplicated = [p for p, n in Counter(phrases).items() if n > 1]
    assert not duplicated
    loaded = load_phrases()
    assert loaded.count() == len(phrases) >= 60
    for category in ("self_harm", "violence", "fear_of_partner", "danger"):
        assert loaded.count(category) >= 10


def _phrases(**categories):
    return {"macros": {"he": "he|she"}, "categories": categories}


@pytest.mark.parametrize("data, message", [
    (_phrases(danger=["i am not safe", "i  am not safe"]), "listed twice"),
    (_phrases(danger=["i am not safe"], violence=["i am not safe"]), "listed twice"),
    (_phrases(danger=["{him} hit me"]), "unknown macro"),
    (_phrases(danger=["(he|she hit me"]), "unbalanced"),
    (_phrases(danger=["He hit me"]), "normalised word"),
    (_phrases(danger=["he's here"]), "normalised word"),
    (_phrases(danger=["[maybe]"]), "optional as a whole"),
    (_phrases(danger=[""]), "empty phrase"),
    (_phrases(danger=["(he|) hit me"]), "empty alternative"),
    (_phrases(worry=["i am sad"]), "unknown categories"),
    (_phrases(), "no phrases"),
    ({"categories": {"danger": ["x"]}, "macros": {"he": "He|she"}}, "macro"),
    ({"nothing": 1}, "categories"),
])
def test_the_phrase_loader_rejects_bad_entries(data, message):
    with pytest.raises(PhraseError, match=message):
        parse_phrases(data)


def test_a_custom_phrase_list_is_used_with_macros_options_and_exclusions():
    phrases = parse_phrases({
        "macros": {"he": "he|my partner"},
        "categories": {"danger": ["{he} [really] scares me !(sometimes)"]},
    })
    assert reads_as_danger("My partner really scares me", phrases).category == "danger"
    assert reads_as_danger("he scares me.", phrases).matched == "he scares me"
    assert reads_as_danger("he scares me sometimes", phrases) is None
    assert reads_as_danger("she scares me", phrases) is None
    assert reads_as_danger("he scares meat", phrases) is None  # whole words only


def test_an_unreadable_phrase_file_is_a_phrase_error(tmp_path):
    with pytest.raises(PhraseError, match="cannot read"):
        load_phrases(tmp_path / "missing.yaml")
