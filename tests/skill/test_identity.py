"""Who is speaking: unlinked accounts get a code that links, two partners on one device are told apart."""
import re

from sqlalchemy import select

from core.crypto import keyed
from core.models import ALEXA_PERSON, ALEXA_USER, CheckIn, PairingCode, QuestionHeard
from core.services import couples, linking
from tests.skill.envelopes import USER_ID, Alexa

STRANGER = "amzn1.ask.account.ASTRANGER"


def link_codes(tx):
    with tx() as s:
        return s.scalars(select(PairingCode).where(PairingCode.kind == "link")).all()


def spoken_code(speech: str) -> str:
    return re.search(r"the code ((?:\d ){5}\d)", speech)[1].replace(" ", "")


def link_both(tx, couple, alex_person=None, sam_person=None):
    with tx() as s:
        alex, sam = couples.get_partner(s, couple.alex), couples.get_partner(s, couple.sam)
        alex.alexa_user_id, alex.alexa_person_id = USER_ID, alex_person
        sam.alexa_user_id, sam.alexa_person_id = USER_ID, sam_person


def test_link_my_phone_speaks_a_code_that_links_and_sends_it_as_a_card(client, clock, couple, tx):
    echo = Alexa(client, clock, user_id=STRANGER)
    said = echo.intent("LinkAccountIntent")
    assert said.speech.startswith("Here's how to link your phone. From your phone, text the word LINK and the code ")
    assert "to 4 1 5, 5 5 5, 0 1 9 9, within ten minutes." in said.speech
    assert said.ended is False and said.reprompt == "Would you like to hear the code again?"
    [row] = link_codes(tx)
    assert spoken_code(said.speech) == row.code and row.alexa_user_id == keyed(ALEXA_USER, STRANGER)
    assert said.body["response"]["card"] == {"type": "Simple", "title": "Link Trust Builder",
                                             "content": f"Text LINK {row.code} to +14155550199 within ten minutes."}
    again = echo.intent("AMAZON.YesIntent")
    assert spoken_code(again.speech) == row.code  # asked again: the same code
    assert echo.intent("AMAZON.NoIntent").ended is True
    with tx() as s:
        linking.complete_link(s, couples.get_partner(s, couple.sam), row.code, clock())
    assert Alexa(client, clock, user_id=STRANGER).launch().speech.startswith("Hi, Sam. Today's question is")


def test_a_recognised_voice_is_linked_with_its_person_id(client, clock, couple, tx):
    said = Alexa(client, clock, user_id=STRANGER, person_id="amzn1.ask.person.SAM").intent("LinkAccountIntent")
    with tx() as s:
        linking.complete_link(s, couples.get_partner(s, couple.sam), spoken_code(said.speech), clock())
        assert couples.get_partner(s, couple.sam).alexa_person_id == keyed(ALEXA_PERSON, "amzn1.ask.person.SAM")


def test_two_partners_on_one_device_are_asked_once_per_session(alexa, couple, tx):
    link_both(tx, couple)
    asked = alexa.launch()
    assert asked.speech == "Hi! Is this Alex or Sam?" and asked.reprompt == "Is this Alex or Sam?"
    told = alexa.intent("IdentifyPartnerIntent", name="sam")
    assert told.speech.startswith("Thanks, Sam. Today's question is: ")
    assert alexa.intent("AnswerIntent", answer="I'm hopeful").speech.startswith("Thank you")
    with tx() as s:
        assert [h.partner_id for h in s.scalars(select(QuestionHeard))] == [couple.sam]
        assert [c.partner_id for c in s.scalars(select(CheckIn))] == [couple.sam]
    assert Alexa(alexa.client, alexa.clock).launch().speech == "Hi! Is this Alex or Sam?"  # a new session


def test_an_answer_given_before_saying_who_is_kept_and_stored_for_the_right_partner(alexa, couple, tx):
    link_both(tx, couple)
    assert alexa.intent("AnswerIntent", answer="more walks").speech == "Hi! Is this Alex or Sam?"
    with tx() as s:
        assert s.scalars(select(CheckIn)).all() == []
    said = alexa.intent("IdentifyPartnerIntent", name="Alex")
    assert said.speech.startswith("Thanks, Alex. Thank you, I've saved your answer.")
    with tx() as s:
        assert [(c.partner_id, c.text) for c in s.scalars(select(CheckIn))] == [(couple.alex, "more walks")]


def test_a_name_that_is_neither_partner_is_asked_again(alexa, couple, tx):
    link_both(tx, couple)
    alexa.launch()
    said = alexa.intent("IdentifyPartnerIntent", name="Chris")
    assert said.speech == "Sorry, I didn't catch that. Is this Alex or Sam?" and said.ended is False


