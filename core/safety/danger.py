"""Does an answer speak of danger? A maintained phrase list (danger_phrases.yaml) matched on whole words.

A safety net, not a diagnosis: a hit only keeps an answer private and offers the safety lines, so the list
leans towards catching. Text is normalised first (case, apostrophes, punctuation, contractions, a few
common misspellings) so "Im scared of him", "I'm scared of him!" and "i am scared of him" read alike.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).with_name("danger_phrases.yaml")
CATEGORIES = ("self_harm", "violence", "fear_of_partner", "danger")
APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u0060\u00b4\u2032"})
# Contractions written with an apostrophe, applied in this order.
CONTRACTIONS = (
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "can not"), (r"\bshan't\b", "shall not"), (r"\bain't\b", "is not"),
    (r"n't\b", " not"), (r"'m\b", " am"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"),
    (r"'d\b", " would"), (r"\b(he|she|it|that|there|who)'s (been|got|gotten)\b", r"\1 has \2"),
    (r"\b(he|she|it|that|there|who|what|where)'s\b", r"\1 is"), (r"\blet's\b", "let us"),
)
# Words people type without the apostrophe, shorthand, and misspellings common in a hurried text.
# Only words that are not also ordinary words ("ill", "hell", "well", "id" are left alone).
SPELLINGS = {
    "im": "i am", "iam": "i am", "ive": "i have", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "wont": "will not", "cant": "can not", "cannot": "can not", "isnt": "is not", "arent": "are not",
    "wasnt": "was not", "werent": "were not", "wouldnt": "would not", "couldnt": "could not",
    "shouldnt": "should not", "hasnt": "has not", "havent": "have not", "hadnt": "had not", "aint": "is not",
    "youre": "you are", "theyre": "they are", "hes": "he is", "shes": "she is", "theyll": "they will",
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "kinda": "kind of", "u": "you", "ur": "your",
    "bf": "boyfriend", "gf": "girlfriend", "hubby": "husband", "kms": "kill myself", "pls": "please",
    "plz": "please", "scard": "scared", "scaried": "scared", "afriad": "afraid", "afaid": "afraid",
    "affraid": "afraid", "frightend": "frightened", "terified": "terrified", "terrifed": "terrified",
    "sucide": "suicide", "suicde": "suicide", "sucidal": "suicidal", "suicidel": "suicidal",
    "myslef": "myself", "threatend": "threatened", "thretened": "threatened", "threatned": "threatened",
    "choaked": "choked", "chocked": "choked", "stangled": "strangled", "strangeled": "strangled",
    "saftey": "safety", "unsafe": "not safe", "hitted": "hit",
}
PHRASE_WORD = re.compile(r"[a-z0-9]+")


class PhraseError(ValueError):
    """The phrase file is unreadable or a phrase is malformed."""


@dataclass(frozen=True)
class DangerSignal:
    """What was found: the category, the phrase (as written in the file) and the words that matched."""

    category: str  # self_harm | violence | fear_of_partner | danger
    phrase: str
    matched: str


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, contractions expanded, common misspellings mended."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(APOSTROPHES).lower()
    for pattern, replacement in CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    words = re.sub(r"[^a-z0-9]+", " ", text.replace("'", "")).split()
    text = " ".join(SPELLINGS.get(word, word) for word in words)
    return re.sub(r"\b(he|she|they|it) is been\b", r"\1 has been", text)


def _split(text: str, sep: str) -> list[str]:
    """Split on `sep` outside brackets; PhraseError on unbalanced brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            raise PhraseError(f"unbalanced brackets in {text!r}")
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth:
        raise PhraseError(f"unbalanced brackets in {text!r}")
    parts.append("".join(current))
    return parts


def _alternatives(inner: str, macros: dict[str, list[str]]) -> str:
    """`a|b c` as a group whose every branch starts with a space: (?: a| b c)."""
    branches = [_sequence(part, macros) for part in _split(inner, "|")]
    if not all(branches):
        raise PhraseError(f"empty alternative in {inner!r}")
    return "(?:" + "|".join(branches) + ")"


