"""The day's question: a pure, deterministic rule over the bank, a couple's history and a seed.

The caller passes seed=f"{couple_id}:{local_date.isoformat()}", so both partners hear the same
topic that day and a retry (another worker, another process) picks the same one again. Each partner
then hears the topic in the words for their role: `wording_for(question, role)`.

Stage gating: a topic comes only once the couple is `earliest_day` days old. Pass `age_days` (days since
the couple joined, 0 on the first day). Without it the rule assumes the couple is no older than its
history is long (one id per day), which can only delay a later-stage topic, never bring it early.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence

from prompts.bank import Question, QuestionBank


def choose_question(bank: QuestionBank, history: Sequence[str], seed: str, *, age_days: int | None = None,
                    roles: Iterable[str | None] | None = None, exclude: Collection[str] = (),
                    avoid_themes: Collection[str] = ()) -> Question:
    """Today's topic: open at the couple's age, suited to both partners' roles, unused this cycle, a fresh
    theme, least recently used theme first.

    `history` is the couple's topic ids before today, oldest first, one a day. `roles` holds each partner's
    role (None for rather not say; default: nobody said). `exclude` ids are never returned (SKIP uses it),
    and `avoid_themes` are passed over, like yesterday's theme, while another theme has topics left."""
    if not len(bank):
        raise ValueError("the question bank is empty")
    open_now = _open_topics(bank, history, age_days, roles, exclude)
    if not open_now:
        raise ValueError("no topic in the bank is open to this couple")
    cycle = current_cycle(bank, history)
    used = set(cycle)
    unused = {theme: left for theme, topics in open_now.items() if (left := [q for q in topics if q.id not in used])}
    if not unused:  # everything open to this couple was given: a new cycle begins today
        unused, cycle = open_now, []
    cycle_themes = [bank.by_id(qid).theme for qid in cycle]
    avoid = {*avoid_themes, _last_theme(bank, history)}
    theme = _pick_theme(unused, cycle_themes, avoid, seed)
    return min(unused[theme], key=lambda q: _rank(seed, "question", q.id))


def skip_question(bank: QuestionBank, history: Sequence[str], seed: str, today: Question | str, *,
                  age_days: int | None = None, roles: Iterable[str | None] | None = None,
                  skipped: Collection[str] = ()) -> Question:
    """Another topic for the couple today, for SKIP when neither partner has answered yet.

    Never today's topic nor one already skipped today (`skipped`), and of another theme than today's and
    yesterday's while one is open. The same inputs give the same topic, so both partners (and a retry) agree.
    When every open topic was skipped, today's topic stands (it is returned)."""
    today = bank.by_id(today) if isinstance(today, str) else today
    exclude = {today.id, *skipped}
    try:
        return choose_question(bank, history, seed, age_days=age_days, roles=roles, exclude=exclude,
                               avoid_themes={today.theme})
    except ValueError:
        return today


def gentle_question(bank: QuestionBank, today: Question | str, seed: str, *,
                    used: Iterable[str] = ()) -> Question:
    """A gentler personal question for one partner, for SKIP once the other partner has answered.

    Same theme as today's topic when the bank has one left; not one of `used` (the gentle ids this person
    already had) until all were; chosen by `seed`, which should name the person and the day
    (e.g. f"{partner_id}:{local_date}") so a retry gives the same one. ValueError if the bank has none."""
    if not bank.gentle:
        raise ValueError("the question bank has no gentle questions")
    theme = (bank.by_id(today) if isinstance(today, str) else today).theme
    seen = set(used)
    fresh = [q for q in bank.gentle if q.id not in seen] or list(bank.gentle)
    pool = [q for q in fresh if q.theme == theme] or fresh
    return min(pool, key=lambda q: _rank(seed, "gentle", q.id))


def wording_for(question: Question, role: str | None) -> str:
    """What a partner of `role` hears for `question`: their role's wording, else the one for everyone.

    `both`, `unsaid` and None hear `text`. ValueError for an unknown role."""
    return question.wording(role)


def couple_suits(question: Question, roles: Iterable[str | None] | None) -> bool:
    """True when the topic may go to a couple whose partners have these roles (None: rather not say)."""
    return all(question.suits(role) for role in (roles or (None,)))


def is_open(question: Question, age_days: int) -> bool:
    """True when a couple `age_days` old (0 on its first day) may get this topic."""
    return age_days >= question.earliest_day


def current_cycle(bank: QuestionBank, history: Sequence[str]) -> list[str]:
    """The topic ids given since the current cycle began, oldest first; ids not topics of the bank are skipped.

    A cycle ends when every topic was given, or when one comes back (the couple had used every topic open
    to them, or an older, smaller bank was exhausted)."""
    cycle: list[str] = []
    seen: set[str] = set()
    for qid in history:
        if not bank.is_topic(qid):
            continue
        if qid in seen:
            cycle, seen = [], set()
        cycle.append(qid)
        seen.add(qid)
        if len(seen) == len(bank):
            cycle, seen = [], set()
    return cycle


def _open_topics(bank: QuestionBank, history: Sequence[str], age_days: int | None,
                 roles: Iterable[str | None] | None, exclude: Collection[str]) -> dict[str, Sequence[Question]]:
    """The topics this couple may get today, by theme (themes in order of first appearance, topics in bank
    order). Which topics are open depends only on the stage the age reaches and the set of roles, so that
    is worked out once per bank and kept in `bank.derived` (the planner asks for thousands of couples)."""
    age = len(history) if age_days is None else age_days
    roles = tuple(roles) if roles is not None else None
    stages = bank.derived.get("stages")
    if stages is None:
        stages = bank.derived["stages"] = sorted({q.earliest_day for q in bank})
    # is_open and couple_suits are the rule; the key is everything they look at.
    key = ("open", bisect_right(stages, age), frozenset(role or "unsaid" for role in (roles or (None,))))
    by_theme = bank.derived.get(key)
    if by_theme is None:
        by_theme = bank.derived[key] = _by_theme(q for q in bank if is_open(q, age) and couple_suits(q, roles))
    if exclude:
        by_theme = _by_theme(q for topics in by_theme.values() for q in topics if q.id not in exclude)
    return by_theme


def _by_theme(topics: Iterable[Question]) -> dict[str, list[Question]]:
    grouped: dict[str, list[Question]] = {}
    for question in topics:
        grouped.setdefault(question.theme, []).append(question)
    return grouped


def _last_theme(bank: QuestionBank, history: Sequence[str]) -> str | None:
    """The theme given yesterday, across cycle boundaries; None if unknown."""
    if history and bank.is_topic(history[-1]):
        return bank.by_id(history[-1]).theme
    return None


def _pick_theme(unused: dict[str, list[Question]], cycle_themes: list[str], avoid: set, seed: str) -> str:
    """Pass over avoided themes (yesterday's) while others remain, then prefer the theme used longest ago."""
    themes = list(unused)
    fresh = [theme for theme in themes if theme not in avoid]
    themes = fresh or themes
    # Later uses overwrite earlier ones, so this maps each theme to its most recent position.
    recency = {theme: position for position, theme in enumerate(cycle_themes)}
    return min(themes, key=lambda theme: (recency.get(theme, -1), _rank(seed, "theme", theme)))


def _rank(seed: str, kind: str, name: str) -> bytes:
    """A stable pseudo-random sort key; sha256 rather than hash(), which is salted per process."""
    return hashlib.sha256(f"{seed}\x1f{kind}\x1f{name}".encode("utf-8")).digest()
