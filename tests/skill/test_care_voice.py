"""Issue 11 by voice, with real Alexa envelopes: "I don't feel safe" for anyone, an answer that speaks of
danger held private with the lines and a question, "take back my answer", "just for me, ...", and
"delete my data" with a spoken confirmation."""
from sqlalchemy import select

from core.models import CheckIn, Partner
from core.services import checkins, couples
from skill import speech
from tests.skill.envelopes import intent_request


def stored(tx):
    with tx() as s:
        return [(r.text, r.visibility) for r in s.scalars(select(CheckIn).order_by(CheckIn.id))]


def test_safety_intent_answers_at_once_with_the_us_lines_for_a_linked_partner(alexa, couple):
    said = alexa.intent("SafetyIntent")

    assert said.status == 200 and said.ended is True
    assert "9 1 1" in said.speech and "9 8 8" in said.speech and "1, 8 0 0, 7 9 9, 7 2 3 3" in said.speech
    assert "I haven't told anyone you asked." in said.speech


def test_safety_intent_works_for_an_unlinked_device_by_its_locale(alexa, clock):
    for locale, number in (("en-GB", "9 9 9"), ("en-AU", "triple zero"), ("en-CA", "9 8 8"),
                           ("de-DE", "local emergency number")):
        request = intent_request("SafetyIntent", clock(), {}, None, None)
        request["locale"] = locale
        said = alexa.send(request, user_id="amzn1.ask.account.NOBODY")
        assert said.status == 200 and number in said.speech, locale
        assert "link" not in said.speech.lower()  # no gate before the lines


def test_help_mentions_safety(alexa, couple):
    assert "I don't feel safe" in alexa.intent("AMAZON.HelpIntent").speech


def test_a_spoken_answer_that_reads_as_danger_is_held_and_shared_only_on_yes(alexa, couple, tx, clock):
    said = alexa.intent("AnswerIntent", answer="I feel unsafe at home")

    assert "kept that answer private, so Sam won't hear it" in said.speech and "9 8 8" in said.speech
    assert said.reprompt == speech.ASK_SHARE_HELD
    assert stored(tx) == [("I feel unsafe at home", "held")]
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        checkins.record_check_in(s, sam, "I want to understand", "sms", "sam-1", clock())
        assert checkins.reveal_partner_answer(s, sam, clock()).status == "waiting_partner"

    assert alexa.intent("AMAZON.YesIntent").speech == speech.SHARE_HELD_DONE
    assert stored(tx)[0] == ("I feel unsafe at home", "shared")


def test_no_keeps_a_held_answer_private(alexa, couple, tx):
    alexa.intent("AnswerIntent", answer="he hit me last night")

    assert alexa.intent("AMAZON.NoIntent").speech == speech.KEPT_PRIVATE
    assert stored(tx) == [("he hit me last night", "held")]


def test_a_spoken_yes_or_thanks_is_not_saved_as_an_answer(alexa, couple, tx):
    said = alexa.intent("AnswerIntent", answer="thanks")

    assert said.speech == speech.NOT_AN_ANSWER and said.ended is False
    assert stored(tx) == []


def test_take_back_my_answer_within_fifteen_minutes(alexa, couple, tx, clock):
    alexa.intent("AnswerIntent", answer="I miss how we used to laugh")
    clock.advance(minutes=10)

    assert alexa.intent("UndoAnswerIntent").speech == speech.UNDONE
    assert stored(tx) == []
    assert alexa.intent("UndoAnswerIntent").speech == speech.UNDO_NOTHING


def test_take_back_too_late(alexa, couple, clock):
    alexa.intent("AnswerIntent", answer="I miss how we used to laugh")
    clock.advance(minutes=16)

    assert alexa.intent("UndoAnswerIntent").speech == speech.UNDO_TOO_LATE


def test_just_for_me_is_never_revealed(alexa, couple, tx, clock):
    said = alexa.intent("PrivateReflectionIntent", text="I am not ready to forgive yet")

    assert said.speech == speech.PRIVATE_KEPT
    assert stored(tx) == [("I am not ready to forgive yet", "private")]
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        checkins.record_check_in(s, sam, "Sam's answer", "sms", "sam-2", clock())
        assert checkins.reveal_partner_answer(s, sam, clock()).status == "waiting_partner"
    assert alexa.intent("PrivateReflectionIntent").speech == speech.ASK_PRIVATE


def test_delete_my_data_asks_then_erases_on_yes(alexa, couple, tx):
    alexa.intent("AnswerIntent", answer="I felt close to you")

    ask = alexa.intent("DeleteMyDataIntent")
    done = alexa.intent("AMAZON.YesIntent")

    assert ask.speech == speech.ERASE_ASK and ask.ended is False
    assert done.speech == speech.ERASED and done.ended is True
    with tx() as s:
        alex = s.get(Partner, couple.alex)
        assert (alex.phone, alex.alexa_user_id, alex.erased_at is not None) == (None, None, True)
    assert stored(tx) == []


def test_delete_my_data_no_keeps_everything(alexa, couple, tx):
    alexa.intent("DeleteMyDataIntent")

    assert alexa.intent("AMAZON.NoIntent").speech == speech.ERASE_KEPT
    with tx() as s:
        alex = s.get(Partner, couple.alex)
        assert alex.phone and alex.awaiting is None  # nothing waits for a text "yes" either
    assert alexa.intent("AMAZON.YesIntent").speech != speech.ERASED  # the question is over


def test_after_erasure_voice_says_the_partner_is_not_using_trust_builder(alexa, couple, tx, clock):
    with tx() as s:
        couples.erase_partner(s, couples.get_partner(s, couple.sam), clock())

    assert alexa.intent("PartnerAnswerIntent").speech == "Sam isn't using Trust Builder right now."
    assert alexa.intent("ThinkingOfYouIntent").speech == "Sam isn't using Trust Builder right now."
