"""The question bank: load prompts/questions.yaml and check every entry before anyone hears it.

The bank holds two kinds of entries:
- topics: the couple's question of the day, one topic for both partners, with a wording for everyone (`text`)
  and optional wordings for a partner who is mostly repairing trust (`repairing`) or was mostly hurt (`hurt`);
- gentle questions: light, personal alternatives one partner may get on SKIP; never a couple's topic.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import yaml

from core.words.segments import GSM7  # the one GSM-7 table; extension characters are refused here

DEFAULT_PATH = Path(__file__).with_name("questions.yaml")
THEMES = (
    "honesty", "consistency", "responsibility", "empathy", "vulnerability",
    "boundaries", "appreciation", "patience", "shared_future", "understanding",
)
# A partner's answer to "are you mostly repairing trust, mostly hurt, both, or would you rather not say?"
ROLES = ("repairing", "hurt", "both", "unsaid")
# Roles that may get their own wording; `both` and `unsaid` always hear `text`, so `text` must suit anyone,
# including a partner who was hurt and chose not to say so.
VARIANT_ROLES = ("repairing", "hurt")
# Days since the couple joined before a topic may come: from the start, after two weeks, after a month.
STAGES = (0, 14, 30)
LOOKS_BACK_STAGE = 14  # questions about what happened or what broke never come earlier than this
KINDS = ("topic", "gentle")
REQUIRED = ("id", "theme", "text", "tip", "roles", "earliest_day")
OPTIONAL = ("repairing", "hurt", "looks_back", "kind")
FIELDS = REQUIRED + OPTIONAL
MAX_TEXT = 140  # leaves room for a short prefix inside one 160-character SMS segment
MAX_TIP = 120

# GSM-7 characters that Alexa reads oddly or that look like markup in a text message.
FORBIDDEN = frozenset('&/%#"()<>*_@$£¥¤§+=\n\r')
ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
SENTENCE_BREAK = re.compile(r"[.!?]+\s+\S")

# What we never ask (see docs/questions.md). Matched on lowercased words, so "your part" also catches
# "your part, however small".
# Asking someone to own part of a hurt: only ever in the `repairing` wording.
OWNING = ("your part", "yours to own", "your share", "your role in", "your own part", "played a part", "contributed to",
          "unmet need", "what you did to", "pushed them", "pushed your partner")
# Gratitude about a discovery: nobody is asked to be glad they found out.
GRATEFUL = ("glad", "grateful", "thankful", "silver lining", "blessing", "good thing")
DISCOVERY = ("found out", "find out", "discover", "hard to hear", "know now", "came out", "learned about")
# Rumination: nobody is asked to replay a hurt.
RUMINATION = ("keep returning", "keep going back", "keep thinking", "replay", "over and over", "dwell on", "dwelling on",
              "cannot stop thinking", "can't stop thinking", "relive")

# Near-duplicates: two wordings whose content words overlap this much (Jaccard) are one question twice.
# Words every question uses (partner, feel, help) are stopwords here, so the overlap is about the topic.
SIMILARITY_LIMIT = 0.6
STOPWORDS = frozenset("""
a an the and or but if so as at by for from in into of on onto to with without about than then that this these
those it its is are was were be been being am do does did doing have has had having can could would should will
shall may might must what which who whom whose when where why how there here you your yours yourself we us our
ours i me my mine he she they them their his her one ones some any each every both either neither just only also
very more most much many less least not no now today right still even ever
partner like help feel want think thing way make get let other together week day
""".split())
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


class BankError(ValueError):
    """The question bank file is unreadable or an entry breaks a rule."""


@dataclass(frozen=True)
class Question:
    """One question: its theme, its wording for everyone, a tip to act on today, and its tags.

    `variants` holds (role, wording) pairs for roles whose wording differs; `roles` the partner roles the
    question may go to; `earliest_day` the couple's age in days before it may come; `looks_back` marks a
    question about what happened or what broke; `kind` is "topic" (a couple's question of the day) or
    "gentle" (a personal alternative for one partner on SKIP)."""

    id: str
    theme: str
    text: str
    tip: str
    roles: tuple[str, ...] = ROLES
    earliest_day: int = 0
    variants: tuple[tuple[str, str], ...] = ()
    looks_back: bool = False
    kind: str = "topic"

    def wording(self, role: str | None = None) -> str:
        """The wording a partner of `role` hears (None means rather not say); ValueError for an unknown role."""
        if role is None:
            return self.text
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
        return dict(self.variants).get(role, self.text)

    def wordings(self) -> tuple[str, ...]:
        """Every distinct wording of this question, `text` first."""
        return tuple(dict.fromkeys([self.text, *(text for _, text in self.variants)]))

    def suits(self, role: str | None) -> bool:
        """True when the question may go to a partner of `role` (None counts as rather not say)."""
        return (role or "unsaid") in self.roles


@dataclass(frozen=True)
class QuestionBank:
    """The topics in file order (what len() and iteration give), plus the gentle questions; looked up by id."""

    questions: tuple[Question, ...]
    gentle: tuple[Question, ...] = ()
    _index: dict[str, Question] = field(init=False, repr=False, compare=False)
    _topic_ids: frozenset[str] = field(init=False, repr=False, compare=False)
    # What the day's rule derives from the bank alone (prompts.daily), kept so it is derived once per bank.
    derived: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        everything = self.questions + self.gentle
        object.__setattr__(self, "_index", {q.id: q for q in everything})
        object.__setattr__(self, "_topic_ids", frozenset(q.id for q in self.questions))
        if len(self._index) != len(everything):
            raise BankError("question ids must be unique")

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        """True for the id of any question in the bank, topic or gentle."""
        return question_id in self._index

    def is_topic(self, question_id: object) -> bool:
        """True when the id is one of the couple's topics (not a gentle question)."""
        return question_id in self._topic_ids

    def by_id(self, question_id: str) -> Question:
        """The question (topic or gentle) with this id; KeyError if the bank has none."""
        return self._index[question_id]

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes of the topics, in order of first appearance."""
        return tuple(dict.fromkeys(q.theme for q in self.questions))


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load and validate a bank; the shipped one (path None) is read once per process."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> QuestionBank:
    """The shipped bank; safe to share because QuestionBank is immutable."""
    return _load(DEFAULT_PATH)


def _load(path: Path) -> QuestionBank:
    """Read the file, check each entry, then reject duplicate ids and near-duplicate wordings."""
    first_index: dict[str, int] = {}
    entries: list[tuple[int, dict, Question]] = []
    for index, raw in enumerate(_read_entries(path)):
        question = _to_question(path, index, raw)
        if question.id in first_index:
            _fail(path, index, raw, [f"duplicate id, first used by entry [{first_index[question.id]}]"])
        first_index[question.id] = index
        entries.append((index, raw, question))
    _check_near_duplicates(path, entries)
    topics = tuple(q for _, _, q in entries if q.kind == "topic")
    if not topics:
        raise BankError(f"{path}: the bank has gentle questions but no topics")
    return QuestionBank(topics, tuple(q for _, _, q in entries if q.kind == "gentle"))


def _read_entries(path: Path) -> list:
    """The top-level YAML list; BankError for a missing, malformed or empty file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BankError(f"{path}: cannot read question bank: {exc}") from exc
    except yaml.YAMLError as exc:
        raise BankError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise BankError(f"{path}: expected a non-empty list of questions")
    return data


def _to_question(path: Path, index: int, raw: object) -> Question:
    """A Question from one raw entry, or BankError listing everything wrong with it."""
    problems = list(_entry_problems(raw))
    if problems:
        _fail(path, index, raw, problems)
    roles = ROLES if raw["roles"] == "all" else tuple(role for role in ROLES if role in raw["roles"])
    return Question(
        id=raw["id"], theme=raw["theme"], text=raw["text"], tip=raw["tip"], roles=roles,
        earliest_day=raw["earliest_day"],
        variants=tuple((role, raw[role]) for role in VARIANT_ROLES if role in raw),
        looks_back=raw.get("looks_back", False), kind=raw.get("kind", "topic"),
    )


def _fail(path: Path, index: int, raw: object, problems: list[str]) -> NoReturn:
    """Raise BankError naming the entry by position and id so it is quick to find."""
    qid = raw.get("id") if isinstance(raw, dict) else None
    raise BankError(f"{path.name}: entry [{index}] (id {qid!r}): {'; '.join(problems)}")


def _entry_problems(raw: object) -> Iterator[str]:
    """Every rule this entry breaks; field problems first since later checks need the fields."""
    shape = list(_shape_problems(raw))
    if shape:
        yield from shape
        return
    if not ID_PATTERN.fullmatch(raw["id"]):
        yield "id must be a lowercase slug like honesty-001"
    if raw["theme"] not in THEMES:
        yield f"unknown theme {raw['theme']!r} (expected one of {', '.join(THEMES)})"
    yield from _tag_problems(raw)
    for name in ("text", *VARIANT_ROLES):
        if name in raw:
            yield from _wording_problems(name, raw[name])
    yield from _line_problems("tip", raw["tip"], MAX_TIP)
    yield from _care_problems("tip", raw["tip"], owning_allowed=False)


def _shape_problems(raw: object) -> Iterator[str]:
    """The required fields present, nothing unknown, each of the right type."""
    if not isinstance(raw, dict):
        yield f"must be a mapping of {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"
        return
    missing = [name for name in REQUIRED if name not in raw]
    extra = sorted(str(name) for name in raw if name not in FIELDS)
    if missing:
        yield f"missing field(s): {', '.join(missing)}"
    if extra:
        yield f"unexpected field(s): {', '.join(extra)}"
    for name in ("id", "theme", "text", "tip", "kind", *VARIANT_ROLES):
        if name in raw and not isinstance(raw[name], str):
            yield f"{name} must be a string, not {type(raw[name]).__name__}"
    if "earliest_day" in raw and (type(raw["earliest_day"]) is not int):
        yield f"earliest_day must be a whole number of days, not {type(raw['earliest_day']).__name__}"
    if "looks_back" in raw and not isinstance(raw["looks_back"], bool):
        yield f"looks_back must be true or false, not {type(raw['looks_back']).__name__}"
    if "roles" in raw and raw["roles"] != "all" and not (
            isinstance(raw["roles"], list) and raw["roles"] and all(isinstance(r, str) for r in raw["roles"])):
        yield "roles must be 'all' or a non-empty list of roles"


def _tag_problems(raw: dict) -> Iterator[str]:
    """Roles, stage, kind and the looks-back flag agree with each other and with the wordings."""
    kind = raw.get("kind", "topic")
    if kind not in KINDS:
        yield f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})"
    roles = ROLES if raw["roles"] == "all" else raw["roles"]
    if unknown := [role for role in roles if role not in ROLES]:
        yield f"unknown role(s) {', '.join(map(repr, unknown))} (expected one of {', '.join(ROLES)})"
    if len(set(roles)) != len(roles):
        yield "roles lists a role twice"
    for role in VARIANT_ROLES:
        if role in raw and role not in roles:
            yield f"has a {role} wording but {role!r} is not in its roles"
    if raw["earliest_day"] not in STAGES:
        yield f"earliest_day must be one of {', '.join(map(str, STAGES))}, not {raw['earliest_day']!r}"
    looks_back = raw.get("looks_back", False)
    if looks_back and raw["earliest_day"] < LOOKS_BACK_STAGE:
        yield f"a looks_back question must have earliest_day of at least {LOOKS_BACK_STAGE}"
    if raw["theme"] == "understanding" and kind == "topic" and not looks_back:
        yield "understanding topics are about what broke: mark them looks_back: true"
    if kind == "gentle":
        if raw["roles"] != "all" or raw["earliest_day"] != 0 or looks_back:
            yield "a gentle question must suit everyone from day 0: roles all, earliest_day 0, not looks_back"
        if any(role in raw for role in VARIANT_ROLES):
            yield "a gentle question has one wording for everyone"


