"""The daily question, answers, moods and the partner's answer, through /alexa and into the database."""
from sqlalchemy import func, select

from core.models import CheckIn, QuestionHeard
from core.services import checkins, couples, questions
from tests.skill.envelopes import Alexa, intent_request


def test_launch_asks_todays_question_and_notes_it_was_heard(alexa, couple, tx, clock):
    said = alexa.launch()
    with tx() as s:
        alex = couples.get_partner(s, couple.alex)
        _, question = questions.todays_question(s, alex.couple, clock())
        heard = s.scalars(select(QuestionHeard)).all()
    assert said.status == 200 and said.ended is False
    assert said.speech.startswith("Hi, Alex. Today's question is: ")
    assert question.text in said.speech
    assert "say 'my answer is'" in said.reprompt
    assert [(h.partner_id, h.channel) for h in heard] == [(couple.alex, "voice")]


def test_asking_again_the_same_day_gives_the_same_question(alexa, couple, clock):
    first = alexa.intent("TodaysQuestionIntent")
    clock.advance(hours=3)
    again = Alexa(alexa.client, clock).intent("TodaysQuestionIntent")
    assert first.speech == again.speech


def test_both_partners_get_the_same_question(alexa, couple, tx, clock):
    alexa.intent("TodaysQuestionIntent")
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        _, question = questions.todays_question(s, sam.couple, clock())
    assert question.text in alexa.intent("TodaysQuestionIntent").speech


def test_answer_is_stored_as_a_voice_check_in_with_a_tip(alexa, couple, tx):
    alexa.launch()
    said = alexa.intent("AnswerIntent", answer="I felt close to you at dinner")
    with tx() as s:
        rows = s.scalars(select(CheckIn)).all()
    assert said.speech.startswith("Thank you, I've saved your answer. Your partner hears it once they've answered")
    assert "say 'take back my answer'" in said.speech and "One idea for today: " in said.speech
    assert said.ended is True
    assert [(r.partner_id, r.text, r.channel) for r in rows] == [
        (couple.alex, "I felt close to you at dinner", "voice")]
    assert rows[0].source_id.startswith("alexa:amzn1.echo-api.request.")
    assert "awaiting" not in said.attributes


def test_an_alexa_retry_of_the_same_request_stores_one_check_in(alexa, couple, tx):
    first = alexa.intent("AnswerIntent", rid="amzn1.echo-api.request.retry-1", answer="patience")
    second = alexa.intent("AnswerIntent", rid="amzn1.echo-api.request.retry-1", answer="patience")
    with tx() as s:
        count = s.scalar(select(func.count(CheckIn.id)))
    assert first.speech == second.speech and count == 1


def test_answer_with_markup_is_escaped_in_speech(alexa, couple, tx, clock):
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        checkins.record_check_in(s, sam, "We <laughed> & it felt good", "sms", "sms:1", clock())
    alexa.intent("AnswerIntent", answer="me too")
    said = alexa.intent("AMAZON.YesIntent")
    assert "Sam said: We &lt;laughed&gt; &amp; it felt good" in said.speech


def test_empty_answer_asks_again_and_stores_nothing(alexa, couple, tx):
    said = alexa.intent("AnswerIntent", answer=None)
    with tx() as s:
        assert s.scalar(select(func.count(CheckIn.id))) == 0
    assert "Start with 'my answer is'" in said.speech and said.ended is False


def test_fallback_after_the_invitation_explains_how_to_answer(alexa, couple):
    alexa.launch()
    said = alexa.intent("AMAZON.FallbackIntent")
    assert "Start with 'my answer is'" in said.speech and said.reprompt and said.ended is False
    assert alexa.intent("AnswerIntent", answer="more patience").speech.startswith("Thank you")


def test_a_bare_word_heard_as_a_name_after_the_invitation_is_not_lost_silently(alexa, couple):
    alexa.launch()
    said = alexa.intent("IdentifyPartnerIntent", name="Patience")
    assert "Start with 'my answer is'" in said.speech and said.ended is False


