"""Safety lines by country: load core/safety/resources.yaml, check every entry, pick the person's country."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml

DEFAULT_PATH = Path(__file__).with_name("resources.yaml")
COUNTRIES = ("US", "CA", "GB", "AU")  # ISO 3166-1 alpha-2, as phonenumbers names regions
GENERIC = "ZZ"  # phonenumbers' own code for "unknown region"
KINDS = ("emergency", "crisis", "domestic_violence", "directory")
HOWS = ("call", "text", "tty")
STATUSES = ("official", "secondary")
SPELLINGS = ("en-US", "en-CA", "en-GB", "en-AU")
LOCALE_REGIONS = {"UK": "GB"}  # people write en-UK; the ISO code is GB
NUMBER = re.compile(r"\d+(?:[ -]\d+)*")
KEYWORD = re.compile(r"[A-Z]{2,12}")
URL = re.compile(r"https://[a-z0-9.-]+\.[a-z]{2,}(?:/\S*)?")


class ResourceError(ValueError):
    """The resources file is unreadable or an entry breaks a rule."""


@dataclass(frozen=True)
class Source:
    """Where a number was checked, who published that page, and when we read it."""

    url: str
    owner: str
    status: str  # official | secondary
    checked: dt.date

    @property
    def confirmed(self) -> bool:
        """True when the number was read on the organisation's own page or a government page."""
        return self.status == "official"


@dataclass(frozen=True)
class Way:
    """One way to reach a line: a call, a text (optionally with a keyword) or a TTY number."""

    how: str
    number: str  # as people write it locally: "1-800-799-7233", "0808 2000 247"
    source: Source
    keyword: str | None = None  # "START" for "text START to 88788"
    silent_option: str | None = None  # keys to press when you cannot speak (UK 999: 55)
    spoken: str | None = None  # how people say it ("triple zero"), read before the digits

    @property
    def digits(self) -> str:
        """The number as dialled, digits only."""
        return re.sub(r"\D", "", self.number)

    @property
    def groups(self) -> tuple[str, ...]:
        """The number's digit groups as written ("1", "800", "799", "7233")."""
        return tuple(re.split(r"[ -]", self.number))


@dataclass(frozen=True)
class Line:
    """A crisis, domestic-violence or emergency line (or a pointer to where such lines are listed)."""

    key: str
    kind: str
    name: str
    ways: tuple[Way, ...]
    url: str | None = None
    source: Source | None = None  # for pointers without a number
    local_pointer: bool = False  # "your local emergency number": names no number on purpose
    spoken_url: str | None = None  # how to say the url aloud ("find a helpline dot com")
    article: str = ""  # "the" when the name is said with one

    def way(self, how: str) -> Way | None:
        """The first way of this kind (call, text, tty), or None."""
        return next((w for w in self.ways if w.how == how), None)


@dataclass(frozen=True)
class CountryResources:
    """The lines offered to someone in one country, in the order they should be read."""

    country: str  # "US", "CA", "GB", "AU", or GENERIC
    spelling: str  # en-US, en-CA, en-GB, en-AU
    lines: tuple[Line, ...]

    @property
    def is_generic(self) -> bool:
        """True for the pointer offered where we hold no country-specific lines."""
        return self.country == GENERIC

    def of_kind(self, kind: str) -> tuple[Line, ...]:
        """The lines of one kind (emergency, crisis, domestic_violence, directory)."""
        return tuple(line for line in self.lines if line.kind == kind)


@dataclass(frozen=True)
class Directory:
    """Every country's resources plus the generic pointer."""

    countries: dict[str, CountryResources]
    generic: CountryResources

    def for_country(self, country: str | None) -> CountryResources:
        """The resources for an ISO country code; the generic pointer for any other code."""
        return self.countries.get((country or "").upper(), self.generic)


def _fail(where: str, message: str):
    raise ResourceError(f"{where}: {message}")


