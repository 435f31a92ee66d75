"""The day's question: a pure, deterministic rule over the bank, a couple's history and a seed.

The caller passes seed=f"{couple_id}:{local_date.isoformat()}", so both partners hear the same
question that day and a retry (another worker, another process) picks the same one again.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from prompts.bank import Question, QuestionBank


def choose_question(bank: QuestionBank, history: Sequence[str], seed: str) -> Question:
    """Today's question: unused this cycle, a fresh theme, least recently used theme first."""
    if not len(bank):
        raise ValueError("the question bank is empty")
    cycle = current_cycle(bank, history)
    used = set(cycle)
    unused = [q for q in bank if q.id not in used]
    cycle_themes = [bank.by_id(qid).theme for qid in cycle]
    theme = _pick_theme(unused, cycle_themes, _last_theme(bank, history), seed)
    return min((q for q in unused if q.theme == theme), key=lambda q: _rank(seed, "question", q.id))


def current_cycle(bank: QuestionBank, history: Sequence[str]) -> list[str]:
    """The ids given since the current cycle began, oldest first; ids not in the bank are skipped."""
    cycle: list[str] = []
    seen: set[str] = set()
    for qid in history:
        if qid not in bank:
            continue
        if qid in seen:
            # A repeat means a cycle ended under an older, smaller bank; start counting afresh.
            cycle, seen = [], set()
        cycle.append(qid)
        seen.add(qid)
        if len(seen) == len(bank):
            cycle, seen = [], set()
    return cycle


def _last_theme(bank: QuestionBank, history: Sequence[str]) -> str | None:
    """The theme given yesterday, across cycle boundaries; None if unknown."""
    if history and history[-1] in bank:
        return bank.by_id(history[-1]).theme
    return None


def _pick_theme(unused: list[Question], cycle_themes: list[str], last: str | None, seed: str) -> str:
    """Skip yesterday's theme when possible, then prefer the theme used longest ago this cycle."""
    themes = list(dict.fromkeys(q.theme for q in unused))
    if len(themes) > 1 and last in themes:
        themes.remove(last)
    # Later uses overwrite earlier ones, so this maps each theme to its most recent position.
    recency = {theme: position for position, theme in enumerate(cycle_themes)}
    return min(themes, key=lambda theme: (recency.get(theme, -1), _rank(seed, "theme", theme)))


def _rank(seed: str, kind: str, name: str) -> bytes:
    """A stable pseudo-random sort key; sha256 rather than hash(), which is salted per process."""
    return hashlib.sha256(f"{seed}\x1f{kind}\x1f{name}".encode("utf-8")).digest()
