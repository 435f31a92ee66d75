"""The question bank: the shipped file is sound and the loader rejects each kind of bad entry."""
import dataclasses
import re
from collections import Counter

import pytest
import yaml

from prompts.bank import MAX_TEXT, MAX_TIP, THEMES, BankError, Question, QuestionBank, load_bank

GOOD = {"id": "honesty-001", "theme": "honesty", "text": "What felt honest today?", "tip": "Say one true thing."}
SECOND = {"id": "empathy-001", "theme": "empathy", "text": "What did you notice?", "tip": "Ask how they are."}
SMS_PREFIX = "Today's question: "
# Words that point a finger; the bank speaks to both partners and blames neither.
BLAME_WORDS = ("blame", "fault", "guilt", "shame", "cheat", "liar", "punish", "should have")


def write_bank(tmp_path, entries):
    """Write entries as a YAML bank file and return its path."""
    path = tmp_path / "questions.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def bad_second_entry(tmp_path, **changes):
    """A bank whose second entry has `changes` applied (None removes a field)."""
    entry = {**SECOND, **changes}
    return write_bank(tmp_path, [GOOD, {k: v for k, v in entry.items() if v is not None}])


# The shipped bank


def test_shipped_bank_loads_with_enough_questions():
    bank = load_bank()
    assert len(bank) >= 150
    assert set(bank.themes) == set(THEMES)


def test_every_theme_has_at_least_twelve_questions():
    counts = Counter(q.theme for q in load_bank())
    assert {theme: counts[theme] for theme in THEMES if counts[theme] < 12} == {}


def test_shipped_texts_and_ids_are_unique():
    bank = load_bank()
    texts = [q.text.lower() for q in bank]
    assert len(set(texts)) == len(texts)
    assert len({q.id for q in bank}) == len(bank)


def test_shipped_ids_start_with_their_theme():
    for question in load_bank():
        assert question.id.startswith(question.theme.replace("_", "-") + "-"), question.id


def test_shipped_text_fits_one_sms_segment_with_prefix():
    for question in load_bank():
        assert len(SMS_PREFIX + question.text) <= 160, question.id


def test_shipped_bank_avoids_blame_words_and_numerals():
    for question in load_bank():
        spoken = f"{question.text} {question.tip}".lower()
        assert not [word for word in BLAME_WORDS if word in spoken], question.id
        assert not re.search(r"\d", spoken), question.id


def test_default_load_is_cached():
    assert load_bank() is load_bank()


def test_bank_lookup_and_length(tmp_path):
    bank = load_bank(write_bank(tmp_path, [GOOD, SECOND]))
    assert len(bank) == 2
    assert bank.by_id("empathy-001") == Question(**SECOND)
    assert [q.id for q in bank] == ["honesty-001", "empathy-001"]
    assert bank.themes == ("honesty", "empathy")
    assert "honesty-001" in bank and "nope" not in bank


def test_by_id_unknown_raises_key_error():
    with pytest.raises(KeyError):
        load_bank().by_id("no-such-question")


def test_question_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_bank().questions[0].text = "Changed?"


def test_bank_rejects_duplicate_ids_when_built_directly():
    with pytest.raises(BankError, match="unique"):
        QuestionBank((Question(**GOOD), Question(**GOOD)))


def test_loader_accepts_limits_exactly(tmp_path):
    text = "W" * (MAX_TEXT - 1) + "?"
    bank = load_bank(bad_second_entry(tmp_path, text=text, tip="T" * MAX_TIP))
    assert bank.by_id("empathy-001").text == text


def test_loader_accepts_a_path_string(tmp_path):
    assert len(load_bank(str(write_bank(tmp_path, [GOOD])))) == 1


