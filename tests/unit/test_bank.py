"""The question bank: the shipped file is sound and kind, and the loader rejects each kind of bad entry."""
import dataclasses
import re
from collections import Counter

import pytest
import yaml

from prompts.bank import (
    LOOKS_BACK_STAGE, MAX_TEXT, MAX_TIP, OWNING, ROLES, SIMILARITY_LIMIT, STAGES, THEMES, BankError, Question,
    QuestionBank, content_words, load_bank, near_duplicates, similarity,
)

TAGS = {"roles": "all", "earliest_day": 0}
GOOD = {"id": "honesty-001", "theme": "honesty", **TAGS, "text": "What felt honest today?",
        "tip": "Say one true thing."}
SECOND = {"id": "empathy-001", "theme": "empathy", **TAGS, "text": "What did you notice?", "tip": "Ask how they are."}
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


def everything():
    """Every question of the shipped bank, topics and gentle ones."""
    bank = load_bank()
    return bank.questions + bank.gentle


def test_shipped_bank_loads_with_enough_topics():
    bank = load_bank()
    assert len(bank) >= 200
    assert set(bank.themes) == set(THEMES)
    assert all(q.kind == "topic" for q in bank)


def test_every_theme_has_at_least_eighteen_topics_and_two_gentle_questions():
    bank = load_bank()
    topics, gentle = Counter(q.theme for q in bank), Counter(q.theme for q in bank.gentle)
    assert {theme: topics[theme] for theme in THEMES if topics[theme] < 18} == {}
    assert {theme: gentle[theme] for theme in THEMES if gentle[theme] < 2} == {}
    assert all(q.kind == "gentle" for q in bank.gentle)


def test_shipped_texts_and_ids_are_unique():
    wordings = [w.lower() for q in everything() for w in q.wordings()]
    assert len(set(wordings)) == len(wordings)
    assert len({q.id for q in everything()}) == len(everything())


def test_shipped_ids_start_with_their_theme():
    for question in everything():
        prefix = "gentle-" if question.kind == "gentle" else ""
        assert question.id.startswith(prefix + question.theme.replace("_", "-") + "-"), question.id


def test_every_shipped_wording_fits_one_sms_segment_with_prefix():
    for question in everything():
        for wording in question.wordings():
            assert len(SMS_PREFIX + wording) <= 160, question.id


def test_shipped_bank_avoids_blame_words_and_numerals():
    for question in everything():
        spoken = " ".join((*question.wordings(), question.tip)).lower()
        assert not [word for word in BLAME_WORDS if word in spoken], question.id
        assert not re.search(r"\d", spoken), question.id


def test_default_load_is_cached():
    assert load_bank() is load_bank()


def test_bank_lookup_and_length(tmp_path):
    bank = load_bank(write_bank(tmp_path, [GOOD, SECOND]))
    assert len(bank) == 2
    assert bank.by_id("empathy-001") == Question(**{k: v for k, v in SECOND.items() if k not in TAGS})
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
        ({"roles": None, "earliest_day": None}, "missing field(s): roles, earliest_day"),
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


