"""Roles and SKIP by voice: "change my role" (or the set-up flow's optional question) and "a different
question". Each calls the one core service the text channel uses (core.services.roles, questions.skip)."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Intent, Response, Slot
from ask_sdk_model.dialog import ElicitSlotDirective

from core.errors import InvalidInput
from core.models import Channel
from core.services import questions, roles
from skill import speech
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.speech import reply

ASKING_ROLE = "role"  # session "awaiting": the next SetRoleIntent answers the role question


def ask_role(handler_input: HandlerInput, before: str = "") -> Response:
    """The optional role question, eliciting SetRoleIntent's role slot so a bare "both" or "I was hurt" is
    heard as the answer. The voice set-up flow asks it after joining (call with what to say first)."""
    session_attributes(handler_input)["awaiting"] = ASKING_ROLE
    handler_input.response_builder.add_directive(ElicitSlotDirective(
        updated_intent=Intent(name="SetRoleIntent", slots={"role": Slot(name="role")}), slot_to_elicit="role"))
    return reply(handler_input, f"{before}{speech.ROLE_QUESTION}".strip(), speech.ROLE_AGAIN)


class SetRoleIntentHandler(AbstractRequestHandler):
    """"Change my role" asks; "I'm mostly repairing trust" / "I was hurt" / "both" / "rather not say" sets it."""

    def can_handle(self, handler_input):
        return is_intent_name("SetRoleIntent")(handler_input)

    def handle(self, handler_input):
        current, said = turn(handler_input), slot_value(handler_input, "role")
        if not said:
            return ask_role(handler_input)
        try:
            role = roles.set_role_from_words(current.db, current.partner, said)
        except InvalidInput:
            return ask_role(handler_input, "Sorry, I didn't catch that. ")
        session_attributes(handler_input).pop("awaiting", None)
        return reply(handler_input, speech.role_set(role))


class SkipQuestionIntentHandler(AbstractRequestHandler):
    """"A different question": another topic for both (nobody answered yet), else a gentler one for the asker."""

    def can_handle(self, handler_input):
        return is_intent_name("SkipQuestionIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        skipped = questions.skip(current.db, current.partner, current.now)
        questions.mark_heard(current.db, current.partner, Channel.VOICE, current.now)
        session_attributes(handler_input)["awaiting"] = "answer"
        return reply(handler_input, speech.skipped(skipped.kind, skipped.words), speech.INVITE_ANSWER)
