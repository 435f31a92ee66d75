"""The day's-question rule: no repeats within a cycle, rotating themes, deterministic in any process."""
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question, current_cycle

REPO_ROOT = Path(__file__).resolve().parents[2]
START = date(2025, 1, 1)
COUPLES = ("couple-1", "42", "7f3c9a2e-5d1b-4c8e-9a6f-0b2d4e6f8a1c", "x")
SUBPROCESS_CODE = """
import sys
from datetime import date, timedelta
from prompts.bank import load_bank
from prompts.daily import choose_question
bank, history = load_bank(), []
for day in range(int(sys.argv[2])):
    seed = f"{sys.argv[1]}:{(date(2025, 1, 1) + timedelta(days=day)).isoformat()}"
    history.append(choose_question(bank, history, seed).id)
print(" ".join(history))
"""


def seed_for(couple, day):
    """The seed the caller builds: couple id and local date."""
    return f"{couple}:{(START + timedelta(days=day)).isoformat()}"


def simulate(bank, couple, days):
    """Run the rule day after day, feeding each answer back into the history."""
    history = []
    for day in range(days):
        history.append(choose_question(bank, history, seed_for(couple, day)).id)
    return history


def small_bank(**sizes):
    """A synthetic bank with `sizes[theme]` questions per theme, ids like honesty-1."""
    return QuestionBank(tuple(
        Question(f"{theme}-{n}", theme, f"Question {n}?", "Tip.")
        for theme, size in sizes.items() for n in range(1, size + 1)
    ))


@pytest.fixture(scope="module", params=COUPLES)
def year(request):
    """A simulated year of daily questions for one couple on the shipped bank."""
    return simulate(load_bank(), request.param, 365)


# A simulated year on the shipped bank


def test_year_has_no_repeat_until_bank_is_exhausted(year):
    size = len(load_bank())
    cycles = [year[start:start + size] for start in range(0, len(year), size)]
    assert len(cycles) >= 3, "a year should wrap the bank at least twice"
    for cycle in cycles:
        assert len(set(cycle)) == len(cycle)
    for cycle in cycles[:-1]:
        assert set(cycle) == {q.id for q in load_bank()}


def test_year_never_repeats_a_theme_two_days_running(year):
    bank = load_bank()
    themes = [bank.by_id(qid).theme for qid in year]
    repeats = [day for day in range(1, len(themes)) if themes[day] == themes[day - 1]]
    # Only an unbalanced bank can force a repeat (one theme left at a cycle's end).
    assert repeats == [], "keep the themes in questions.yaml balanced"


def test_year_rotates_through_every_theme_in_the_first_cycle(year):
    bank = load_bank()
    themes = [bank.by_id(qid).theme for qid in year]
    width = len(bank.themes)
    # Round-robin holds while every theme still has questions left.
    full_rounds = min(Counter(q.theme for q in bank).values())
    for start in range(0, width * full_rounds - width + 1):
        assert len(set(themes[start:start + width])) == width, start


def test_same_inputs_give_same_answer_across_calls():
    bank = load_bank()
    assert simulate(bank, "couple-1", 200) == simulate(bank, "couple-1", 200)


def test_couples_get_different_sequences():
    bank = load_bank()
    sequences = {tuple(simulate(bank, couple, 10)) for couple in COUPLES}
    assert len(sequences) == len(COUPLES)


@pytest.mark.parametrize("hash_seed", ["0", "1", "12345"])
def test_answer_is_the_same_in_a_fresh_process(hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_CODE, "couple-1", "40"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    )
    assert result.stdout.split() == simulate(load_bank(), "couple-1", 40)


# Edge cases of the history


def test_empty_history_gives_a_question_from_the_bank():
    bank = load_bank()
    question = choose_question(bank, [], "couple-1:2025-01-01")
    assert question in bank.questions
    assert choose_question(bank, (), "couple-1:2025-01-01") == question


def test_history_of_only_unknown_ids_acts_like_empty_history():
    bank = load_bank()
    seed = "couple-1:2025-01-01"
    assert choose_question(bank, ["retired-001", "retired-002"], seed) == choose_question(bank, [], seed)


def test_unknown_ids_inside_history_are_ignored():
    bank = load_bank()
    history = simulate(bank, "couple-1", 30)
    noisy = ["retired-001"] + history[:15] + ["retired-002", "retired-003"] + history[15:]
    seed = seed_for("couple-1", 30)
    assert choose_question(bank, noisy, seed) == choose_question(bank, history, seed)
    assert current_cycle(bank, noisy) == history


def test_exhaustion_starts_a_new_cycle():
    bank = small_bank(honesty=2, empathy=2)
    history = simulate(bank, "c", 4)
    assert sorted(history) == sorted(q.id for q in bank)
    assert current_cycle(bank, history) == []
    following = simulate(bank, "c", 8)[4:]
    assert sorted(following) == sorted(history)


def test_new_cycle_still_avoids_yesterdays_theme():
    bank = small_bank(honesty=1, empathy=1, patience=1)
    history = ["honesty-1", "empathy-1", "patience-1"]
    for day in range(20):
        assert choose_question(bank, history, seed_for("c", day)).theme != "patience"


def test_repeat_in_history_marks_a_new_cycle():
    bank = small_bank(honesty=2, empathy=2)
    # honesty-1 came back, so an earlier cycle must have ended (the bank was smaller then).
    assert current_cycle(bank, ["honesty-1", "empathy-1", "honesty-1"]) == ["honesty-1"]


# Theme rotation


def test_yesterdays_theme_is_skipped_while_others_have_questions():
    bank = small_bank(honesty=3, empathy=3)
    for day in range(20):
        assert choose_question(bank, ["honesty-1"], seed_for("c", day)).theme == "empathy"


def test_least_recently_used_theme_is_preferred():
    bank = small_bank(honesty=3, empathy=3, patience=3)
    history = ["honesty-1", "empathy-1", "patience-1", "empathy-2"]
    for day in range(20):
        assert choose_question(bank, history, seed_for("c", day)).theme == "honesty"


def test_unused_theme_beats_used_ones():
    bank = small_bank(honesty=3, empathy=3, patience=3)
    for day in range(20):
        assert choose_question(bank, ["honesty-1", "empathy-1"], seed_for("c", day)).theme == "patience"


def test_last_theme_with_questions_is_chosen_even_if_it_was_yesterdays():
    bank = small_bank(honesty=3, empathy=1)
    assert choose_question(bank, ["empathy-1", "honesty-1"], "c:2025-01-01").theme == "honesty"


def test_seed_breaks_theme_ties_and_picks_within_theme():
    bank = load_bank()
    firsts = [choose_question(bank, [], seed_for("c", day)) for day in range(60)]
    assert len({q.theme for q in firsts}) > 3
    assert len({q.id for q in firsts}) > 10


def test_empty_bank_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        choose_question(QuestionBank(()), [], "c:2025-01-01")
