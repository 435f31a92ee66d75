"""The guided apology by signed texts: three steps, each redoable, read back whole, sent only on SEND; the
partner is asked for nothing (THANK YOU / NOT READY are optional and passed on gently); the third step
becomes a promise or a pact proposal with one word."""
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import Apology, InboundMessage, OutboundMessage, PactVersion, Promise
from core.words import texts
from tests.sms.conftest import ALEX, SAM, count

STEPS = ("I forgot our anniversary dinner", "I think you felt you weren't a priority to me",
         "I will put our plans in my calendar")


def to(db, phone, kind=None):
    db.expire_all()
    where = [OutboundMessage.to_phone_digest == phone_digest(phone)]
    if kind:
        where.append(OutboundMessage.kind == kind)
    return [m.body for m in db.scalars(select(OutboundMessage).where(*where).order_by(OutboundMessage.id))]


def write(text, steps=STEPS):
    replies = [text(ALEX, "APOLOGY")]
    return replies + [text(ALEX, step) for step in steps]


def test_three_steps_read_back_and_nothing_goes_before_send(text, couple, db):
    started, one, two, three = write(text)
    assert started == ("Let's write it in 3 short steps; nothing goes to Sam until you say SEND. "
                       + texts.APOLOGY_STEP_ASK[1])
    assert one == texts.APOLOGY_STEP_ASK[2].format(partner="Sam")
    assert two == texts.APOLOGY_STEP_ASK[3]
    assert three == ("Your apology to Sam: I forgot our anniversary dinner. I think you felt you weren't a priority "
                     "to me. I will put our plans in my calendar. Reply SEND to send it, or REDO 1, 2 or 3.")
    assert to(db, SAM, "apology") == [] and count(db, Apology, Apology.state == "draft") == 1
    from core.models import CheckIn
    assert count(db, CheckIn) == 0  # the steps are never taken as the day's answer
    assert text(ALEX, "SEND") == ("Sent to Sam. They don't need to reply. Reply PROMISE to make your third step a "
                                  "promise, or PACT to propose it for your pact.")
    assert to(db, SAM) [-2:] == [
        "An apology from Alex, sent with Trust Builder: I forgot our anniversary dinner. I think you felt you "
        "weren't a priority to me. I will put our plans in my calendar.",
        "You don't need to reply or do anything. If you'd like to, reply THANK YOU or NOT READY, and Alex will hear "
        "only that."]
    assert not any("forgive" in body.lower() for body in to(db, SAM))


def test_a_step_can_be_redone_and_the_read_back_shows_the_new_words(text, couple, db):
    write(text)
    assert text(ALEX, "REDO 2") == with_now(2, STEPS[1])
    assert text(ALEX, "I think it hurt and you felt alone").startswith(
        "Your apology to Sam: I forgot our anniversary dinner. I think it hurt and you felt alone. I will put")
    assert text(ALEX, "redo step 4") == texts.REDO_HOW
    assert text(ALEX, "REDO") == texts.REDO_HOW


def with_now(step, words):
    return texts.apology_step(step, "Sam", current=words)


def test_send_before_all_steps_asks_for_the_missing_one(text, couple, db):
    text(ALEX, "APOLOGY")
    text(ALEX, STEPS[0])
    assert text(ALEX, "SEND") == texts.APOLOGY_STEP_ASK[2].format(partner="Sam")
    assert to(db, SAM, "apology") == []


def test_keywords_keep_their_meaning_while_a_step_is_asked(text, couple, db):
    text(ALEX, "APOLOGY")
    assert text(ALEX, "PACT").startswith("Your pact is empty")
    assert text(ALEX, STEPS[0]) == texts.APOLOGY_STEP_ASK[2].format(partner="Sam")


def test_the_partner_may_reply_thank_you_or_not_ready_and_is_asked_nothing(text, couple, db):
    write(text)
    text(ALEX, "SEND")
    assert text(SAM, "NOT READY") == "I've let Alex know you're not ready yet. Take the time you need; nothing else is needed."
    [news] = to(db, ALEX, "apology_reply")
    assert news == ("Sam read your apology and isn't ready to talk about it yet. That's OK: give it time, and keep "
                    "doing what you said you'd do.")
    assert text(SAM, "THANK YOU") == texts.THANKS_NOTHING  # passed on once only; then the usual meaning
    assert len(to(db, ALEX, "apology_reply")) == 1


