"""Check-ins: stored once per source message, validated and cleaned, encrypted, and revealed to the
partner only when both have answered."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from core.errors import InvalidInput
from core.models import CheckIn, DailyPrompt
from core.services import checkins, couples, questions
from core.services.checkins import MAX_TEXT

LA = "America/Los_Angeles"


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(CheckIn))


def answer(session, partner, words, source, now, **kwargs):
    made, _ = checkins.record_check_in(session, partner, words, kwargs.pop("channel", "sms"), source, now, **kwargs)
    return made


# Recording


def test_a_check_in_is_stored_for_todays_question(session, alex, clock):
    made, created = checkins.record_check_in(session, alex, "Being listened to", "voice", "req-1", clock(), mood=4)
    session.commit()
    day, question = questions.todays_question(session, alex.couple, clock())
    assert created
    assert (made.partner_id, made.couple_id, made.local_date, made.question_id) == (alex.id, alex.couple_id, day,
                                                                                     question.id)
    assert (made.text, made.mood, made.channel, made.created_at) == ("Being listened to", 4, "voice", clock())
    assert day == date(2026, 11, 23)


def test_a_repeated_source_id_stores_nothing_new(session, alex, clock):
    first, created = checkins.record_check_in(session, alex, "first words", "sms", "SM123", clock())
    again, created_again = checkins.record_check_in(session, alex, "different words", "sms", "SM123",
                                                    clock() + timedelta(minutes=1))
    session.commit()
    assert created and not created_again
    assert again.id == first.id
    assert again.text == "first words"
    assert stored(session) == 1


def test_a_repeated_source_id_is_recognised_in_a_later_transaction(runtime, tx, clock):
    with tx() as session:
        alex = couples.create_couple(session, "Alex", "+14155550100", clock(), LA)
        first, _ = checkins.record_check_in(session, alex, "hello", "sms", "SM9", clock())
    with tx() as session:
        alex = session.get(type(alex), alex.id)
        again, created = checkins.record_check_in(session, alex, "hello", "sms", "SM9", clock())
        assert (again.id, created) == (first.id, False)
        assert stored(session) == 1


def test_several_answers_with_different_sources_are_all_kept(session, alex, clock):
    answer(session, alex, "one", "SM1", clock())
    answer(session, alex, "two", "SM2", clock())
    assert [c.text for c in checkins.answered_on(session, alex, date(2026, 11, 23))] == ["one", "two"]


@pytest.mark.parametrize("words", ["", "   ", "\n\t ", "\x00\x1b\x07", None])
def test_an_empty_answer_is_invalid(session, alex, clock, words):
    with pytest.raises(InvalidInput) as error:
        checkins.record_check_in(session, alex, words, "sms", "SM1", clock())
    assert error.value.reason == "empty_answer"
    assert stored(session) == 0


def test_a_mood_without_words_is_kept(session, alex, clock):
    made, _ = checkins.record_mood(session, alex, 2, "voice", "mood-1", clock())
    assert (made.text, made.mood) == (None, 2)
    assert checkins.answered_on(session, alex, date(2026, 11, 23)) == []  # a mood is not an answer


@pytest.mark.parametrize("mood", [0, 6, -1, "3", 2.5])
def test_mood_goes_from_one_to_five(session, alex, clock, mood):
    with pytest.raises(InvalidInput) as error:
        checkins.record_check_in(session, alex, "fine", "sms", "SM1", clock(), mood=mood)
    assert error.value.reason == "bad_mood"


@pytest.mark.parametrize("mood", [1, 5])
def test_mood_bounds_are_inclusive(session, alex, clock, mood):
    assert answer(session, alex, None, "SM1", clock(), mood=mood).mood == mood


@pytest.mark.parametrize("channel", ["email", "", "SMS", None])
def test_an_unknown_channel_is_invalid(session, alex, clock, channel):
    with pytest.raises(InvalidInput) as error:
        checkins.record_check_in(session, alex, "fine", channel, "SM1", clock())
    assert error.value.reason == "bad_channel"


@pytest.mark.parametrize("source", ["", None])
def test_a_source_id_is_required(session, alex, clock, source):
    with pytest.raises(InvalidInput) as error:
        checkins.record_check_in(session, alex, "fine", "sms", source, clock())
    assert error.value.reason == "missing_source"


def test_control_characters_are_stripped_but_lines_kept(session, alex, clock):
    made = answer(session, alex, "  I\x00 felt\x1b[2J safe\u202e today\nand\tcalm\x07  ", "SM1", clock())
    assert made.text == "I felt[2J safe today\nand\tcalm"


def test_answers_are_capped_at_2000_characters(session, alex, clock):
    made = answer(session, alex, "a" * 1999 + "bcdef", "SM1", clock())
    assert made.text == "a" * 1999 + "b"
    assert len(made.text) == MAX_TEXT == 2000


def test_the_cap_keeps_a_long_answer_readable_after_a_round_trip(runtime, session, alex, clock):
    made = answer(session, alex, "é" * 3000, "SM1", clock())
    session.commit()
    with runtime.sessions() as fresh:
        assert fresh.get(CheckIn, made.id).text == "é" * 2000


def test_the_text_is_stored_encrypted(session, alex, clock):
    answer(session, alex, "the thing I never said", "SM1", clock())
    session.commit()
    raw = bytes(session.execute(text("SELECT text FROM check_in")).scalar_one())
    assert b"never said" not in raw


def test_the_check_in_date_is_the_couples_local_date(session, alex, clock):
    late = clock().replace(hour=7, minute=30) + timedelta(days=1)  # 23:30 on the 23rd in LA, 07:30 UTC on the 24th
    assert answer(session, alex, "late answer", "SM1", late).local_date == date(2026, 11, 23)


def test_both_partners_answer_the_same_question_stored_once(session, alex, sam, clock):
    mine = answer(session, alex, "mine", "SM1", clock())
    theirs = answer(session, sam, "theirs", "SM2", clock() + timedelta(hours=5))
    assert mine.question_id == theirs.question_id
    assert session.scalar(select(func.count()).select_from(DailyPrompt)) == 1


# What did my partner say? Only when both have answered.


def test_no_partner_yet(session, alex, clock):
    assert checkins.reveal_partner_answer(session, alex, clock()) == checkins.Reveal("no_partner")


def test_nothing_is_revealed_before_you_answer(session, alex, sam, clock):
    answer(session, sam, "I felt hopeful", "SM1", clock())
    reveal = checkins.reveal_partner_answer(session, alex, clock())
    assert reveal == checkins.Reveal("waiting_you", "Sam")
    assert reveal.text is None


def test_nothing_is_revealed_before_your_partner_answers(session, alex, sam, clock):
    answer(session, alex, "I felt tired", "SM1", clock())
    assert checkins.reveal_partner_answer(session, alex, clock()) == checkins.Reveal("waiting_partner", "Sam")


def test_a_mood_alone_does_not_unlock_the_answer(session, alex, sam, clock):
    answer(session, sam, "I felt hopeful", "SM1", clock())
    checkins.record_mood(session, alex, 3, "voice", "mood-1", clock())
    assert checkins.reveal_partner_answer(session, alex, clock()).status == "waiting_you"


def test_once_both_answered_each_sees_the_other(session, alex, sam, clock):
    answer(session, alex, "I felt tired", "SM1", clock())
    answer(session, sam, "I felt hopeful", "SM2", clock())
    answer(session, sam, "and a bit nervous", "SM3", clock())
    assert checkins.reveal_partner_answer(session, alex, clock()) == checkins.Reveal(
        "both", "Sam", "I felt hopeful and a bit nervous")
    assert checkins.reveal_partner_answer(session, sam, clock()) == checkins.Reveal("both", "Alex", "I felt tired")


def test_yesterdays_answers_do_not_unlock_today(session, alex, sam, clock):
    yesterday = clock() - timedelta(days=1)
    answer(session, alex, "old", "SM1", yesterday)
    answer(session, sam, "old too", "SM2", yesterday)
    answer(session, alex, "today", "SM3", clock())
    assert checkins.reveal_partner_answer(session, alex, clock()).status == "waiting_partner"
    assert checkins.reveal_partner_answer(session, alex, yesterday).text == "old too"