def _token(token: str, macros: dict[str, list[str]]) -> str:
    """One token of a phrase as a regex that consumes a leading space."""
    if token.startswith("{") and token.endswith("}"):
        name = token[1:-1]
        if name not in macros:
            raise PhraseError(f"unknown macro {token}")
        return _alternatives("|".join(macros[name]), macros)
    if token.startswith("[") and token.endswith("]"):
        return _alternatives(token[1:-1], macros) + "?"
    if token.startswith("!(") and token.endswith(")"):
        return "(?!" + _alternatives(token[2:-1], macros) + "(?![a-z0-9]))"
    if token.startswith("(") and token.endswith(")"):
        return _alternatives(token[1:-1], macros)
    if not PHRASE_WORD.fullmatch(token):
        raise PhraseError(f"{token!r} is not a normalised word (lower case letters and digits)")
    return " " + token


def _sequence(phrase: str, macros: dict[str, list[str]]) -> str:
    """A phrase as a regex over ' '-prefixed words."""
    tokens = [t for t in _split(phrase.strip(), " ") if t]
    return "".join(_token(token, macros) for token in tokens)


def compile_phrase(phrase: str, macros: dict[str, list[str]]) -> re.Pattern:
    """A phrase as a regex matched against ' ' + normalise(text), on whole words."""
    if phrase.strip().startswith(("[", "!")) and len(_split(phrase.strip(), " ")) == 1:
        raise PhraseError(f"phrase {phrase!r} is optional as a whole and would match anything")
    body = _sequence(phrase, macros)
    return re.compile(body + r"(?![a-z0-9])")


@dataclass(frozen=True)
class PhraseList:
    """The compiled phrases, by category, in the order they are checked."""

    phrases: tuple[tuple[str, str, re.Pattern], ...]  # (category, phrase, pattern)

    def count(self, category: str | None = None) -> int:
        """How many phrases there are (in one category, or in all)."""
        return sum(1 for cat, _, _ in self.phrases if category in (None, cat))

    def first_match(self, text: str) -> DangerSignal | None:
        """The first phrase that matches the normalised text, or None."""
        normalised = " " + normalise(text)
        for category, phrase, pattern in self.phrases:
            found = pattern.search(normalised)
            if found:
                return DangerSignal(category, phrase, found.group(0).strip())
        return None


def parse_phrases(data) -> PhraseList:
    """Validate parsed YAML: known categories, every macro a list of words, no phrase listed twice."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise PhraseError("phrase file needs a 'categories' mapping")
    macros = {}
    for name, value in (data.get("macros") or {}).items():
        words = [w.strip() for w in str(value).split("|")]
        if not all(words) or not all(PHRASE_WORD.fullmatch(p) for w in words for p in w.split()):
            raise PhraseError(f"macro {name} must list normalised words separated by |")
        macros[name] = words
    unknown = sorted(set(data["categories"]) - set(CATEGORIES))
    if unknown:
        raise PhraseError(f"unknown categories {unknown}; known: {CATEGORIES}")
    compiled, seen = [], {}
    for category in CATEGORIES:
        for phrase in data["categories"].get(category) or ():
            if not isinstance(phrase, str) or not phrase.strip():
                raise PhraseError(f"{category}: empty phrase")
            key = " ".join(phrase.split())
            if key in seen:
                raise PhraseError(f"phrase {phrase!r} is listed twice ({seen[key]} and {category})")
            seen[key] = category
            compiled.append((category, phrase, compile_phrase(phrase, macros)))
    if not compiled:
        raise PhraseError("phrase file lists no phrases")
    return PhraseList(tuple(compiled))


def load_phrases(path: Path | str = DEFAULT_PATH) -> PhraseList:
    """Read and validate a phrase file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PhraseError(f"cannot read {path}: {exc}") from exc
    return parse_phrases(data)


@functools.cache
def default_phrases() -> PhraseList:
    """The shipped phrase list, loaded once."""
    return load_phrases(DEFAULT_PATH)


def reads_as_danger(text: str | None, phrases: PhraseList | None = None) -> DangerSignal | None:
    """A DangerSignal when the text speaks of violence, fear of a partner, self-harm or danger; else None."""
    if not text or not str(text).strip():
        return None
    return (phrases or default_phrases()).first_match(text)
