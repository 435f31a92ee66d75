"""Safety and care by voice: "I don't feel safe" answers at once, from anyone, before any gate; "delete my
data" with a spoken confirmation; "take back my answer"; "just for me, ..."; and the yes or no to sharing
an answer that was held private. Each calls the same core service as the text channel."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name

from core.errors import InvalidInput
from core.models import Channel
from core.safety import as_speech, resources_for
from core.services import answers, couples, weekly_checkin
from skill import speech
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.speech import reply


def spoken_lines(handler_input) -> str:
    """The lines for the speaker's country: their phone's, else the device's locale (core.safety)."""
    partner = turn(handler_input).partner
    locale = getattr(handler_input.request_envelope.request, "locale", None)
    return as_speech(resources_for(partner.phone if partner else None, locale))


class SafetyIntentHandler(AbstractRequestHandler):
    """"I don't feel safe": the lines at once, linked or not, whoever is speaking."""

    def can_handle(self, handler_input):
        return is_intent_name("SafetyIntent")(handler_input)

    def handle(self, handler_input):
        return reply(handler_input, speech.safety_lines(spoken_lines(handler_input)), end=True)


class DeleteMyDataIntentHandler(AbstractRequestHandler):
    """"Delete my data": what it means, then a yes in this same conversation erases. The question lives in
    the voice session only, so a later "yes" by text (to something else) can never erase by accident."""

    def can_handle(self, handler_input):
        return is_intent_name("DeleteMyDataIntent")(handler_input)

    def handle(self, handler_input):
        session_attributes(handler_input)["offer"] = "erase"
        return reply(handler_input, speech.ERASE_ASK, speech.ERASE_ASK)


class UndoAnswerIntentHandler(AbstractRequestHandler):
    """"Take back my answer": within fifteen minutes, before the partner heard it."""

    def can_handle(self, handler_input):
        return is_intent_name("UndoAnswerIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        said = {"removed": speech.UNDONE, "seen": speech.UNDO_SEEN, "too_late": speech.UNDO_TOO_LATE,
                "nothing": speech.UNDO_NOTHING}[answers.undo(current.db, current.partner, current.now)]
        return reply(handler_input, said)


class PrivateReflectionIntentHandler(AbstractRequestHandler):
    """"Just for me, ...": a reflection for the speaker only, never revealed or counted."""

    def can_handle(self, handler_input):
        return is_intent_name("PrivateReflectionIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        try:
            kept = answers.keep_private(current.db, current.partner, slot_value(handler_input, "text"),
                                        Channel.VOICE, current.source_id, current.now)
        except InvalidInput:
            return reply(handler_input, speech.ASK_PRIVATE, speech.ASK_PRIVATE)
        lines = f" {spoken_lines(handler_input)}" if kept.signal else ""
        return reply(handler_input, speech.PRIVATE_KEPT + lines)


class CareYesNoHandler(AbstractRequestHandler):
    """Yes or no to "Do you want me to erase your data?" or "Would you like me to share it?"."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        return yes_no and session_attributes(handler_input).get("offer") in ("erase", "share_held",
                                                                             "share_weekly_held")

    def handle(self, handler_input):
        current, offer = turn(handler_input), session_attributes(handler_input).pop("offer")
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        if offer == "erase":
            if not yes:
                return reply(handler_input, speech.ERASE_KEPT)
            couples.erase_partner(current.db, current.partner, current.now)
            session_attributes(handler_input).clear()
            return reply(handler_input, speech.ERASED, end=True)
        if offer == "share_weekly_held":
            if yes and weekly_checkin.share_held(current.db, current.partner, current.now) is not None:
                return reply(handler_input, speech.SHARE_HELD_DONE)
            return reply(handler_input, speech.KEPT_PRIVATE)
        if yes and answers.share_held(current.db, current.partner, current.now) is not None:
            return reply(handler_input, speech.SHARE_HELD_DONE)
        return reply(handler_input, speech.KEPT_PRIVATE)
