"""Starting from the Echo alone: the welcome, help and a sample question before linking, the set-up dialog
(number read back, first name), the one consent text, and the YES texted back through a signed webhook that
links the Echo (joining a new number, or accepting an invitation). Limits, and no probing of who is known."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.crypto import keyed
from core.models import ALEXA_PERSON, ALEXA_USER, Consent, OutboundMessage, Partner, TextKind, TextState, VoiceSetup
from core.services import couples
from core.services.dispatch import Dispatcher
from devkit import twilio
from sms.security import signing_token
from tests.conftest import ALEX, SAM, make_settings
from tests.skill.conftest import OUR_NUMBER, SKILL_ID
from tests.skill.envelopes import Alexa

STRANGER = "amzn1.ask.account.ANEWHOUSEHOLD"
NEW_PHONE, NEW_DIGITS = "+12025550142", "2025550142"
PERSON = "amzn1.ask.person.JORDAN"


@pytest.fixture
def echo(client, clock):
    return Alexa(client, clock, user_id=STRANGER)


@pytest.fixture
def text(client, runtime):
    """A text from `phone`, posted with the signature Twilio computes (the development webhook token)."""
    def send(phone: str, body: str) -> list[str]:
        settings = runtime.settings
        form = twilio.inbound_form(phone, OUR_NUMBER, body)
        url = settings.public_base_url + "/sms/inbound"
        response = client.post("/sms/inbound", data=form,
                               headers=twilio.signed_headers(signing_token(settings), url, form))
        assert response.status_code == 200, response.data
        return twilio.twiml_messages(response.data)
    return send


def consent_texts(look, phone=None):
    look.expire_all()
    query = select(OutboundMessage).where(OutboundMessage.kind == TextKind.LINK_CONSENT)
    rows = look.scalars(query).all()
    return [r for r in rows if phone is None or r.to_phone == phone]


def set_up(echo, digits=NEW_DIGITS, name="Jordan"):
    """Open the skill, say yes, give the number, confirm it, give the first name."""
    opened = echo.launch()
    asked = echo.intent("AMAZON.YesIntent")
    heard = echo.intent("SetUpIntent", phone=digits)
    confirmed = echo.intent("AMAZON.YesIntent")
    done = echo.intent("SetUpIntent", phone=digits, name=name)
    return opened, asked, heard, confirmed, done


def test_the_welcome_is_two_sentences_and_asks_to_set_up(echo):
    said = echo.launch()
    assert said.speech == ("Trust Builder helps couples rebuild trust with one honest question a day and small "
                           "promises, kept. Would you like to set it up now?")
    assert said.ended is False and said.reprompt


def test_before_linking_help_and_the_question_are_useful_and_nothing_personal(echo, couple):
    helped = echo.intent("AMAZON.HelpIntent")
    assert helped.speech.startswith("Trust Builder gives you and your partner the same reflection question")
    assert helped.speech.endswith("What would you like to do?") and helped.ended is False and helped.reprompt
    sample = echo.intent("TodaysQuestionIntent")
    assert sample.speech.startswith("Here's the kind of question Trust Builder asks:")
    assert "one question like this a day" in sample.speech and sample.ended is False
    for intent, slots in (("AnswerIntent", {"answer": "I felt heard"}), ("ListPromisesIntent", {}),
                          ("PartnerAnswerIntent", {}), ("WeeklySummaryIntent", {})):
        said = echo.intent(intent, **slots)
        assert said.speech.startswith("To keep what you say private, I first need to know it's you.")
        assert "Alex" not in said.speech and "Sam" not in said.speech and said.reprompt
    fallback = echo.intent("AMAZON.FallbackIntent")
    assert fallback.ended is False and fallback.reprompt


def test_a_new_number_sets_up_by_voice_and_joins_with_its_yes(echo, text, look, clock, runtime, gateway):
    opened, asked, heard, confirmed, done = set_up(echo)
    assert asked.speech == "What's your mobile number? I'll text it once, to check it's yours."
    assert asked.directives[0]["type"] == "Dialog.ElicitSlot"
    assert asked.directives[0]["updatedIntent"]["name"] == "SetUpIntent"
    assert heard.speech == "I heard two zero two, five five five, zero one four two. Is that right?"
    assert confirmed.speech == "And what's your first name?" and confirmed.directives[0]["slotToElicit"] == "name"
    assert done.speech.startswith("I've texted you. Reply YES to that text, and then ask me for today's question.")
    assert done.ended is False and done.reprompt
    assert done.body["response"]["card"]["title"] == "Trust Builder: reply YES"
    [consent] = consent_texts(look)
    assert consent.to_phone == NEW_PHONE and consent.partner_id is None and consent.state == TextState.QUEUED
    assert "Reply YES to link this Echo to Trust Builder" in consent.body
    assert couples.find_by_phone(look, NEW_PHONE) is None  # nobody joins before YES
    row = look.scalar(select(VoiceSetup))
    assert NEW_PHONE not in repr(row.phone_digest) and len(row.phone_digest) == 32

    Dispatcher(runtime.sessions, gateway, clock, concurrency=1).run_until_idle()
    assert gateway.bodies_to(NEW_PHONE) == [consent.body]

    [reply] = text(NEW_PHONE, "YES")
    assert reply.startswith("Welcome to Trust Builder, Jordan! This Echo is linked to you.")
    look.expire_all()
    jordan = couples.find_by_phone(look, NEW_PHONE)
    assert jordan.consent == Consent.GRANTED and jordan.alexa_user_id == keyed(ALEXA_USER, STRANGER)
    role_asks = look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.ROLE_QUESTION)).all()
    assert [m.partner_id for m in role_asks] == [jordan.id]  # the same optional ROLE question as after JOIN
    question = Alexa(echo.client, clock, user_id=STRANGER).intent("TodaysQuestionIntent")
    assert question.speech.startswith("Today's question is:")
    assert text(NEW_PHONE, "YES")[0] != reply  # a second YES is just an answer now, nothing links again


def test_a_registered_number_hears_the_same_words_and_links_with_its_yes(client, clock, couple, text, look):
    new = Alexa(client, clock, user_id=STRANGER)
    known = Alexa(client, clock, user_id="amzn1.ask.account.OTHERHOUSE", person_id=PERSON)
    said_new = set_up(new)[-1]
    said_known = set_up(known, digits="4155550101", name="Sam")[-1]
    assert said_new.speech == said_known.speech  # nothing says whether a number is known
    assert [r.partner_id for r in consent_texts(look, SAM)] == [couple.sam]
    [reply] = text(SAM, "yes")
    assert reply.startswith("Linked: Alexa now knows it's you, Sam.")
    look.expire_all()
    assert not look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.ROLE_QUESTION)).all()
    sam = look.get(Partner, couple.sam)
    assert (sam.alexa_user_id, sam.alexa_person_id, sam.display_name) == (
        keyed(ALEXA_USER, "amzn1.ask.account.OTHERHOUSE"), keyed(ALEXA_PERSON, PERSON), "Sam")
    spoken = Alexa(client, clock, user_id="amzn1.ask.account.OTHERHOUSE", person_id=PERSON).launch()
    assert spoken.speech.startswith("Hi, Sam.")


def test_one_consent_text_per_number_per_hour_and_a_few_per_echo(client, clock, look):
    first = set_up(Alexa(client, clock, user_id=STRANGER))[-1]
    again = set_up(Alexa(client, clock, user_id="amzn1.ask.account.SOMEONEELSE"))[-1]
    assert first.speech == again.speech
    assert len(consent_texts(look, NEW_PHONE)) == 1
    for n in range(5):
        set_up(Alexa(client, clock, user_id="amzn1.ask.account.SPAMMER"), digits=f"20255501{50 + n}")
    assert len([r for r in consent_texts(look) if r.to_phone.startswith("+120255501")]) == 1 + 3
    clock.advance(minutes=61)
    set_up(Alexa(client, clock, user_id="amzn1.ask.account.SOMEONEELSE"))
    assert len(consent_texts(look, NEW_PHONE)) == 2


def test_a_held_back_set_up_is_never_linked_by_the_yes(client, clock, text, look):
    set_up(Alexa(client, clock, user_id=STRANGER))
    set_up(Alexa(client, clock, user_id="amzn1.ask.account.INTRUDER"))  # same number within the hour
    text(NEW_PHONE, "YES")
    look.expire_all()
    assert couples.find_by_phone(look, NEW_PHONE).alexa_user_id == keyed(ALEXA_USER, STRANGER)


def test_an_invited_number_that_sets_up_by_voice_joins_the_inviting_couple(client, clock, tx, text, look, couple):
    with tx() as s:
        alex = couples.get_partner(s, couple.alex)
        for partner in list(alex.couple.partners):
            if partner.id == couple.sam:
                couples.erase_partner(s, partner, clock())
    with tx() as s:
        couples.invite(s, couples.get_partner(s, couple.alex), NEW_PHONE, "Jordan", clock())
    set_up(Alexa(client, clock, user_id=STRANGER))
    [reply] = text(NEW_PHONE, "YES")
    assert reply.startswith("Linked: Alexa now knows it's you, Jordan.")
    look.expire_all()
    jordan = couples.find_by_phone(look, NEW_PHONE)
    assert jordan.couple_id == couple.couple and jordan.consent == Consent.GRANTED
    assert jordan.alexa_user_id == keyed(ALEXA_USER, STRANGER)


def test_the_partner_named_during_set_up_is_invited_once_the_yes_comes(echo, text, look):
    set_up(echo)
    assert echo.intent("AMAZON.YesIntent").speech == "What's your partner's first name?"
    assert echo.intent("InvitePartnerIntent", name="Casey").speech == "What's Casey's mobile number?"
    heard = echo.intent("InvitePartnerIntent", name="Casey", phone="2025550143")
    assert heard.speech == "I heard two zero two, five five five, zero one four three for Casey. Is that right?"
    done = echo.intent("AMAZON.YesIntent")
    assert done.speech.startswith("Thanks. Once you reply YES to my text, I'll send Casey one invitation")
    look.expire_all()
    assert look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.INVITATION)).all() == []
    [reply] = text(NEW_PHONE, "YES")
    assert "I've invited Casey" in reply
    look.expire_all()
    [invitation] = look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.INVITATION)).all()
    assert invitation.to_phone == "+12025550143" and invitation.body.startswith("Jordan invited you")


def test_a_linked_partner_invites_by_voice(alexa, couple, tx, look, clock):
    with tx() as s:
        couples.erase_partner(s, couples.get_partner(s, couple.sam), clock())
    alexa.intent("InvitePartnerIntent", name="Casey", phone="2025550143")
    done = alexa.intent("AMAZON.YesIntent")
    assert done.speech == "Done. I've sent Casey an invitation. Nothing else goes to them unless they reply YES."
    look.expire_all()
    assert couples.find_by_phone(look, "+12025550143").consent == Consent.INVITED


def test_a_misheard_number_is_asked_again(echo):
    echo.launch()
    echo.intent("AMAZON.YesIntent")
    assert echo.intent("SetUpIntent", phone="12").speech.startswith("Sorry, that didn't sound like a mobile number.")
    echo.intent("SetUpIntent", phone=NEW_DIGITS)
    denied = echo.intent("AMAZON.NoIntent")
    assert denied.speech == "OK, let's try that again. What's your mobile number?"
    assert denied.directives[0]["slotToElicit"] == "phone"


def test_no_to_the_welcome_closes_without_an_instruction(echo):
    echo.launch()
    said = echo.intent("AMAZON.NoIntent")
    assert said.ended is True and "say" not in said.speech.lower()


def test_session_ended_logs_the_error_type_and_message(echo, caplog):
    from tests.skill.envelopes import session_ended_request
    request = session_ended_request(echo.clock(), reason="ERROR")
    request["error"] = {"type": "INVALID_RESPONSE", "message": "The response is too long"}
    with caplog.at_level(logging.INFO, logger="trustbuilder.alexa"):
        ended = echo.send(request)
    assert ended.status == 200
    assert any("INVALID_RESPONSE" in r.getMessage() and "The response is too long" in r.getMessage()
               for r in caplog.records)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER)


class TestReviewer:
    REVIEWER = "+12025550199"

    @pytest.fixture
    def settings(self, tmp_path):
        return make_settings(tmp_path, alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER,
                             reviewer_phone_number=self.REVIEWER)

    def test_the_reviewer_number_links_at_once_and_its_texts_stay_in_the_outbox(self, client, clock, look, runtime,
                                                                                gateway):
        echo = Alexa(client, clock, user_id="amzn1.ask.account.REVIEWER")
        done = set_up(echo, digits="2025550199", name="Alex")[-1]
        assert done.speech.startswith("This is the reviewer test number, so its YES is taken as given")
        question = echo.intent("TodaysQuestionIntent")
        assert question.speech.startswith("Today's question is:")
        echo.intent("MakePromiseIntent", task="call Sam", time="18:00")
        Dispatcher(runtime.sessions, gateway, clock, concurrency=1).run_until_idle()
        clock.advance(hours=8, minutes=35)
        Dispatcher(runtime.sessions, gateway, clock, concurrency=1).run_until_idle()
        assert gateway.sent == []  # nothing reached any phone
        look.expire_all()
        states = {m.kind: m.state for m in look.scalars(select(OutboundMessage))}
        assert states[TextKind.LINK_CONSENT] == TextState.OUTBOX and states[TextKind.PROMISE_REMINDER] == TextState.OUTBOX

    def test_real_numbers_are_untouched_by_the_reviewer_setting(self, client, clock, look):
        set_up(Alexa(client, clock, user_id=STRANGER))
        [consent] = consent_texts(look, NEW_PHONE)
        assert consent.state == TextState.QUEUED
        assert couples.find_by_phone(look, NEW_PHONE) is None


@pytest.mark.parametrize("number", ["+14155551234", "+15555550100", "+12025550200", "+14155550199x"])
def test_the_reviewer_setting_takes_only_a_fictional_dialable_number(tmp_path, number):
    from core.config import ConfigError
    with pytest.raises(ConfigError, match="REVIEWER_PHONE_NUMBER"):
        make_settings(tmp_path, reviewer_phone_number=number)


def test_the_reviewer_number_must_not_be_ours(tmp_path):
    from core.config import ConfigError
    with pytest.raises(ConfigError, match="must not be the Trust Builder number"):
        make_settings(tmp_path, reviewer_phone_number="+14155550199", twilio_from_number="+14155550199")


def test_a_uk_number_is_read_as_the_uk_dials_it_and_read_back_the_uk_way(echo):
    from tests.skill.envelopes import intent_request
    echo.launch()
    echo.intent("AMAZON.YesIntent")
    request = intent_request("SetUpIntent", echo.clock(), {"phone": "07911123456"}, "IN_PROGRESS")
    request["locale"] = "en-GB"
    heard = echo.send(request)
    assert heard.speech == "I heard oh seven nine one one, one two three four five six. Is that right?"
    assert heard.attributes["setup_phone"] == "+447911123456"