def _wording_problems(name: str, value: str) -> Iterator[str]:
    """A wording: one spoken sentence ending in '?', within the text limits, within the care rules."""
    yield from _line_problems(name, value, MAX_TEXT)
    if value.strip() and not value.endswith("?"):
        yield f"{name} must end with '?'"
    yield from _care_problems(name, value, owning_allowed=name == "repairing")


def _care_problems(name: str, value: str, *, owning_allowed: bool) -> Iterator[str]:
    """The phrases we never put to a partner (see docs/questions.md)."""
    words = " ".join(WORD.findall(value.lower().replace("\u2019", "'")))
    if not owning_allowed and (found := [p for p in OWNING if _has_phrase(words, p)]):
        yield (f"{name} asks someone to own part of a hurt ({', '.join(map(repr, found))}); "
               "only the repairing wording may")
    if any(_has_phrase(words, p) for p in GRATEFUL) and (found := [p for p in DISCOVERY if _has_phrase(words, p)]):
        yield f"{name} asks for gratitude about a discovery ({', '.join(map(repr, found))})"
    if found := [p for p in RUMINATION if _has_phrase(words, p)]:
        yield f"{name} invites rumination ({', '.join(map(repr, found))})"


@functools.lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    """Whole words, the last one with its common endings: "discover" finds "discovered", "your part" finds
    "your parts" but not "your partner"."""
    return re.compile(r"\b" + re.escape(phrase) + r"(?:s|es|d|ed|ing|y)?\b")


