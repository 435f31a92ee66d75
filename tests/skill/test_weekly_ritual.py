"""The weekly ritual by voice, with real Alexa envelopes: the weekly check-in's three questions and the
two-party reveal, the focus handed to the promise dialog, "rate my week" elicited slot by slot with the
speaker's own trend, and "we had a setback" with its day's pause."""
import pytest
from sqlalchemy import select

from core.models import Partner, Setback, WeeklyAnswer, WeeklyRating
from core.services import couples, weekly_checkin
from skill import speech

ANSWERS = ("how you listened on Tuesday", "the drive home felt steady", "getting home on time")


def test_the_weekly_check_in_asks_three_questions_and_reveals_nothing_before_both(alexa, couple, tx, clock):
    first = alexa.intent("WeeklyCheckInIntent")
    assert first.speech == speech.weekly_question(1, "What's one thing Sam did this week that you appreciated?",
                                                  first=True)
    assert first.reprompt == speech.WEEKLY_REPROMPT and first.attributes["awaiting"] == "weekly"

    second = alexa.intent("WeeklyCheckInIntent", answer=ANSWERS[0])
    assert second.speech == speech.weekly_next(2, "What's one moment this week that felt steady, or hard?")
    third = alexa.intent("AnswerIntent", answer=ANSWERS[1])  # "my answer is ..." answers the weekly one
    assert third.speech.startswith("Thank you. Question 3 of 3.")
    done = alexa.intent("WeeklyCheckInIntent", answer=ANSWERS[2])
    assert done.speech.startswith(speech.weekly_finished("waiting_partner", "Sam", None))
    assert done.attributes["offer"] == "focus_promise"
    with tx() as s:
        assert [a.text for a in s.scalars(select(WeeklyAnswer).order_by(WeeklyAnswer.step))] == list(ANSWERS)
        sam = couples.get_partner(s, couple.sam)
        assert weekly_checkin.reveal(s, sam, clock()).status == "waiting_you"

    again = alexa.intent("WeeklyCheckInIntent")
    assert again.speech == speech.weekly_waiting("Sam") and "Tuesday" not in again.speech
    with tx() as s:
        sam = couples.get_partner(s, couple.sam)
        for n, said in enumerate(("you cooked for me", "Friday felt hard", "more walks")):
            weekly_checkin.answer(s, sam, said, "sms", f"sam-{n}", clock())
    heard = alexa.intent("WeeklyCheckInIntent")
    assert heard.speech.startswith(speech.weekly_reveal("Sam", ("you cooked for me", "Friday felt hard", "more walks")))


def test_the_focus_becomes_a_promise_through_the_promise_dialog(alexa, couple, tx):
    alexa.intent("WeeklyCheckInIntent")
    for said in ANSWERS:
        alexa.intent("WeeklyCheckInIntent", answer=said)
    asked = alexa.intent("AMAZON.YesIntent")
    assert asked.speech == speech.ASK_FOCUS_TIME
    [directive] = asked.directives
    assert directive["type"] == "Dialog.ElicitSlot" and directive["slotToElicit"] == "time"
    assert directive["updatedIntent"]["slots"]["task"]["value"] == "get home on time"
    made = alexa.intent("MakePromiseIntent", task="get home on time", time="19:00")
    assert made.speech.startswith("OK: get home on time")


def test_a_held_weekly_answer_is_spoken_of_with_the_lines(alexa, couple, tx):
    alexa.intent("WeeklyCheckInIntent")
    alexa.intent("WeeklyCheckInIntent", answer=ANSWERS[0])
    held = alexa.intent("AnswerIntent", answer="I feel unsafe at home")
    assert "kept that answer private, so Sam won't hear it" in held.speech and "9 8 8" in held.speech
    assert "Question 3 of 3" in held.speech
    with tx() as s:
        assert s.scalar(select(WeeklyAnswer.visibility).where(WeeklyAnswer.step == 2)) == "held"


@pytest.mark.parametrize("yes", [True, False])
def test_after_the_third_answer_the_writer_is_asked_whether_to_share_the_held_one(alexa, couple, tx, yes):
    alexa.intent("WeeklyCheckInIntent")
    alexa.intent("WeeklyCheckInIntent", answer=ANSWERS[0])
    alexa.intent("AnswerIntent", answer="I feel unsafe at home")
    last = alexa.intent("AnswerIntent", answer=ANSWERS[2])
    assert last.speech.endswith(speech.ASK_SHARE_WEEKLY_HELD.format(partner="Sam"))
    answered = alexa.intent("AMAZON.YesIntent" if yes else "AMAZON.NoIntent")
    assert answered.speech == (speech.SHARE_HELD_DONE if yes else speech.KEPT_PRIVATE)
    with tx() as s:
        assert s.scalar(select(WeeklyAnswer.visibility).where(WeeklyAnswer.step == 2)) == ("shared" if yes else "held")


def test_rate_my_week_asks_each_number_then_says_the_trend_only_to_the_speaker(alexa, couple, tx):
    asked = alexa.intent("RateIntent")
    assert asked.speech.endswith(speech.ASK_SAFE) and "3 weekly ratings" in asked.speech
    assert asked.directives[0]["slotToElicit"] == "safe"
    again = alexa.intent("RateIntent", safe="14")
    assert again.speech == speech.RATING_SCALE + speech.ASK_SAFE
    partly = alexa.intent("RateIntent", safe="6", trusting="5")
    assert partly.directives[0]["slotToElicit"] == "connected"
    assert partly.directives[0]["updatedIntent"]["slots"]["safe"]["value"] == "6"
    done = alexa.intent("RateIntent", safe="6", trusting="5", connected="7")
    assert done.speech.startswith("Noted, just for you.")
    with tx() as s:
        [row] = s.scalars(select(WeeklyRating))
        assert (row.safe, row.trusting, row.connected, row.partner_id) == (6, 5, 7, couple.alex)


def test_a_setback_is_met_gently_and_yes_pauses_the_questions_for_a_day(alexa, couple, tx):
    said = alexa.intent("SetbackIntent")
    assert said.speech == speech.hard_day(True, False) and said.reprompt == speech.OFFER_SETBACK_PAUSE
    paused = alexa.intent("AMAZON.YesIntent")
    assert paused.speech.startswith("Done. No questions for you until tomorrow at")
    with tx() as s:
        assert s.get(Partner, couple.alex).paused and not s.get(Partner, couple.sam).paused
        assert s.scalar(select(Setback.pause_until)) is not None
    assert alexa.intent("SetbackIntent").speech == speech.hard_day(False, True)


def test_no_to_the_pause_keeps_the_questions(alexa, couple, tx):
    alexa.intent("SetbackIntent")
    assert alexa.intent("AMAZON.NoIntent").speech == speech.SETBACK_KEEP_GOING
    with tx() as s:
        assert not s.get(Partner, couple.alex).paused
