"""choose_question keeps what it derives from the bank (open topics by stage and roles) so the planner can ask
for thousands of couples at once. This checks, over many random inputs, that it still gives exactly what the
rule as first written gives: filter the whole bank, drop this cycle's topics, pick the theme, pick the topic."""
import hashlib
import random

import pytest

from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question, current_cycle, is_open


def reference_choose(bank, history, seed, *, age_days=None, roles=None, exclude=(), avoid_themes=()):
    """The rule, spelled out with nothing kept between calls."""
    age = len(history) if age_days is None else age_days
    roles = tuple(roles) if roles is not None else None
    open_now = [q for q in bank if is_open(q, age) and all(q.suits(r) for r in (roles or (None,)))
                and q.id not in exclude]
    if not open_now:
        raise ValueError("no topic in the bank is open to this couple")
    cycle = current_cycle(bank, history)
    unused = [q for q in open_now if q.id not in set(cycle)]
    if not unused:
        unused, cycle = open_now, []
    last = bank.by_id(history[-1]).theme if history and bank.is_topic(history[-1]) else None
    avoid = {*avoid_themes, last}
    themes = list(dict.fromkeys(q.theme for q in unused))
    themes = [t for t in themes if t not in avoid] or themes
    recency = {t: i for i, t in enumerate(bank.by_id(qid).theme for qid in cycle)}

    def rank(kind, name):
        return hashlib.sha256(f"{seed}\x1f{kind}\x1f{name}".encode()).digest()

    theme = min(themes, key=lambda t: (recency.get(t, -1), rank("theme", t)))
    return min((q for q in unused if q.theme == theme), key=lambda q: rank("question", q.id))


def staged_bank() -> QuestionBank:
    """A small bank with all three stages and topics for some roles only, so every key of the kept index
    (stage reached, set of roles) is exercised."""
    topics, rng = [], random.Random(7)
    for theme in ("honesty", "empathy", "patience", "boundaries"):
        for n in range(6):
            roles = rng.choice([("repairing", "hurt", "both", "unsaid"), ("repairing", "hurt"), ("hurt", "both")])
            topics.append(Question(f"{theme}-{n}", theme, f"Question {n}?", "Tip.", roles=roles,
                                   earliest_day=rng.choice((0, 0, 14, 30))))
    return QuestionBank(tuple(topics))


ROLE_SETS = (None, (), ("unsaid", "unsaid"), ("repairing", "hurt"), ("hurt", None), ("both", "repairing"),
             ("hurt", "both"), ("hurt",))


@pytest.mark.parametrize("bank", [load_bank(), staged_bank()], ids=["shipped bank", "staged bank"])
def test_choose_question_matches_the_rule_as_written(bank):
    rng = random.Random(17)
    ids, compared = [q.id for q in bank], 0
    for case in range(1500):
        history = [rng.choice(ids + ["retired-id"]) for _ in range(rng.randrange(0, 2 * len(ids)))]
        if rng.random() < 0.3:  # a history as the rule makes it: no repeats within a cycle
            history = list(rng.sample(ids, rng.randrange(0, len(ids))))
        options = dict(roles=rng.choice(ROLE_SETS))
        if rng.random() < 0.7:
            options["age_days"] = rng.choice((0, 5, 13, 14, 29, 30, 400))
        if rng.random() < 0.2:
            options["exclude"] = set(rng.sample(ids, rng.randrange(1, 5)))
        if rng.random() < 0.2:
            options["avoid_themes"] = {rng.choice(bank.themes)}
        seed = f"{case}:2026-12-01"
        try:
            expected = reference_choose(bank, history, seed, **options)
        except ValueError:
            with pytest.raises(ValueError):
                choose_question(bank, history, seed, **options)
            continue
        assert choose_question(bank, history, seed, **options) == expected, (history, options)
        compared += 1
    assert compared > 1000  # most cases had an open topic, so the comparison is not empty
