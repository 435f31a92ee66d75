"""The guided apology by voice, in real Alexa envelopes: three steps asked slot by slot, redo, the read-back
and "Shall I send it?", sent only on yes; the partner hears it with nothing asked and may say thank you or
not ready; the third step becomes a promise or a pact proposal."""
from sqlalchemy import select

from core.models import Apology, OutboundMessage, PactVersion, Promise
from core.services import couples
from tests.skill.envelopes import Alexa

SAM_USER = "amzn1.ask.account.SAMSECHO"


def sam_on_his_echo(client, clock, tx, couple) -> Alexa:
    with tx() as s:
        couples.get_partner(s, couple.sam).alexa_user_id = SAM_USER
    return Alexa(client, clock, user_id=SAM_USER)


def kinds(tx, kind):
    with tx() as s:
        return s.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == kind)).all()


def walk(alexa, did="I forgot our dinner", impact="you felt alone", change="I will call you when I'm late"):
    first = alexa.intent("ApologyIntent")
    second = alexa.intent("ApologyIntent", did=did)
    third = alexa.intent("ApologyIntent", did=did, impact=impact)
    read = alexa.intent("ApologyIntent", did=did, impact=impact, change=change)
    return first, second, third, read


def test_three_steps_then_the_read_back_and_yes_sends(alexa, couple, tx):
    first, second, third, read = walk(alexa)
    assert first.speech == ("Let's write it in three short steps. Nothing goes to Sam until you say so. First: what "
                            "did you do? Say it plainly, starting with 'I', for example, 'I forgot our dinner'.")
    assert first.directives[0]["type"] == "Dialog.ElicitSlot" and first.directives[0]["slotToElicit"] == "did"
    assert second.directives[0]["slotToElicit"] == "impact" and second.speech.startswith("Second: how do you think")
    assert third.directives[0]["slotToElicit"] == "change"
    assert read.speech == ("Here's your apology to Sam: I forgot our dinner. You felt alone. I will call you when "
                           "I'm late. Shall I send it to Sam?")
    assert kinds(tx, "apology") == []
    sent = alexa.intent("AMAZON.YesIntent")
    assert sent.speech == ("I've sent it to Sam. They don't need to reply. You can say 'make it a promise', or "
                           "'add it to our pact'.")
    assert kinds(tx, "apology") == [
        "An apology from Alex, sent with Trust Builder: I forgot our dinner. You felt alone. I will call you when I'm late."]


def test_no_keeps_the_draft_and_a_step_can_be_redone(alexa, couple, tx):
    walk(alexa)
    assert alexa.intent("AMAZON.NoIntent").speech.startswith("OK, it's kept as a draft, and nothing is sent.")
    redo = alexa.intent("RedoApologyStepIntent", number="2")
    assert redo.directives[0]["updatedIntent"]["name"] == "ApologyIntent"
    assert redo.directives[0]["slotToElicit"] == "impact"
    read = alexa.intent("ApologyIntent", impact="I think you felt you weren't a priority")
    assert read.speech.startswith("Here's your apology to Sam: I forgot our dinner. I think you felt you weren't a "
                                  "priority. I will call")
    assert alexa.intent("RedoApologyStepIntent", number="5").speech.startswith("Which step?")
    assert kinds(tx, "apology") == []
    assert alexa.intent("SendApologyIntent").speech.startswith("I've sent it to Sam.")


def test_the_partner_hears_it_with_nothing_asked_and_may_say_not_ready(alexa, couple, tx, client, clock):
    walk(alexa)
    alexa.intent("AMAZON.YesIntent")
    sam = sam_on_his_echo(client, clock, tx, couple)
    offer = sam.launch()
    assert offer.speech == "Hi, Sam. Alex sent you an apology. Would you like to hear it now?"
    heard = sam.intent("AMAZON.YesIntent")
    assert heard.speech == ("Here's the apology from Alex: I forgot our dinner. You felt alone. I will call you when "
                            "I'm late. You don't need to say anything. If you'd like to, you can say 'thank you for "
                            "the apology', or 'I'm not ready', and Alex will hear only that.")
    assert "forgive" not in heard.speech.lower()
    said = sam.intent("ApologyReplyIntent", reply="not ready")
    assert said.speech == "I'll let Alex know you're not ready yet. Take the time you need."
    assert kinds(tx, "apology_reply") == [
        "Sam read your apology and isn't ready to talk about it yet. That's OK: give it time, and keep doing what "
        "you said you'd do."]
    assert sam.intent("ApologyReplyIntent", reply="thank you").speech == "There's no apology waiting for you."


def test_the_partner_may_say_no_and_hear_it_later(alexa, couple, tx, client, clock):
    walk(alexa)
    alexa.intent("AMAZON.YesIntent")
    sam = sam_on_his_echo(client, clock, tx, couple)
    sam.launch()
    assert sam.intent("AMAZON.NoIntent").speech == "OK. If you'd like to hear it later, say 'read me the apology'."
    assert sam.intent("ApologyReplyIntent").speech.startswith("Here's the apology from Alex:")


def test_the_third_step_becomes_a_pact_proposal_or_a_promise(alexa, couple, tx):
    walk(alexa)
    alexa.intent("AMAZON.YesIntent")
    said = alexa.intent("ApologyFollowUpIntent", into="pact")
    assert said.speech.startswith("I've proposed it as agreement 1. It only counts once Sam agrees too.")
    with tx() as s:
        assert s.scalar(select(PactVersion.text)) == "I will call you when I'm late"
    walk(alexa, change="I will call you tomorrow at six pm")
    said = alexa.intent("ApologyFollowUpIntent", into="promise")
    assert "tomorrow at 6 PM" in said.speech
    with tx() as s:
        assert s.scalar(select(Promise.text)) == "call you"


def test_nothing_to_turn_and_nothing_to_send(alexa, couple):
    assert alexa.intent("ApologyFollowUpIntent", into="promise").speech.startswith("There's no finished apology")
    assert alexa.intent("SendApologyIntent").speech.startswith("You're not writing an apology right now.")


def test_words_of_danger_hold_it_once_with_the_lines(alexa, couple, tx):
    walk(alexa, did="I said I want to die")
    held = alexa.intent("AMAZON.YesIntent")
    assert held.speech.startswith("Some words in it sounded like someone may not be safe, so I haven't sent it.")
    assert kinds(tx, "apology") == []
    assert alexa.intent("AMAZON.YesIntent").speech.startswith("I've sent it to Sam.")
    with tx() as s:
        assert s.scalar(select(Apology.state)) == "sent"