def test_partners_can_switch_in_a_session(alexa, couple, tx):
    link_both(tx, couple)
    alexa.launch()
    alexa.intent("IdentifyPartnerIntent", name="Alex")
    said = alexa.intent("IdentifyPartnerIntent", name="Sam")
    assert said.speech.startswith("Hi, Sam.") and said.attributes["partner_id"] == couple.sam


def test_voice_profiles_tell_partners_apart_without_asking(client, clock, couple, tx):
    link_both(tx, couple, "amzn1.ask.person.ALEX", "amzn1.ask.person.SAM")
    assert Alexa(client, clock, person_id="amzn1.ask.person.SAM").launch().speech.startswith("Hi, Sam.")
    assert Alexa(client, clock, person_id="amzn1.ask.person.ALEX").launch().speech.startswith("Hi, Alex.")
    claimed = Alexa(client, clock, person_id="amzn1.ask.person.ALEX")
    claimed.launch()
    assert claimed.intent("IdentifyPartnerIntent", name="Sam").speech.startswith("On this device I know you as Alex")


def test_an_unknown_voice_never_hears_a_profile_linked_partner(client, clock, couple, tx):
    link_both(tx, couple, "amzn1.ask.person.ALEX", "amzn1.ask.person.SAM")
    echo = Alexa(client, clock, person_id="amzn1.ask.person.GUEST")
    said = echo.launch()
    assert said.speech == "I don't recognise your voice on this device yet. Who is this?"
    assert said.directives[0]["type"] == "Dialog.ElicitSlot" and said.directives[0]["slotToElicit"] == "name"
    assert said.directives[0]["updatedIntent"]["name"] == "IdentifyPartnerIntent"
    claimed = echo.intent("IdentifyPartnerIntent", name="Sam")
    assert claimed.speech.startswith("Sam linked Trust Builder to their own voice, so only that voice hears")
    for intent in ("TodaysQuestionIntent", "PartnerAnswerIntent", "ListPromisesIntent", "WeeklySummaryIntent"):
        heard = echo.intent(intent)
        assert heard.speech == "I don't recognise your voice on this device yet. Who is this?", intent


def test_without_a_person_id_profile_linked_partners_are_not_served(client, clock, couple, tx):
    link_both(tx, couple, "amzn1.ask.person.ALEX", "amzn1.ask.person.SAM")
    echo = Alexa(client, clock)
    assert echo.launch().speech == "I don't recognise your voice on this device yet. Who is this?"
    assert echo.intent("IdentifyPartnerIntent", name="Alex").speech.startswith("Alex linked Trust Builder to their own")
    assert "Today's question" not in echo.intent("TodaysQuestionIntent").speech


def test_a_profile_linked_partner_and_one_without_a_profile(client, clock, couple, tx):
    link_both(tx, couple, "amzn1.ask.person.ALEX", None)
    assert Alexa(client, clock, person_id="amzn1.ask.person.ALEX").launch().speech.startswith("Hi, Alex.")
    # Any other voice can only be Sam, who linked without a profile; never Alex.
    assert Alexa(client, clock).launch().speech.startswith("Hi, Sam.")
    guest = Alexa(client, clock, person_id="amzn1.ask.person.GUEST")
    guest.launch()
    assert "On this device I know you as Sam" in guest.intent("IdentifyPartnerIntent", name="Alex").speech


def test_a_single_linked_partner_is_not_asked_and_others_are_told_how_to_link(alexa, couple):
    said = alexa.launch()
    assert said.speech.startswith("Hi, Alex.")
    other = alexa.intent("IdentifyPartnerIntent", name="Sam")
    assert other.speech.startswith("On this device I know you as Alex. If you're someone else, say 'link my phone'")


def test_the_second_partner_links_the_same_device_then_is_asked_who(alexa, couple, tx, clock):
    said = alexa.intent("LinkAccountIntent")
    assert said.speech.startswith("Here's how to link your phone. From your phone, text the word LINK")
    with tx() as s:
        linking.complete_link(s, couples.get_partner(s, couple.sam), spoken_code(said.speech), clock())
    assert Alexa(alexa.client, clock).launch().speech == "Hi! Is this Alex or Sam?"


def test_a_phone_that_cannot_get_texts_is_mentioned_once_in_a_session(alexa, couple, tx):
    with tx() as s:
        couples.get_partner(s, couple.alex).phone_invalid = True
    first = alexa.launch()
    second = alexa.intent("TodaysQuestionIntent")
    assert first.speech.startswith("A quick note first: texts to your phone number aren't getting through")
    assert second.speech.startswith("Today's question is")
