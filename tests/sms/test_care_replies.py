"""Issue 11, item 1 and the safety net, by real signed texts: replies are read in context and nothing is
shared by accident (the follow-up yes, commands and questions that are not answers, asking when unsure, a
second answer replacing the first, UNDO, PRIVATE, an answer that reads as danger, SAFETY, SHARE IT)."""
import pytest
from sqlalchemy import select

from core.models import CheckIn, Promise
from core.safety import as_text, resources_for
from core.words import texts
from tests.sms.conftest import ALEX, SAM, STRANGER, count


def answers_of(db, phone_owner_id=None) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.scalars(select(CheckIn).where(CheckIn.text.is_not(None)).order_by(CheckIn.id)).all()
    return [(r.text, r.visibility) for r in rows if phone_owner_id in (None, r.partner_id)]


def followup_sent(text, dispatcher, clock, task="call mom"):
    """Alex makes a promise for 6 PM today; the dispatcher sends its reminder and, at 6:30, the follow-up."""
    text(ALEX, f"PROMISE {task} today 6pm")
    clock.advance(hours=9, minutes=35)  # 09:00 -> 18:35 in Los Angeles
    dispatcher.run_until_idle()


@pytest.mark.parametrize("body", ["yes", "yep", "I did", "done", "Yes!", "\U0001F44D"])
def test_yes_after_the_follow_up_marks_the_promise_kept_and_is_no_answer(text, couple, db, dispatcher, gateway,
                                                                          clock, body):
    followup_sent(text, dispatcher, clock)
    assert any("Did you keep your promise to call mom?" in b for b in gateway.bodies_to(ALEX))

    reply = text(ALEX, body)

    db.expire_all()
    assert reply == texts.kept("call mom", "Sam")
    assert db.scalar(select(Promise.state)) == "kept"
    assert count(db, CheckIn) == 0  # never saved as the day's answer, so SHARE can never show it
    text(SAM, "I loved our walk")
    assert text(SAM, "SHARE") == texts.share_waiting_partner("Alex")


@pytest.mark.parametrize("body", ["no", "not yet", "I didn't", "oops, no I forgot", "Nope"])
def test_no_after_the_follow_up_marks_it_missed(text, couple, db, dispatcher, clock, body):
    followup_sent(text, dispatcher, clock)

    assert text(ALEX, body) == texts.missed("call mom")
    db.expire_all()
    assert db.scalar(select(Promise.state)) == "missed" and count(db, CheckIn) == 0


def test_without_a_follow_up_a_yes_is_still_not_an_answer(text, couple, db):
    assert text(ALEX, "yes") == texts.NOT_AN_ANSWER
    assert count(db, CheckIn) == 0


@pytest.mark.parametrize("body, reply", [
    ("thanks! \U0001F44D", texts.NOT_AN_ANSWER),
    ("no", texts.NOT_AN_ANSWER),
    ("oops, no I forgot", texts.NOT_AN_ANSWER),
    ("ok", texts.NOT_AN_ANSWER),
    ("\U0001F642", texts.NOT_AN_ANSWER),
    ("CANCEL 1", texts.NO_PROMISES),  # a promise command now (MOVE/CANCEL n), never an answer
    ("can you tell me how this app works?", texts.QUESTION_TO_US),
])
def test_texts_that_are_not_answers_are_never_saved(text, couple, db, body, reply):
    assert text(ALEX, body) == reply
    assert count(db, CheckIn) == 0


def test_the_issue_cases_become_what_they_mean(text, couple, db):
    invite = text(ALEX, "invite Sam 415-555-0102")
    promise = text(ALEX, "I promise to book the restaurant for Saturday")
    share = text(ALEX, "what did sam say?")
    question = text(ALEX, "where's my question today?")

    assert invite == texts.problem("couple_full", None)  # an invitation, refused: Sam is already in
    assert promise.startswith("OK: book the restaurant") or promise.startswith("When will you book")
    assert share == texts.share_waiting_you("Sam")
    assert question.startswith("Today's question:")
    assert count(db, CheckIn) == 0


def test_a_text_that_could_be_either_is_asked_about_then_saved_on_yes(text, couple, db):
    assert text(ALEX, "Listening") == texts.ASK_SAVE
    assert answers_of(db) == [("Listening", "pending")]
    text(SAM, "When you listened to me on Sunday")
    assert text(SAM, "SHARE") == texts.share_waiting_partner("Alex")  # nothing pending is ever shown

    saved = text(ALEX, "YES")

    assert saved.startswith("Thank you for sharing.") and "UNDO" in saved
    assert ("Listening", "shared") in answers_of(db) and ("Listening", "pending") not in answers_of(db)
    assert text(SAM, "SHARE") == texts.shared("Alex", "Listening")


def test_anything_but_yes_drops_the_unclear_text_and_is_read_anew(text, couple, db):
    text(ALEX, "Listening")

    assert text(ALEX, "no") == texts.NOT_SAVED
    assert count(db, CheckIn) == 0
    text(ALEX, "Listening")
    reply = text(ALEX, "I felt heard when you put your phone away")
    assert reply.startswith("Thank you for sharing.")
    assert answers_of(db) == [("I felt heard when you put your phone away", "shared")]


