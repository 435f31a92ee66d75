"""Who is speaking: linking this Alexa account to a phone, and telling two partners on one device apart."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from core.services import speakers
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill import speech
from skill.handlers.setup import elicit, speak_link_code
from skill.speech import ANYTHING_ELSE, ASK_ANSWER_AGAIN, SUGGEST, reply

#: Requests not worth replaying after "Is this Alex or Sam?" (they are answered by the question itself).
NOT_RESUMED = {"AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"}


class LinkAccountIntentHandler(AbstractRequestHandler):
    """"Link my phone": anyone may ask, also the second partner on an already linked device."""

    def can_handle(self, handler_input):
        return is_intent_name("LinkAccountIntent")(handler_input)

    def handle(self, handler_input):
        return speak_link_code(handler_input, speech.HOW_TO_LINK)


class IdentifyPartnerIntentHandler(AbstractRequestHandler):
    """"This is Sam": the interceptor already chose Sam when it could; here we answer what is left."""

    def can_handle(self, handler_input):
        return is_intent_name("IdentifyPartnerIntent")(handler_input)

    def handle(self, handler_input):
        speaker = turn(handler_input).speaker
        if speaker.partner is None:
            return ask_who(handler_input, speech.DID_NOT_CATCH)
        name = slot_value(handler_input, "name")
        named = speakers.pick_by_name(speaker.candidates, name)
        if named is not None:
            return reply(handler_input, speech.greeting(named.display_name) + ANYTHING_ELSE, SUGGEST)
        in_couple = speakers.pick_by_name(tuple(speaker.partner.couple.partners), name)
        if in_couple is None and session_attributes(handler_input).get("awaiting") == "answer":
            # After the question a lone word is heard as a name; it was most likely an answer.
            return reply(handler_input, ASK_ANSWER_AGAIN, ASK_ANSWER_AGAIN)
        return reply(handler_input, speech.known_as(speaker.partner.display_name), SUGGEST)


class WhoIsSpeakingHandler(AbstractRequestHandler):
    """Two partners share this device and no voice profile told them apart: ask once, remember the request."""

    def can_handle(self, handler_input):
        return turn(handler_input).speaker.ambiguous

    def handle(self, handler_input):
        resume = _resumable(handler_input)
        if resume:
            session_attributes(handler_input)["resume"] = resume
        return ask_who(handler_input, speech.HI)


def ask_who(handler_input: HandlerInput, before: str) -> Response:
    """"Is this Alex or Sam?", as a Dialog.ElicitSlot of IdentifyPartnerIntent.name (a bare name answers it)."""
    question = speech.which_partner(turn(handler_input).speaker.candidates)
    return elicit(handler_input, "IdentifyPartnerIntent", "name", f"{before} {question}", question)


def _resumable(handler_input: HandlerInput) -> dict | None:
    """The request to answer once we know who asked: its intent and slot values (a launch asks the question)."""
    if is_request_type("LaunchRequest")(handler_input):
        return {"intent": "TodaysQuestionIntent", "slots": {}}
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    if intent is None or intent.name in NOT_RESUMED:
        return None
    slots = {name: slot.value for name, slot in (intent.slots or {}).items() if slot.value}
    return {"intent": intent.name, "slots": slots}