def test_thank_you_goes_to_the_apology(text, couple, db):
    write(text)
    text(ALEX, "SEND")
    assert text(SAM, "thank you") == "I've let Alex know you said thank you. Nothing else is needed."
    assert to(db, ALEX, "apology_reply") == ["Sam read your apology and says thank you."]


def test_the_third_step_becomes_a_pact_proposal_with_one_word(text, couple, db):
    write(text)
    text(ALEX, "SEND")
    assert text(ALEX, "PACT") == "Proposed as agreement 1. It counts once Sam agrees too. I've texted Sam."
    db.expire_all()
    assert db.scalar(select(PactVersion.text)) == "I will put our plans in my calendar"
    assert text(ALEX, "PACT").startswith("Your pact: 1)")  # once only: PACT lists again


def test_the_third_step_becomes_a_promise_and_its_time_is_read_by_promise_intake(text, couple, db):
    write(text, STEPS[:2] + ("I will call you tomorrow at 6pm",))
    text(ALEX, "SEND")
    assert text(ALEX, "PROMISE") == ("OK: call them, tomorrow at 6 PM. I'll text you a reminder at 5:30 PM.")
    db.expire_all()
    assert db.scalar(select(Promise.text)) == "call you"


def test_pact_and_promise_keep_their_meaning_until_it_is_sent(text, couple, db):
    write(text)
    assert text(ALEX, "PACT").startswith("Your pact is empty")  # nothing proposed from an unsent draft
    assert text(ALEX, "PROMISE") == texts.PROMISE_HOW
    assert count(db, PactVersion) == 0


def test_a_third_step_without_a_time_asks_when(text, couple, db):
    write(text)
    text(ALEX, "SEND")
    assert text(ALEX, "PROMISE") == texts.promise_when("put our plans in my calendar")
    assert count(db, Promise) == 0


def test_words_of_danger_hold_the_apology_once_and_offer_the_lines(text, couple, db):
    text(ALEX, "APOLOGY")
    held = text(ALEX, "I said I want to die and scared you")
    assert held.startswith("Kept in your draft only; nothing is sent.")
    text(ALEX, STEPS[1])
    text(ALEX, STEPS[2])
    reply = text(ALEX, "SEND")
    assert reply.startswith("Some words in it sounded like someone may not be safe, so I haven't sent it.")
    assert to(db, SAM, "apology") == []
    assert text(ALEX, "SEND").startswith("Sent to Sam.")
    assert len(to(db, SAM, "apology")) == 1


def test_limits_length_and_per_day(text, couple, db):
    text(ALEX, "APOLOGY")
    assert text(ALEX, "x " * 90) == texts.problem("apology_too_long", None)
    for _ in range(2):
        write(text)
        assert text(ALEX, "SEND").startswith("Sent to Sam.")
    write(text)
    assert text(ALEX, "SEND") == texts.problem("apology_limit", None)
    assert len(to(db, SAM, "apology")) == 2


def test_cancel_deletes_the_draft(text, couple, db):
    write(text)
    assert text(ALEX, "CANCEL APOLOGY") == texts.APOLOGY_CANCELLED
    assert text(ALEX, "SEND") == texts.APOLOGY_NONE
    db.expire_all()
    assert db.scalar(select(Apology.what_i_did)) is None


def test_a_paused_partner_is_not_texted_and_the_author_is_told(text, couple, db):
    text(SAM, "PAUSE")
    write(text)
    assert text(ALEX, "SEND").startswith(
        "Sent. Sam has paused texts, so they'll hear it when they next open Trust Builder on Alexa.")
    assert to(db, SAM, "apology") == []


def test_erasure_removes_the_apologies_they_wrote_and_every_copy(text, couple, db):
    write(text)
    text(ALEX, "SEND")
    text(ALEX, "DELETE MY DATA")
    text(ALEX, "YES")
    db.expire_all()
    assert count(db, Apology) == 0
    assert not any("anniversary" in (b or "") for b in to(db, SAM))
    assert not any("anniversary" in r for r in db.scalars(select(InboundMessage.reply)) if r)