# Tags: roles, stages, looks_back, kinds and role wordings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": ["hurt", "partner"]}, "unknown role(s) 'partner'"),
        ({"roles": "everyone"}, "roles must be 'all' or a non-empty list of roles"),
        ({"roles": []}, "roles must be 'all' or a non-empty list of roles"),
        ({"roles": ["hurt", "hurt"]}, "roles lists a role twice"),
        ({"earliest_day": 7}, "earliest_day must be one of 0, 14, 30, not 7"),
        ({"earliest_day": "14"}, "earliest_day must be a whole number of days, not str"),
        ({"earliest_day": True}, "earliest_day must be a whole number of days, not bool"),
        ({"looks_back": "yes"}, "looks_back must be true or false, not str"),
        ({"looks_back": True}, f"a looks_back question must have earliest_day of at least {LOOKS_BACK_STAGE}"),
        ({"theme": "understanding", "earliest_day": 14}, "understanding topics are about what broke"),
        ({"kind": "daily"}, "unknown kind 'daily'"),
        ({"repairing": "What will you do?", "roles": ["hurt", "both"]}, "has a repairing wording but 'repairing'"),
        ({"hurt": "What would help you?", "roles": ["repairing"]}, "has a hurt wording but 'hurt'"),
        ({"hurt": "Tell me more."}, "hurt must end with '?'"),
        ({"repairing": "W" * MAX_TEXT + "?"}, f"repairing is too long: {MAX_TEXT + 1} characters"),
        ({"hurt": "What’s hard?"}, "hurt has non-GSM-7 character(s): '’'"),
        ({"hurt": "What & why?"}, "hurt has forbidden symbol(s): '&'"),
        ({"repairing": "Is it hard? What helps?"}, "repairing must be one sentence"),
        ({"repairing": 3}, "repairing must be a string, not int"),
        ({"kind": "gentle", "earliest_day": 14}, "a gentle question must suit everyone from day 0"),
        ({"kind": "gentle", "roles": ["hurt"]}, "a gentle question must suit everyone from day 0"),
        ({"kind": "gentle", "hurt": "What helps you?"}, "a gentle question has one wording for everyone"),
    ],
)
def test_loader_rejects_bad_tags_and_names_the_entry(tmp_path, changes, message):
    with pytest.raises(BankError) as caught:
        load_bank(bad_second_entry(tmp_path, **changes))
    assert "entry [1]" in str(caught.value) and "'empathy-001'" in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # Never ask anyone who may have been hurt (text reaches `both` and `unsaid`) to own part of the hurt.
        ({"text": "When something goes wrong between you, what is your part, however small?"},
         "text asks someone to own part of a hurt ('your part')"),
        ({"hurt": "Which unmet need played a part in what happened?", "earliest_day": 14, "looks_back": True},
         "hurt asks someone to own part of a hurt ('played a part', 'unmet need')"),
        ({"hurt": "What share of it is your share?"}, "hurt asks someone to own part of a hurt ('your share')"),
        ({"tip": "Name your part in it first."}, "tip asks someone to own part of a hurt ('your part')"),
        ({"text": "What is something you are glad to know now, even though it was hard to hear?"},
         "text asks for gratitude about a discovery ('hard to hear', 'know now')"),
        ({"text": "How are you grateful that you discovered the truth?"},
         "text asks for gratitude about a discovery ('discover')"),
        ({"text": "Which moment from that time do you keep returning to?"}, "text invites rumination ('keep returning')"),
        ({"repairing": "What scene do you replay most?"}, "repairing invites rumination ('replay')"),
    ],
)
def test_loader_rejects_what_we_never_ask(tmp_path, changes, message):
    with pytest.raises(BankError, match=re.escape(message)):
        load_bank(bad_second_entry(tmp_path, **changes))


def test_only_the_repairing_wording_may_ask_about_owning_a_part(tmp_path):
    entry = {**SECOND, "earliest_day": 14, "looks_back": True,
             "text": "What does owning a mistake well look like to you?",
             "repairing": "What part of what happened is your part to own, said plainly?"}
    question = load_bank(write_bank(tmp_path, [GOOD, entry])).by_id("empathy-001")
    assert question.wording("repairing") == entry["repairing"]
    assert question.wording("hurt") == question.wording("both") == question.wording("unsaid") == entry["text"]


def test_phrase_rules_match_whole_words_only(tmp_path):
    # "your partner" is not "your part", "partially" is not "part", "dwelling" is not a word we look for.
    for text in ("What are you glad your partner cooked this week?", "What would you like to discover together?",
                 "Which partially done job at your dwelling could wait?"):
        entry = {**SECOND, "text": text}
        assert load_bank(write_bank(tmp_path, [GOOD, entry])).by_id("empathy-001").text == text


def test_loaded_tags_and_wordings(tmp_path):
    entry = {**SECOND, "roles": ["hurt", "repairing"], "earliest_day": 30, "looks_back": True,
             "text": "What would help?", "hurt": "What would help you?", "repairing": "What could you offer?"}
    question = load_bank(write_bank(tmp_path, [GOOD, entry])).by_id("empathy-001")
    assert question.roles == ("repairing", "hurt")  # always in ROLES order
    assert (question.earliest_day, question.looks_back, question.kind) == (30, True, "topic")
    assert question.variants == (("repairing", "What could you offer?"), ("hurt", "What would help you?"))
    assert question.wordings() == ("What would help?", "What could you offer?", "What would help you?")
    assert question.suits("hurt") and not question.suits("both") and not question.suits(None)
    good = load_bank(write_bank(tmp_path, [GOOD])).by_id("honesty-001")
    assert good.roles == ROLES and good.variants == () and good.looks_back is False


def test_wording_of_an_unknown_role_is_an_error():
    with pytest.raises(ValueError, match="unknown role 'victim'"):
        load_bank().questions[0].wording("victim")


def test_gentle_questions_load_apart_from_topics(tmp_path):
    gentle = {"id": "gentle-empathy-001", "kind": "gentle", "theme": "empathy", **TAGS,
              "text": "Who made you smile today?", "tip": "Thank them."}
    bank = load_bank(write_bank(tmp_path, [GOOD, gentle]))
    assert [q.id for q in bank] == ["honesty-001"] and len(bank) == 1
    assert [q.id for q in bank.gentle] == ["gentle-empathy-001"]
    assert "gentle-empathy-001" in bank and bank.by_id("gentle-empathy-001").kind == "gentle"
    assert bank.is_topic("honesty-001") and not bank.is_topic("gentle-empathy-001")


