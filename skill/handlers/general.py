"""The built-ins: help, stop/cancel/home, fallback, yes/no, and the end of a session."""
import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name, is_request_type

from skill.handlers.checkins import ask_question, tell_partner_answer
from skill.handlers.promises import tell_partner
from skill.interceptors import session_attributes, turn
from skill.speech import (ANYTHING_ELSE, ASK_ANSWER_AGAIN, ASK_MOOD, ASK_SETUP, FALLBACK, GO_AHEAD, GOODBYE, HELP,
                          INVITE_ANSWER, NOT_NOW, SUGGEST, UNLINKED_HELP, UNLINKED_SUGGEST, reply)

log = logging.getLogger("trustbuilder.alexa")


class SessionEndedRequestHandler(AbstractRequestHandler):
    """The session closed (the user left, or said nothing): nothing may be said, only noted."""

    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        request = handler_input.request_envelope.request
        error = request.error
        if error is not None:
            # Alexa's own words about what went wrong with our response (never what anyone said).
            log.warning("alexa session ended: %s, error %s: %s", request.reason, getattr(error.object_type, "value",
                        error.object_type), error.message)
        else:
            log.info("alexa session ended: %s", request.reason)
        return handler_input.response_builder.response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    """Stop, cancel and "go home" all end the session kindly (a promise half-asked is simply not made)."""

    def can_handle(self, handler_input):
        return any(is_intent_name(name)(handler_input)
                   for name in ("AMAZON.CancelIntent", "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent"))

    def handle(self, handler_input):
        return reply(handler_input, GOODBYE, end=True)


class HelpIntentHandler(AbstractRequestHandler):
    """What the skill can do, then a question so the session stays open."""

    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input):
        if not turn(handler_input).speaker.linked:
            session_attributes(handler_input)["offer"] = "setup"
            return reply(handler_input, UNLINKED_HELP, ASK_SETUP)
        return reply(handler_input, HELP, SUGGEST)


class FallbackIntentHandler(AbstractRequestHandler):
    """Words no intent matched: after the question it was probably an answer, so say how to give one."""

    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input):
        awaiting = session_attributes(handler_input).get("awaiting")
        if awaiting == "answer":
            return reply(handler_input, ASK_ANSWER_AGAIN, ASK_ANSWER_AGAIN)
        if awaiting == "mood":
            return reply(handler_input, ASK_MOOD, ASK_MOOD)
        if not turn(handler_input).speaker.linked:
            return reply(handler_input, f"Sorry, I can't help with that. {UNLINKED_SUGGEST}", UNLINKED_SUGGEST)
        return reply(handler_input, FALLBACK, SUGGEST)


class YesNoIntentHandler(AbstractRequestHandler):
    """Yes or no to the last thing offered (today's question, or the partner's answer)."""

    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input):
        attributes = session_attributes(handler_input)
        offer = attributes.pop("offer", None)
        if is_intent_name("AMAZON.NoIntent")(handler_input):
            return reply(handler_input, NOT_NOW)
        if offer == "question":
            return ask_question(handler_input)
        if offer == "reveal":
            return tell_partner_answer(handler_input)
        if offer == "tell":
            return tell_partner(handler_input)
        if attributes.get("awaiting") == "answer":
            return reply(handler_input, GO_AHEAD, INVITE_ANSWER)
        return reply(handler_input, ANYTHING_ELSE, SUGGEST)