# Bad entries: each message must name the entry's index and id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tip": None}, "missing field(s): tip"),
        ({"text": None, "theme": None}, "missing field(s): theme, text"),
        ({"mood": "calm"}, "unexpected field(s): mood"),
        ({"theme": "jealousy"}, "unknown theme 'jealousy'"),
        ({"theme": "Honesty"}, "unknown theme 'Honesty'"),
        ({"text": ""}, "text is empty"),
        ({"text": "   "}, "text is empty"),
        ({"tip": ""}, "tip is empty"),
        ({"text": "Tell me about your day."}, "must end with '?'"),
        ({"text": "Are you ready? What would help?"}, "text must be one sentence"),
        ({"text": "It was hard. What helped?"}, "text must be one sentence"),
        ({"tip": "Say it. Then listen."}, "tip must be one sentence"),
        ({"text": "What do you & I need?"}, "forbidden symbol(s): '&'"),
        ({"text": "What is yours/mine?"}, "forbidden symbol(s): '/'"),
        ({"text": "Are you 100% sure?"}, "forbidden symbol(s): '%'"),
        ({"text": "What is your #1 hope?"}, "forbidden symbol(s): '#'"),
        ({"text": 'What does "home" mean?'}, "forbidden symbol(s): '\"'"),
        ({"text": "What helps (today)?"}, "forbidden symbol(s): '(' ')'"),
        ({"tip": "Hug & listen."}, "tip has forbidden symbol(s): '&'"),
        ({"text": "What made you smile 😊?"}, "non-GSM-7 character(s)"),
        ({"text": "What’s on your mind?"}, "non-GSM-7 character(s): '’'"),
        ({"text": "What costs €5?"}, "non-GSM-7 character(s): '€'"),
        ({"text": "What is [this]?"}, "non-GSM-7 character(s): '[' ']'"),
        ({"text": "What feels true — today?"}, "non-GSM-7 character(s): '—'"),
        ({"text": "W" * MAX_TEXT + "?"}, f"text is too long: {MAX_TEXT + 1} characters (max {MAX_TEXT})"),
        ({"tip": "T" * (MAX_TIP + 1)}, f"tip is too long: {MAX_TIP + 1} characters (max {MAX_TIP})"),
        ({"text": 42}, "text must be a string, not int"),
        ({"tip": True}, "tip must be a string, not bool"),
        ({"id": "Empathy 1"}, "id must be a lowercase slug"),
    ],
)
def test_loader_rejects_bad_entry_and_names_it(tmp_path, changes, message):
    path = bad_second_entry(tmp_path, **changes)
    with pytest.raises(BankError) as caught:
        load_bank(path)
    text = str(caught.value)
    assert "entry [1]" in text
    assert repr(changes.get("id", SECOND["id"])) in text
    assert message in text


def test_loader_rejects_duplicate_id_naming_both_entries(tmp_path):
    path = write_bank(tmp_path, [GOOD, SECOND, {**SECOND, "text": "Another?"}])
    with pytest.raises(BankError, match=r"entry \[2\] \(id 'empathy-001'\): duplicate id, first used by entry \[1\]"):
        load_bank(path)


def test_loader_rejects_entry_that_is_not_a_mapping(tmp_path):
    with pytest.raises(BankError, match=r"entry \[1\] \(id None\): must be a mapping"):
        load_bank(write_bank(tmp_path, [GOOD, "What is this?"]))


def test_loader_lists_every_problem_of_an_entry(tmp_path):
    with pytest.raises(BankError, match=r"unknown theme 'x' .*; text must end with '\?'"):
        load_bank(bad_second_entry(tmp_path, theme="x", text="No question"))


# Bad files


@pytest.mark.parametrize("content", ["", "[]", "questions: {}", "just text"])
def test_loader_rejects_file_that_is_not_a_list(tmp_path, content):
    path = tmp_path / "questions.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BankError, match="non-empty list"):
        load_bank(path)


def test_loader_rejects_invalid_yaml(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="invalid YAML"):
        load_bank(path)


def test_loader_rejects_missing_file(tmp_path):
    with pytest.raises(BankError, match="cannot read"):
        load_bank(tmp_path / "absent.yaml")


def test_bank_error_is_a_value_error():
    assert issubclass(BankError, ValueError)