def test_a_bank_of_only_gentle_questions_is_rejected(tmp_path):
    gentle = {**SECOND, "kind": "gentle"}
    with pytest.raises(BankError, match="no topics"):
        load_bank(write_bank(tmp_path, [gentle]))


# Near-duplicates


def test_similarity_measures_shared_content_words():
    assert similarity("What helps you rest?", "What helps you rest?") == 1.0
    # Reordered, inflected and padded with filler words: still the same question.
    assert similarity("What helps you stay patient on days when healing feels slow?",
                      "When healing seems slow, what helps you to stay patient on those days?") >= SIMILARITY_LIMIT
    assert similarity("What would you love to learn someday?", "How do you handle a heated talk?") == 0.0
    assert content_words("Which of your partner's habits helps?") == {"habit"}


def test_loader_rejects_a_near_duplicate_and_names_both(tmp_path):
    first = {**GOOD, "text": "What helps you stay patient on days when healing feels slow?"}
    second = {**SECOND, "text": "On the days when healing seems slow, what helps you stay patient?"}
    with pytest.raises(BankError, match=r"entry \[1\] \(id 'empathy-001'\): near-duplicate of entry \[0\] "
                                        r"\(id 'honesty-001'\), \d+% of their words overlap"):
        load_bank(write_bank(tmp_path, [first, second]))


def test_a_role_wording_may_not_duplicate_another_topic(tmp_path):
    first = {**GOOD, "text": "What small promise could you keep today without fail?"}
    second = {**SECOND, "text": "What did you notice?", "hurt": "Which small promise could you keep today, without fail?"}
    with pytest.raises(BankError, match="near-duplicate"):
        load_bank(write_bank(tmp_path, [first, second]))


def test_wordings_of_one_topic_may_resemble_each_other(tmp_path):
    entry = {**SECOND, "text": "What would help you trust an answer?",
             "repairing": "What would help your partner trust your answer?"}
    assert load_bank(write_bank(tmp_path, [GOOD, entry])).by_id("empathy-001").variants


def test_shipped_bank_has_no_near_duplicates_with_a_margin():
    assert near_duplicates(everything()) == []
    closest = near_duplicates(everything(), limit=0.0)[0][0]
    assert closest <= SIMILARITY_LIMIT - 0.05, f"closest pair overlaps {closest:.0%}"


# What the shipped bank asks, and of whom


BREACH_WORDS = ("what happened", "what broke", "break in trust", "broken trust", "betray", "affair", "since then",
                "back then", "that time")


def test_every_wording_about_what_happened_looks_back_and_waits():
    for question in everything():
        spoken = " ".join(question.wordings()).lower()
        if any(word in spoken for word in BREACH_WORDS):
            assert question.looks_back and question.earliest_day >= LOOKS_BACK_STAGE, question.id
        if question.looks_back:
            assert question.earliest_day in STAGES and question.earliest_day >= LOOKS_BACK_STAGE, question.id


def test_no_wording_a_hurt_partner_can_hear_asks_them_to_own_a_part():
    owning = re.compile(r"\b(" + "|".join(map(re.escape, OWNING)) + r")\b")
    for question in everything():
        for role in ("hurt", "both", "unsaid", None):
            assert not owning.search(question.wording(role).lower()), (question.id, role)
        assert not owning.search(question.tip.lower()), question.id
    # The repairing wording is where ownership is asked for.
    assert owning.search(load_bank().by_id("responsibility-017").wording("repairing").lower())


def test_shipped_bank_has_paired_wordings_for_both_sides():
    bank = load_bank()
    paired = [q for q in bank if q.variants]
    assert len(paired) >= 30
    roles = Counter(role for q in paired for role, _ in q.variants)
    assert roles["repairing"] >= 15 and roles["hurt"] >= 12
    assert Counter(q.earliest_day for q in bank).keys() == set(STAGES)


# Histories store ids: kept ones stay, dropped ones are gone on purpose

KEPT = ("honesty-001", "consistency-001", "responsibility-002", "empathy-001", "vulnerability-001",
        "boundaries-001", "appreciation-001", "patience-002", "shared-future-001", "understanding-001")
DROPPED = ("honesty-010", "responsibility-012", "understanding-002", "understanding-003", "understanding-004",
           "understanding-009", "understanding-010", "understanding-015", "vulnerability-008", "empathy-013",
           "patience-007", "patience-015")


def test_kept_ids_remain_and_dropped_ids_are_not_reused():
    bank = load_bank()
    assert all(qid in bank for qid in KEPT)
    assert [qid for qid in DROPPED if qid in bank] == []
