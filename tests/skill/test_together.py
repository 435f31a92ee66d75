"""Thinking-about-you texts, the weekly summary, and the built-in intents."""
import pytest
from sqlalchemy import select

from core.models import OutboundMessage
from core.services import checkins, couples
from tests.skill.conftest import SAM_PHONE
from tests.skill.envelopes import USER_ID, Alexa


def thinking_texts(tx):
    with tx() as s:
        return s.scalars(select(OutboundMessage).where(OutboundMessage.kind == "thinking")).all()


def test_thinking_of_you_queues_a_text_to_the_partner(alexa, couple, tx):
    said = alexa.intent("ThinkingOfYouIntent", name="Sam")
    [text] = thinking_texts(tx)
    assert said.speech == "Done. I'm letting Sam know you're thinking about them."
    assert (text.partner_id, text.to_phone, text.body) == (
        couple.sam, SAM_PHONE, "Alex is thinking about you right now. (Sent with Trust Builder.)")


def test_thinking_of_you_is_not_sent_twice_on_a_retry(alexa, couple, tx):
    for _ in range(2):
        alexa.intent("ThinkingOfYouIntent", rid="amzn1.echo-api.request.same")
    assert len(thinking_texts(tx)) == 1


def test_thinking_of_you_to_someone_else_sends_nothing(alexa, couple, tx):
    said = alexa.intent("ThinkingOfYouIntent", name="Chris")
    assert said.speech.startswith("I can only send these to your partner, Sam.") and thinking_texts(tx) == []


def test_thinking_of_you_is_one_an_hour_and_capped_per_day(alexa, couple, tx, settings, clock):
    for _ in range(settings.thinking_daily_cap):
        alexa.intent("ThinkingOfYouIntent")
        assert alexa.intent("ThinkingOfYouIntent").speech == (
            "You sent Sam one less than an hour ago. One an hour is plenty, so try again later.")
        clock.advance(minutes=61)
    said = alexa.intent("ThinkingOfYouIntent")
    assert said.speech == "You've already sent 3 today, which is the daily limit. You can send more tomorrow."
    assert len(thinking_texts(tx)) == 3


@pytest.mark.parametrize("change,expected", [
    (lambda sam: setattr(sam, "consent", "invited"), "Sam hasn't joined Trust Builder yet."),  # sent or not
    (lambda sam: setattr(sam, "opted_out", True), "I can't send that, because Sam isn't getting texts right now."),
    (lambda sam: setattr(sam, "phone_invalid", True),
     "I can't send that, because texts to Sam's phone number aren't getting through."),
])
def test_thinking_of_you_says_honestly_why_it_cannot(alexa, couple, tx, change, expected):
    with tx() as s:
        change(couples.get_partner(s, couple.sam))
    assert alexa.intent("ThinkingOfYouIntent").speech == expected and thinking_texts(tx) == []


def test_thinking_of_you_without_a_partner(client, clock, tx):
    with tx() as s:
        couples.create_couple(s, "Alex", "+14155550100", clock(), "America/Los_Angeles").alexa_user_id = USER_ID
    said = Alexa(client, clock).intent("ThinkingOfYouIntent")
    assert said.speech.startswith("You haven't added your partner to Trust Builder yet.")


def test_thinking_of_you_in_quiet_hours_says_when_it_arrives(alexa, couple, clock):
    clock.advance(hours=14)  # 11 PM in Los Angeles
    assert alexa.intent("ThinkingOfYouIntent").speech == (
        "It's quiet hours for Sam, so your text will wait until tomorrow at 8 AM, and it will say when you sent it.")
    clock.advance(hours=1, minutes=5)
    assert alexa.intent("ThinkingOfYouIntent").speech.startswith("One is already waiting for Sam's quiet hours")


@pytest.mark.parametrize("change, expected", [
    (lambda sam: setattr(sam, "takes_thinking", False),
     "Sam has turned thinking-about-you texts off for now, so it won't go."),
    (lambda sam: setattr(sam, "paused", True), "Sam has paused their texts for now, so it won't go."),
])
def test_thinking_of_you_respects_the_recipients_own_choices(alexa, couple, tx, change, expected):
    with tx() as s:
        change(couples.get_partner(s, couple.sam))
    assert alexa.intent("ThinkingOfYouIntent").speech == expected and thinking_texts(tx) == []


def test_weekly_summary(alexa, couple, tx, clock):
    with tx() as s:
        checkins.record_check_in(s, couples.get_partner(s, couple.alex), "hi", "sms", "sms:1", clock())
    said = alexa.intent("WeeklySummaryIntent")
    assert said.speech.startswith("Together you answered on 1 day this week.")
    assert "Sam" not in said.speech  # the couple together, never side by side
    assert "Small win" in said.speech and said.ended is True


def test_help_keeps_the_session_open(alexa, couple):
    said = alexa.intent("AMAZON.HelpIntent")
    assert said.speech.startswith("Trust Builder gives you and your partner one question a day.")
    assert said.reprompt and said.ended is False


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"])
def test_stop_cancel_and_home_end_kindly(alexa, couple, intent):
    said = alexa.intent(intent)
    assert said.speech == "Take care of each other. Goodbye." and said.ended is True


def test_fallback_suggests_two_things_to_say(alexa, couple):
    said = alexa.intent("AMAZON.FallbackIntent")
    assert said.speech == ("Sorry, I can't help with that. You can say 'what's today's question', or "
                           "'I promise to call you at six'.")
    assert said.reprompt and said.ended is False


def test_yes_and_no_out_of_the_blue(alexa, couple):
    assert alexa.intent("AMAZON.YesIntent").speech.startswith("What would you like to do?")
    assert alexa.intent("AMAZON.NoIntent").ended is True


def test_session_ended_for_a_linked_partner(alexa, couple):
    alexa.launch()
    ended = alexa.end("EXCEEDED_MAX_REPROMPTS")
    assert ended.status == 200 and "outputSpeech" not in ended.body["response"]