def _has_phrase(words: str, phrase: str) -> bool:
    """True when `phrase` occurs in `words` (lowercased words joined by single spaces)."""
    return _phrase_pattern(phrase).search(words) is not None


def _line_problems(name: str, value: str, limit: int) -> Iterator[str]:
    """Rules shared by wordings and tips: one spoken sentence that fits a single SMS segment."""
    if not value.strip():
        yield f"{name} is empty"
        return
    if SENTENCE_BREAK.search(value):
        yield f"{name} must be one sentence"
    if symbols := sorted(set(value) & FORBIDDEN):
        yield f"{name} has forbidden symbol(s): {' '.join(map(repr, symbols))}"
    if others := sorted(set(value) - GSM7 - FORBIDDEN):
        yield f"{name} has non-GSM-7 character(s): {' '.join(map(repr, others))}"
    if len(value) > limit:
        yield f"{name} is too long: {len(value)} characters (max {limit})"


# Near-duplicate detection


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of a wording: lowercased, stopwords dropped, simple suffixes folded."""
    stems = (_stem(word) for word in WORD.findall(text.lower().replace("\u2019", "'")) if word not in STOPWORDS)
    return frozenset(stem for stem in stems if stem not in STOPWORDS and len(stem) > 1)


def _stem(word: str) -> str:
    """A crude but stable stem, enough to treat 'feels', 'feeling' and 'felt'-free variants alike."""
    word = word.split("'")[0]
    for suffix in ("ingly", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def similarity(first: str, second: str) -> float:
    """Jaccard overlap of two wordings' content words, from 0 (nothing shared) to 1 (the same words)."""
    a, b = content_words(first), content_words(second)
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


