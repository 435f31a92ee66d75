"""Safety: crisis and domestic-violence lines by country, and a phrase check for answers that speak of danger.

Channel-neutral: the data objects and two renderings (a short text, a spoken answer) that the SMS and
voice adapters frame in their own words. See docs/safety.md.
"""
from core.safety.danger import DangerSignal, PhraseError, load_phrases, normalise, reads_as_danger
from core.safety.render import as_speech, as_text, speak_number
from core.safety.resources import (
    COUNTRIES,
    CountryResources,
    Directory,
    Line,
    ResourceError,
    Source,
    Way,
    country_of_locale,
    country_of_phone,
    default_directory,
    load_directory,
    resources_for,
)

__all__ = [
    "COUNTRIES", "CountryResources", "DangerSignal", "Directory", "Line", "PhraseError", "ResourceError",
    "Source", "Way", "as_speech", "as_text", "country_of_locale", "country_of_phone", "default_directory",
    "load_directory", "load_phrases", "normalise", "reads_as_danger", "resources_for", "speak_number",
]