def _date(value, where: str) -> dt.date:
    """A checked date, from YAML's date or an ISO string; not in the future is not checked here."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        _fail(where, "needs a checked date (YYYY-MM-DD)")
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except ValueError:
        _fail(where, f"checked {value!r} is not a date (YYYY-MM-DD)")


def _text(raw: dict, field: str, where: str) -> str:
    """A required non-empty string field."""
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"needs {field}")
    return value.strip()


def _source(raw: dict, where: str) -> Source:
    """The source of a number or pointer: url, owner, status and checked date are all required."""
    url = _text(raw, "source_url", where)
    if not URL.fullmatch(url):
        _fail(where, f"source_url {url!r} is not an https address")
    status = _text(raw, "status", where)
    if status not in STATUSES:
        _fail(where, f"status {status!r} is not one of {STATUSES}")
    return Source(url, _text(raw, "source_owner", where), status, _date(raw.get("checked"), where))


def _way(raw, where: str) -> Way:
    """One call/text/tty entry."""
    if not isinstance(raw, dict):
        _fail(where, "each way is a mapping")
    how = _text(raw, "how", where)
    if how not in HOWS:
        _fail(where, f"how {how!r} is not one of {HOWS}")
    number = str(raw.get("number") or "").strip()
    if not NUMBER.fullmatch(number):
        _fail(where, f"number {number!r} must be digits, optionally grouped by spaces or hyphens")
    keyword = raw.get("keyword")
    if keyword is not None and (how != "text" or not KEYWORD.fullmatch(str(keyword))):
        _fail(where, "keyword belongs to a text way and is one capitalised word")
    silent = raw.get("silent_option")
    if silent is not None and not str(silent).isdigit():
        _fail(where, "silent_option is the digits to press")
    return Way(how, number, _source(raw, where), keyword, silent and str(silent), raw.get("spoken"))


def _line(raw, where: str) -> Line:
    """One line, with its ways; a line without a number must be a sourced pointer with a url."""
    if not isinstance(raw, dict):
        _fail(where, "each line is a mapping")
    key = _text(raw, "key", where)
    where = f"{where} {key}"
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        _fail(where, f"kind {kind!r} is not one of {KINDS}")
    ways = tuple(_way(w, f"{where} way {i + 1}") for i, w in enumerate(raw.get("ways") or ()))
    url = raw.get("url")
    if url is not None and not URL.fullmatch(str(url)):
        _fail(where, f"url {url!r} is not an https address")
    local = bool(raw.get("local_pointer"))
    source = _source(raw, where) if "source_url" in raw else None
    if not ways and not local and not (url and source):
        _fail(where, "has no number: give ways, or a url with its source (a pointer)")
    spoken_url = raw.get("spoken_url")
    if spoken_url is not None and not url:
        _fail(where, "spoken_url without a url")
    article = raw.get("article") or ""
    if article not in ("", "the"):
        _fail(where, "article is 'the' or absent")
    return Line(key, kind, _text(raw, "name", where), ways, url, source, local, spoken_url, article)


def _country(code: str, raw, where: str) -> CountryResources:
    """One country's block: a known spelling and at least one emergency line."""
    if not isinstance(raw, dict) or not isinstance(raw.get("lines"), list) or not raw["lines"]:
        _fail(where, "needs a list of lines")
    spelling = raw.get("spelling")
    if spelling not in SPELLINGS:
        _fail(where, f"spelling {spelling!r} is not one of {SPELLINGS}")
    lines = tuple(_line(item, f"{where} line {i + 1}") for i, item in enumerate(raw["lines"]))
    if not any(line.kind == "emergency" for line in lines):
        _fail(where, "needs an emergency line")
    return CountryResources(code, spelling, lines)


def parse_directory(data) -> Directory:
    """Validate the parsed YAML and build the directory; ResourceError names the first broken entry."""
    if not isinstance(data, dict) or not isinstance(data.get("countries"), dict):
        raise ResourceError("resources file needs a 'countries' mapping")
    unknown = sorted(set(data["countries"]) - set(COUNTRIES))
    if unknown:
        raise ResourceError(f"unknown country codes {unknown}; known: {COUNTRIES}")
    missing = sorted(set(COUNTRIES) - set(data["countries"]))
    if missing:
        raise ResourceError(f"countries missing from the file: {missing}")
    countries = {code: _country(code, raw, code) for code, raw in data["countries"].items()}
    generic = _country(GENERIC, data.get("generic"), "generic")
    if not generic.of_kind("directory"):
        raise ResourceError("generic: needs a directory of helplines")
    keys = [line.key for res in (*countries.values(), generic) for line in res.lines]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise ResourceError(f"duplicate line keys {duplicated}")
    return Directory(countries, generic)


def load_directory(path: Path | str = DEFAULT_PATH) -> Directory:
    """Read and validate a resources file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ResourceError(f"cannot read {path}: {exc}") from exc
    return parse_directory(data)


@functools.cache
def default_directory() -> Directory:
    """The shipped resources file, loaded once."""
    return load_directory(DEFAULT_PATH)


def country_of_phone(phone_e164: str | None) -> str | None:
    """The ISO region of a phone number (+1 415... -> US, +1 416... -> CA), or None if it cannot be told."""
    if not phone_e164:
        return None
    try:
        number = phonenumbers.parse(str(phone_e164), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    if not region and number.country_code != 1:
        # Not a valid number, but its country code still names one main country (+44 -> GB). +1 is left
        # to the locale: without a valid area code it cannot tell the US from Canada.
        region = phonenumbers.region_code_for_country_code(number.country_code)
    return region if region and region != GENERIC else None


def country_of_locale(locale: str | None) -> str | None:
    """The region of a locale such as en-US, en_GB or fr-CA; None when it names no region."""
    parts = re.split(r"[-_]", (locale or "").strip())
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z]{2}", parts[-1]):
        return None
    region = parts[-1].upper()
    return LOCALE_REGIONS.get(region, region)


def resources_for(phone_e164: str | None = None, locale: str | None = None,
                  directory: Directory | None = None) -> CountryResources:
    """The lines for the person's country: the phone's country first, then the device locale, else generic.

    A phone from a country we hold no lines for gets the generic pointer, not the locale's country:
    a number is better evidence of where someone is than the language their speaker is set to.
    """
    directory = directory or default_directory()
    country = country_of_phone(phone_e164) or country_of_locale(locale)
    return directory.for_country(country)