def test_a_second_answer_replaces_the_first_and_says_so(text, couple, db):
    text(ALEX, "I felt close at breakfast today")
    reply = text(ALEX, "Actually, the walk after dinner mattered more")

    assert reply.startswith("Thank you for sharing. This replaces your earlier answer today.")
    assert answers_of(db) == [("Actually, the walk after dinner mattered more", "shared")]
    text(SAM, "The phone call at lunch")
    assert text(SAM, "SHARE") == texts.shared("Alex", "Actually, the walk after dinner mattered more")


def test_the_saved_reply_says_when_it_is_shared_and_how_to_take_it_back(text, couple):
    reply = text(ALEX, "I felt close at breakfast today")

    assert reply == texts.answer_saved("waiting_partner", "Sam")
    assert "Sam sees it once they answer too" in reply and "UNDO within 15 min" in reply


def test_undo_within_fifteen_minutes_removes_it_before_anyone_saw_it(text, couple, db, clock):
    text(ALEX, "I was hurt when you forgot")
    clock.advance(minutes=14)

    assert text(ALEX, "UNDO") == texts.UNDONE
    assert count(db, CheckIn) == 0
    text(SAM, "An answer of mine")
    assert text(SAM, "SHARE") == texts.share_waiting_partner("Alex")
    assert text(ALEX, "UNDO") == texts.UNDO_NOTHING


def test_undo_after_fifteen_minutes_or_once_seen_keeps_it(text, couple, db, clock):
    text(ALEX, "I was hurt when you forgot")
    clock.advance(minutes=16)
    assert text(ALEX, "undo") == texts.UNDO_TOO_LATE

    text(ALEX, "I want us to talk about it tonight")  # replaces, and starts a new window
    text(SAM, "I am ready to listen")
    assert text(SAM, "SHARE") == texts.shared("Alex", "I want us to talk about it tonight")
    assert text(ALEX, "take back my answer") == texts.UNDO_SEEN
    assert answers_of(db)[0] == ("I want us to talk about it tonight", "shared")


def test_private_reflection_is_never_revealed_or_counted(text, couple, db):
    assert text(ALEX, "PRIVATE I am still angry about the messages") == texts.PRIVATE_KEPT
    assert text(ALEX, "PRIVATE") == texts.PRIVATE_HOW
    text(SAM, "I hope we can talk")

    share = text(SAM, "SHARE")
    summary = text(SAM, "SUMMARY")

    assert share == texts.share_waiting_partner("Alex")
    # only Sam's answer counts for the couple: the private reflection is in no figure
    assert "angry" not in share + summary and "Together you answered on 1 day " in summary
    assert answers_of(db)[0] == ("I am still angry about the messages", "private")


def test_an_answer_that_reads_as_danger_is_held_offered_the_lines_and_shared_only_on_share_it(text, couple, db):
    reply = text(SAM, "I'm scared of him")

    assert reply == texts.answer_held("Alex", as_text(resources_for(SAM)))
    assert "SHARE IT" in reply and "988" in reply and "1-800-799-7233" in reply
    assert answers_of(db) == [("I'm scared of him", "held")]
    text(ALEX, "I am trying my best")
    alex_share = text(ALEX, "SHARE")
    assert alex_share == texts.share_waiting_partner("Sam") and "scared" not in alex_share
    assert "Together you answered on 1 day " in text(ALEX, "SUMMARY")  # only Alex's: a held answer counts nowhere

    assert text(SAM, "SHARE IT") == texts.held_shared("both", "Alex")
    assert text(ALEX, "SHARE") == texts.shared("Sam", "I'm scared of him")
    assert text(SAM, "SHARE IT") == texts.NOTHING_HELD


def test_safety_answers_at_once_with_the_lines_for_the_phone_s_country(text, couple):
    us = text(ALEX, "SAFETY")
    stranger_uk = text("+442079460123", "safety")
    stranger_au = text("+61491570156", "I don't feel safe")
    stranger_ca = text("+14165550123", "SAFETY")

    assert us == as_text(resources_for(ALEX)) and "911" in us and "988" in us
    assert "999" in stranger_uk and "116 123" in stranger_uk and "0808 2000 247" in stranger_uk
    assert "000" in stranger_au and "13 11 14" in stranger_au and "1800 737 732" in stranger_au
    assert "911" in stranger_ca and "988" in stranger_ca and "justice.gc.ca" in stranger_ca
    assert text(STRANGER, "SAFETY") == as_text(resources_for(STRANGER))


def test_safety_works_in_every_state(text, db):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    invitee = text(SAM, "SAFETY")  # invited, not yet YES
    text(ALEX, "DELETE MY DATA")
    while_confirming = text(ALEX, "SAFETY")  # the delete question is waiting

    assert invitee == while_confirming == as_text(resources_for(SAM))
    assert text(ALEX, "no") == texts.DELETE_CANCELLED  # the question was still waiting after SAFETY


def test_help_mentions_safety_in_one_short_line(text, couple):
    assert "Not safe? Reply SAFETY." in text(ALEX, "HELP")


def test_a_private_reflection_that_reads_as_danger_also_offers_the_lines(text, couple):
    reply = text(SAM, "PRIVATE I think about ending my life")

    assert reply.startswith("Kept just for you.") and "988" in reply
