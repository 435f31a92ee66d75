"""The question bank: load prompts/questions.yaml and check every entry before anyone hears it."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import yaml

DEFAULT_PATH = Path(__file__).with_name("questions.yaml")
THEMES = (
    "honesty", "consistency", "responsibility", "empathy", "vulnerability",
    "boundaries", "appreciation", "patience", "shared_future", "understanding",
)
FIELDS = ("id", "theme", "text", "tip")
MAX_TEXT = 140  # leaves room for a short prefix inside one 160-character SMS segment
MAX_TIP = 120

# The GSM 03.38 basic set; the extension table (^{}[]~|\ and the euro sign) costs two septets each.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM-7 characters that Alexa reads oddly or that look like markup in a text message.
FORBIDDEN = frozenset('&/%#"()<>*_@$£¥¤§+=\n\r')
ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
SENTENCE_BREAK = re.compile(r"[.!?]+\s+\S")


class BankError(ValueError):
    """The question bank file is unreadable or an entry breaks a rule."""


@dataclass(frozen=True)
class Question:
    """One reflection question with its theme and a tip to act on today."""

    id: str
    theme: str
    text: str
    tip: str


@dataclass(frozen=True)
class QuestionBank:
    """The questions in file order, looked up by id."""

    questions: tuple[Question, ...]
    _index: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {q.id: q for q in self.questions})
        if len(self._index) != len(self.questions):
            raise BankError("question ids must be unique")

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._index

    def by_id(self, question_id: str) -> Question:
        """The question with this id; KeyError if the bank has none."""
        return self._index[question_id]

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes present, in order of first appearance."""
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
    """Read the file, check each entry, and reject duplicate ids."""
    first_index: dict[str, int] = {}
    questions = []
    for index, raw in enumerate(_read_entries(path)):
        question = _to_question(path, index, raw)
        if question.id in first_index:
            _fail(path, index, raw, [f"duplicate id, first used by entry [{first_index[question.id]}]"])
        first_index[question.id] = index
        questions.append(question)
    return QuestionBank(tuple(questions))


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
    return Question(**{name: raw[name] for name in FIELDS})


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
    yield from _line_problems("text", raw["text"], MAX_TEXT)
    if raw["text"].strip() and not raw["text"].endswith("?"):
        yield "text must end with '?'"
    yield from _line_problems("tip", raw["tip"], MAX_TIP)


def _shape_problems(raw: object) -> Iterator[str]:
    """Exactly the four fields, each a string."""
    if not isinstance(raw, dict):
        yield f"must be a mapping of {', '.join(FIELDS)}"
        return
    missing = [name for name in FIELDS if name not in raw]
    extra = sorted(str(name) for name in raw if name not in FIELDS)
    if missing:
        yield f"missing field(s): {', '.join(missing)}"
    if extra:
        yield f"unexpected field(s): {', '.join(extra)}"
    for name in FIELDS:
        if name in raw and not isinstance(raw[name], str):
            yield f"{name} must be a string, not {type(raw[name]).__name__}"


def _line_problems(name: str, value: str, limit: int) -> Iterator[str]:
    """Rules shared by text and tip: one spoken sentence that fits a single SMS segment."""
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