def near_duplicates(questions: Iterable[Question], limit: float = SIMILARITY_LIMIT
                    ) -> list[tuple[float, Question, Question]]:
    """Pairs of different questions with a wording each that overlap at least `limit`, most similar first."""
    wordings = [(q, content_words(w), w) for q in questions for w in q.wordings()]
    found: dict[tuple[str, str], tuple[float, Question, Question]] = {}
    for i, (q1, words1, _) in enumerate(wordings):
        for q2, words2, _ in wordings[i + 1:]:
            if q1.id == q2.id or not words1 or not words2:
                continue
            score = len(words1 & words2) / len(words1 | words2)
            key = (q1.id, q2.id)
            if score >= limit and score > found.get(key, (0.0,))[0]:
                found[key] = (score, q1, q2)
    return sorted(found.values(), key=lambda hit: -hit[0])


def _check_near_duplicates(path: Path, entries: list[tuple[int, dict, Question]]) -> None:
    """BankError naming the later entry of the closest pair of near-duplicate wordings, if any."""
    hits = near_duplicates([q for _, _, q in entries])
    if not hits:
        return
    score, first, second = hits[0]
    position = {q.id: (index, raw) for index, raw, q in entries}
    index, raw = position[second.id]
    _fail(path, index, raw, [f"near-duplicate of entry [{position[first.id][0]}] (id {first.id!r}), "
                             f"{score:.0%} of their words overlap: {first.text!r}"])
