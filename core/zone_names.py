"""Time zone names as people type them: "america/chicago", "new york", "LA", "PST" or "UTC+2"."""
import re
import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

_ABBREVIATIONS = {
    "America/New_York": "est edt et eastern", "America/Chicago": "cst cdt ct central",
    "America/Denver": "mst mdt mt mountain", "America/Los_Angeles": "pst pdt pt pacific",
    "America/Anchorage": "akst akdt alaska", "Pacific/Honolulu": "hst hawaii", "Europe/London": "gmt bst uk",
    "Europe/Paris": "cet cest", "Australia/Sydney": "aest aedt", "Pacific/Auckland": "nzst nzdt nz",
    "UTC": "utc z",
}
_ALIASES = {
    "America/Los_Angeles": "la|l a|san francisco|sf|seattle|san diego|las vegas|portland",
    "America/New_York": "nyc|new york city|boston|washington|washington dc|dc|miami|atlanta|philadelphia",
    "America/Chicago": "dallas|houston|austin|san antonio|minneapolis|nashville|new orleans",
    "Asia/Kolkata": "india|mumbai|delhi|new delhi|bangalore|bengaluru", "Asia/Shanghai": "beijing|china",
}
_REGIONS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}


def resolve_timezone(text: str) -> str | None:
    """Map "america/chicago", "new york", "LA", "PST" or "UTC+2" to an IANA zone name; None if unknown."""
    key = _fold(text)
    return _names().get(key) or _offset_zone(key)



def _fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced key for zone look-ups."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[\s_]+", " ", text.strip(" \t\n.,!?'\"").lower())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every accepted key: abbreviations, aliases, IANA names, then city names (first region name wins)."""
    names: dict[str, str] = {}
    for zone, words in _ABBREVIATIONS.items():
        names.update(dict.fromkeys(words.split(), zone))
    for zone, words in _ALIASES.items():
        names.update(dict.fromkeys(words.split("|"), zone))
    zones = sorted(available_timezones())
    for zone in zones:
        names.setdefault(_fold(zone), zone)
    for zone in zones:
        if zone.split("/")[0] in _REGIONS:
            names.setdefault(_fold(zone.rsplit("/", 1)[-1]), zone)
    return names


def _offset_zone(key: str) -> str | None:
    """"utc+2" / "gmt-5" as the fixed Etc zone (whose sign is inverted by POSIX convention)."""
    match = re.fullmatch(r"(?:utc|gmt)\s*([+-])\s*([0-9]{1,2})(?::?00)?", key)
    if not match or int(match[2]) > 14:
        return None
    return "UTC" if int(match[2]) == 0 else f"Etc/GMT{'-' if match[1] == '+' else '+'}{int(match[2])}"

