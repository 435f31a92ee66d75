"""Roles and SKIP by voice, with real Alexa envelopes: "change my role" asks (and elicits the role slot),
a said role is stored for the speaker only; "a different question" swaps the couple's topic while nobody
has answered, and gives a gentler personal one once the partner has."""
from sqlalchemy import select

from core.models import CheckIn, DailyPrompt, Partner
from core.services import checkins, couples, questions
from prompts.bank import load_bank
from skill import speech

BANK = load_bank()


def role_of(tx, partner_id):
    with tx() as s:
        return s.get(Partner, partner_id).role


def test_change_my_role_asks_the_optional_question(alexa, couple):
    said = alexa.intent("SetRoleIntent")
    assert said.speech.startswith("One optional question")
    assert "repairing trust" in said.speech and "rather not say" in said.speech
    assert said.ended is False and said.attributes.get("awaiting") == "role"
    [elicit] = said.directives
    assert (elicit["type"], elicit["slotToElicit"], elicit["updatedIntent"]["name"]) == (
        "Dialog.ElicitSlot", "role", "SetRoleIntent")


def test_a_said_role_is_stored_for_the_speaker_only(alexa, couple, tx):
    said = alexa.intent("SetRoleIntent", role="the one who was hurt")
    assert said.speech.startswith("Thanks, I've noted mostly the one who was hurt.")
    assert "your partner isn't told" in said.speech
    assert (role_of(tx, couple.alex), role_of(tx, couple.sam)) == ("hurt", "unsaid")
    alexa.intent("SetRoleIntent", role="rather not say")
    assert role_of(tx, couple.alex) == "unsaid"


def test_an_unclear_role_asks_again(alexa, couple, tx):
    said = alexa.intent("SetRoleIntent", role="purple")
    assert said.speech.startswith("Sorry, I didn't catch that.") and said.ended is False
    assert role_of(tx, couple.alex) == "unsaid"


def test_the_question_is_worded_for_the_speakers_role(alexa, couple, tx, clock):
    paired = next(q for q in BANK if dict(q.variants).get("repairing"))
    alexa.intent("SetRoleIntent", role="repairing trust")
    with tx() as s:
        questions.todays_question(s, s.get(Partner, couple.alex).couple, clock())
        s.scalar(select(DailyPrompt)).question_id = paired.id
    assert paired.wording("repairing") in alexa.intent("TodaysQuestionIntent").speech


def test_a_different_question_before_anyone_answered(alexa, couple, tx):
    first = alexa.intent("TodaysQuestionIntent").speech
    said = alexa.intent("SkipQuestionIntent")
    with tx() as s:
        prompt = s.scalar(select(DailyPrompt))
        new = BANK.by_id(prompt.question_id)
    assert said.speech.startswith("Here's a different question for you both today: " + new.text)
    assert new.text not in first and said.ended is False
    alexa.intent("AnswerIntent", answer="we cooked together")
    with tx() as s:
        assert s.scalar(select(CheckIn.question_id)) == new.id


def test_a_different_question_after_the_partner_answered_is_just_for_me(alexa, couple, tx, clock):
    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.sam), "a long talk", "sms", "sms:sam", clock())
        topic = s.scalar(select(DailyPrompt)).question_id
    said = alexa.intent("SkipQuestionIntent")
    assert said.speech.startswith("Here's a gentler one, just for you today: ")
    with tx() as s:
        assert s.scalar(select(DailyPrompt)).question_id == topic  # Sam's answer still stands


def test_an_answer_to_my_gentler_question_is_said_to_stay_mine(alexa, couple, tx, clock):

    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.sam), "a long talk", "sms", "sms:sam", clock())
    alexa.intent("SkipQuestionIntent")

    said = alexa.intent("AnswerIntent", answer="a quiet evening with a book")

    assert said.speech == speech.GENTLE_KEPT and "hears it once" not in said.speech
    with tx() as s:
        mine = s.scalar(select(CheckIn).where(CheckIn.partner_id == couple.alex))
        assert BANK.by_id(mine.question_id).kind == "gentle"
        sam = couples.get_partner(s, couple.sam)
        assert checkins.reveal_partner_answer(s, sam, clock()).status != "both"  # Sam never hears it
