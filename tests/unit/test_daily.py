"""The day's-question rule: no repeats within a cycle, rotating themes, stage and role gating, role wordings,
SKIP, deterministic in any process."""
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from prompts.bank import OWNING, ROLES, Question, QuestionBank, load_bank
from prompts.daily import (
    choose_question, couple_suits, current_cycle, gentle_question, is_open, skip_question, wording_for,
)

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
from prompts.daily import gentle_question, skip_question
seed = f"{sys.argv[1]}:{(date(2025, 1, 1) + timedelta(days=int(sys.argv[2]))).isoformat()}"
today = choose_question(bank, history, seed, age_days=int(sys.argv[2]))
print(skip_question(bank, history, seed, today, age_days=int(sys.argv[2])).id)
print(gentle_question(bank, today, "partner-7:2025-02-10").id)
"""


def seed_for(couple, day):
    """The seed the caller builds: couple id and local date."""
    return f"{couple}:{(START + timedelta(days=day)).isoformat()}"


def simulate(bank, couple, days, **options):
    """Run the rule day after day, feeding each answer back into the history; `age=True` passes age_days."""
    history = []
    with_age = options.pop("age", False)
    for day in range(days):
        extra = {"age_days": day} if with_age else {}
        history.append(choose_question(bank, history, seed_for(couple, day), **options, **extra).id)
    return history


def small_bank(**sizes):
    """A synthetic bank with `sizes[theme]` questions per theme, ids like honesty-1."""
    return QuestionBank(tuple(
        Question(f"{theme}-{n}", theme, f"Question {n}?", "Tip.")
        for theme, size in sizes.items() for n in range(1, size + 1)
    ))


@pytest.fixture(scope="module", params=COUPLES)
def year(request):
    """Fifteen simulated months of daily topics for one couple on the shipped bank (it wraps twice)."""
    return simulate(load_bank(), request.param, 450, age=True)


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
    # Every understanding topic waits for day 14, so the full round-robin starts then: the theme opening
    # that day has gone unused longest and comes first. It holds while every theme still has topics left.
    assert themes[14] == "understanding" and "understanding" not in themes[:14]
    assert all(len(set(themes[start:start + width - 1])) == width - 1 for start in range(0, 14 - width + 2))
    full_rounds = min(Counter(q.theme for q in bank).values()) - 2
    for start in range(14, 14 + width * full_rounds - width + 1):
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
    history = simulate(load_bank(), "couple-1", 40)
    lines = result.stdout.splitlines()
    assert lines[0].split() == history
    bank = load_bank()
    today = choose_question(bank, history, seed_for("couple-1", 40), age_days=40)
    assert lines[1] == skip_question(bank, history, seed_for("couple-1", 40), today, age_days=40).id
    assert lines[2] == gentle_question(bank, today, "partner-7:2025-02-10").id


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


# Stage gating: nothing about what happened in a couple's first two weeks


def gated_bank():
    """Two open topics per theme, one looking back from day 14, one from day 30."""
    open_now = small_bank(honesty=2, empathy=2).questions
    later = (Question("understanding-1", "understanding", "What broke?", "Tip.", earliest_day=14, looks_back=True),
             Question("understanding-2", "understanding", "What now?", "Tip.", earliest_day=30, looks_back=True))
    return QuestionBank(open_now + later)


def test_no_couple_hears_a_look_back_topic_before_day_fourteen():
    bank = load_bank()
    for couple in range(150):
        history = simulate(bank, f"couple-{couple}", 31, age=True)
        ages = [bank.by_id(qid).earliest_day for qid in history]
        assert [day for day, qid in enumerate(history[:14]) if bank.by_id(qid).looks_back] == []
        assert all(ages[day] <= day for day in range(31)), couple
    # Without age_days the rule reads the age off the history (one topic a day): the same gating.
    for couple in range(30):
        assert simulate(bank, f"couple-{couple}", 31) == simulate(bank, f"couple-{couple}", 31, age=True)


def test_a_look_back_topic_comes_once_its_stage_opens():
    bank = load_bank()
    openings = []
    for couple in range(40):
        history = simulate(bank, f"couple-{couple}", 40, age=True)
        openings.append(min(day for day, qid in enumerate(history) if bank.by_id(qid).looks_back))
    assert min(openings) == 14
    assert all(14 <= day < 20 for day in openings)


def test_stage_gating_on_a_small_bank():
    bank = gated_bank()
    seed = "c:2025-01-01"
    assert choose_question(bank, [], seed, age_days=13).id not in {"understanding-1", "understanding-2"}
    # Everything open at day 0 was given: a new cycle of open topics starts rather than opening a later stage.
    history = ["honesty-1", "empathy-1", "honesty-2", "empathy-2"]
    assert choose_question(bank, history, seed, age_days=3).theme in {"honesty", "empathy"}
    assert choose_question(bank, history, seed, age_days=14).id == "understanding-1"
    assert choose_question(bank, [*history, "understanding-1"], seed, age_days=29).theme != "understanding"
    assert choose_question(bank, [*history, "understanding-1"], seed, age_days=30).id == "understanding-2"
    assert is_open(bank.by_id("understanding-2"), 30) and not is_open(bank.by_id("understanding-2"), 29)


def test_no_open_topic_is_an_error():
    bank = QuestionBank((Question("understanding-1", "understanding", "What broke?", "Tip.", earliest_day=14),))
    with pytest.raises(ValueError, match="no topic"):
        choose_question(bank, [], "c:2025-01-01", age_days=0)


# Roles: one topic for the couple, each partner in their own words


def test_wording_for_each_role():
    question = load_bank().by_id("responsibility-017")
    wordings = {role: wording_for(question, role) for role in (*ROLES, None)}
    assert wordings["repairing"] != wordings["hurt"] != question.text
    assert wordings["both"] == wordings["unsaid"] == wordings[None] == question.text
    plain = load_bank().by_id("honesty-001")
    assert {wording_for(plain, role) for role in (*ROLES, None)} == {plain.text}
    with pytest.raises(ValueError, match="unknown role"):
        wording_for(plain, "victim")


def test_a_hurt_partner_never_hears_a_your_part_question():
    bank = load_bank()
    owning = re.compile(r"\b(" + "|".join(map(re.escape, OWNING)) + r")\b")
    heard_ownership = 0
    for couple in range(40):
        for qid in simulate(bank, f"couple-{couple}", 60, age=True, roles=("repairing", "hurt")):
            question = bank.by_id(qid)
            for role in ("hurt", "both", "unsaid", None):
                assert not owning.search(wording_for(question, role).lower()), (qid, role)
            heard_ownership += bool(owning.search(wording_for(question, "repairing").lower()))
    assert heard_ownership > 0  # the repairing partner is asked to own their part, on the same day's topic


def test_a_topic_written_for_some_roles_goes_only_to_couples_it_suits():
    restricted = Question("empathy-9", "empathy", "What helps?", "Tip.", roles=("repairing", "hurt"),
                          variants=(("repairing", "What could you offer?"), ("hurt", "What would help you?")))
    bank = QuestionBank((*small_bank(honesty=3).questions, restricted))
    seeds = [seed_for("c", day) for day in range(30)]
    history = ["honesty-1"]
    assert {choose_question(bank, history, s, roles=("repairing", "hurt")).id for s in seeds} == {"empathy-9"}
    for roles in (None, ("unsaid", "hurt"), ("both", "repairing"), (None, None)):
        assert "empathy-9" not in {choose_question(bank, history, s, roles=roles).id for s in seeds}, roles
    assert couple_suits(restricted, ("hurt", "repairing")) and not couple_suits(restricted, ("hurt", None))


def test_roles_that_exclude_topics_still_cycle_without_repeats():
    restricted = Question("empathy-9", "empathy", "What helps?", "Tip.", roles=("repairing", "hurt"))
    bank = QuestionBank((*small_bank(honesty=2, empathy=2).questions, restricted))
    history = simulate(bank, "c", 12, roles=("unsaid", "unsaid"))
    assert "empathy-9" not in history
    assert [sorted(history[start:start + 4]) for start in (0, 4, 8)] == [sorted(q.id for q in bank
                                                                                if q.id != "empathy-9")] * 3


# SKIP: another topic for the couple, or a gentler one for one partner


def test_skip_gives_another_topic_of_another_theme():
    bank = load_bank()
    for couple in range(60):
        day = 20
        history = simulate(bank, f"couple-{couple}", day, age=True)
        seed = seed_for(f"couple-{couple}", day)
        today = choose_question(bank, history, seed, age_days=day)
        other = skip_question(bank, history, seed, today, age_days=day)
        assert other.id != today.id and other.kind == "topic"
        assert other.theme not in {today.theme, bank.by_id(history[-1]).theme}
        assert other.id not in history
        assert skip_question(bank, history, seed, today.id, age_days=day) == other  # by id, and deterministic


def test_skip_keeps_stage_and_role_gating():
    bank = load_bank()
    for couple in range(100):
        seed = seed_for(f"couple-{couple}", 0)
        today = choose_question(bank, [], seed, age_days=0)
        other = skip_question(bank, [], seed, today, age_days=0, roles=("repairing", "hurt"))
        assert other.earliest_day == 0 and not other.looks_back


def test_repeated_skips_never_come_back_and_end_on_todays_topic():
    bank = small_bank(honesty=2, empathy=1)
    seed = "c:2025-01-01"
    today = choose_question(bank, [], seed)
    skipped, current = [], today
    for _ in range(2):
        current = skip_question(bank, [], seed, today, skipped=skipped)
        assert current.id != today.id and current.id not in skipped
        skipped.append(current.id)
    assert sorted([today.id, *skipped]) == sorted(q.id for q in bank)
    assert skip_question(bank, [], seed, today, skipped=skipped) == today  # nothing else left: today stands


def test_gentle_alternative_matches_the_theme_and_is_for_one_person():
    bank = load_bank()
    for question in bank:
        gentle = gentle_question(bank, question, f"partner-1:{question.id}")
        assert gentle.kind == "gentle" and gentle.theme == question.theme
        assert gentle.earliest_day == 0 and not gentle.looks_back and gentle.variants == ()
        assert not bank.is_topic(gentle.id)
    today = bank.by_id("understanding-001")
    # Two partners on the same day may get different gentle questions; each is stable for its seed.
    picks = {gentle_question(bank, today, f"partner-{n}:2025-03-01").id for n in range(30)}
    assert len(picks) > 1
    assert gentle_question(bank, today, "partner-1:2025-03-01") == gentle_question(bank, today.id,
                                                                                   "partner-1:2025-03-01")


def test_gentle_alternatives_do_not_repeat_until_all_were_used():
    bank = load_bank()
    today = bank.by_id("honesty-001")
    used = []
    for day in range(len(bank.gentle)):
        gentle = gentle_question(bank, today, f"partner-1:{day}", used=used)
        assert gentle.id not in used
        used.append(gentle.id)
    same_theme = [q.id for q in bank.gentle if q.theme == "honesty"]
    assert set(used[:len(same_theme)]) == set(same_theme)  # its own theme first, then the others
    assert set(used) == {q.id for q in bank.gentle}
    assert gentle_question(bank, today, "partner-1:again", used=used).kind == "gentle"  # all used: start over


def test_gentle_question_needs_gentle_questions():
    bank = small_bank(honesty=1)
    with pytest.raises(ValueError, match="no gentle"):
        gentle_question(bank, bank.questions[0], "p:1")


def test_gentle_ids_in_history_do_not_count_as_topics():
    bank = load_bank()
    history = simulate(bank, "couple-1", 10)
    gentle = bank.gentle[0].id
    noisy = history[:5] + [gentle] + history[5:]
    assert current_cycle(bank, noisy) == history
    assert choose_question(bank, noisy, seed_for("couple-1", 10), age_days=10) == choose_question(
        bank, history, seed_for("couple-1", 10), age_days=10)


def test_exclude_is_never_returned():
    bank = small_bank(honesty=3, empathy=3)
    for day in range(20):
        first = choose_question(bank, [], seed_for("c", day))
        assert choose_question(bank, [], seed_for("c", day), exclude={first.id}).id != first.id