def test_yes_after_the_invitation_says_go_ahead(alexa, couple):
    alexa.launch()
    assert alexa.intent("AMAZON.YesIntent").speech.startswith("Go ahead.")


def test_launch_after_answering_offers_what_to_do_next(alexa, couple):
    alexa.intent("AnswerIntent", answer="honesty")
    said = Alexa(alexa.client, alexa.clock).launch()
    assert "You've answered today's question." in said.speech and said.reprompt


def test_mood_is_stored(alexa, couple, tx):
    said = alexa.intent("MoodIntent", rating="4")
    with tx() as s:
        rows = s.scalars(select(CheckIn)).all()
    assert said.speech == "Thanks. I've noted a 4 for today."
    assert [(r.mood, r.text) for r in rows] == [(4, None)]


def test_low_mood_gets_a_kind_word(alexa, couple):
    assert "hard days count too" in alexa.intent("MoodIntent", rating="1").speech


def test_mood_out_of_range_or_missing_is_asked_again_gently(alexa, couple, tx):
    seven = alexa.intent("MoodIntent", rating="7")
    unheard = alexa.intent("MoodIntent", rating="?")
    missing = alexa.intent("MoodIntent")
    fallback = alexa.intent("AMAZON.FallbackIntent")
    with tx() as s:
        assert s.scalar(select(func.count(CheckIn.id))) == 0
    assert seven.speech.startswith("I use a scale of one to five.") and seven.ended is False
    assert unheard.speech.startswith("I use a scale of one to five.")
    assert missing.speech.startswith("From one to five") and missing.reprompt
    assert fallback.speech.startswith("From one to five")


def test_partner_answer_is_not_revealed_before_you_answer(alexa, couple, tx, clock):
    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.sam), "a secret", "sms", "sms:1", clock())
    said = alexa.intent("PartnerAnswerIntent")
    assert "a secret" not in said.speech
    assert "once you've answered today's question too" in said.speech and said.ended is False
    assert "Today's question is" in alexa.intent("AMAZON.YesIntent").speech


def test_partner_answer_is_not_revealed_before_they_answer(alexa, couple):
    alexa.intent("AnswerIntent", answer="mine")
    said = alexa.intent("PartnerAnswerIntent")
    assert said.speech == "Sam hasn't answered today's question yet. Once they do, you can hear it."


def test_partner_answer_is_revealed_when_both_answered(alexa, couple, tx, clock):
    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.sam), "I missed you", "sms", "sms:1", clock())
    answered = alexa.intent("AnswerIntent", answer="mine")
    assert "Sam has answered too" in answered.speech and answered.ended is False
    assert alexa.intent("PartnerAnswerIntent").speech == "Sam said: I missed you"


def test_no_to_the_offer_ends_kindly(alexa, couple, tx, clock):
    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.sam), "hidden", "sms", "sms:1", clock())
    alexa.intent("AnswerIntent", answer="mine")
    said = alexa.intent("AMAZON.NoIntent")
    assert "hidden" not in said.speech and said.ended is True


def test_partner_answer_without_a_partner(client, clock, tx):
    from tests.skill.conftest import ALEX_PHONE
    from tests.skill.envelopes import USER_ID
    with tx() as s:
        couples.create_couple(s, "Alex", ALEX_PHONE, clock(), "America/Los_Angeles").alexa_user_id = USER_ID
    said = Alexa(client, clock).intent("PartnerAnswerIntent")
    assert said.speech.startswith("Once your partner joins Trust Builder")


def test_a_very_long_answer_is_read_back_within_alexas_limit(alexa, couple, tx, clock):
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        for n in range(6):
            checkins.record_check_in(s, sam, "&" * 1500, "sms", f"sms:{n}", clock())
    alexa.intent("AnswerIntent", answer="mine")
    body = alexa.send(intent_request("PartnerAnswerIntent", clock())).body
    ssml = body["response"]["outputSpeech"]["ssml"]
    assert len(ssml) < 8000 and ssml.endswith("...</speak>") and "&amp;" in ssml
