"""Things for both partners: a "thinking about you" text and the weekly summary."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name

from core import local_time
from core.errors import DomainError
from core.services import speakers, summary, thinking_of_you
from core.services.couples import other_partner
from skill.handlers.slots import slot_value
from skill.interceptors import Turn, turn
from skill.speech import THEIR_TEXTS, reply


class ThinkingOfYouIntentHandler(AbstractRequestHandler):
    """"Tell Sam I'm thinking about them": queues the text, or says honestly why it can't."""

    def can_handle(self, handler_input):
        return is_intent_name("ThinkingOfYouIntent")(handler_input)

    def handle(self, handler_input):
        current, named = turn(handler_input), slot_value(handler_input, "name")
        partner = other_partner(current.partner)
        if partner is not None and named and speakers.pick_by_name((partner,), named) is None:
            return reply(handler_input, f"I can only send these to your partner, {partner.display_name}. "
                                        "To send one, say 'tell my partner I'm thinking of them'.")
        try:
            thinking_of_you.send_thinking(current.db, current.partner, current.now,
                                 daily_cap=current.settings.thinking_daily_cap, source_id=current.source_id)
        except DomainError as error:
            return reply(handler_input, cannot_send(error.reason, partner, current))
        return reply(handler_input, f"Done. I'm letting {partner.display_name} know you're thinking about them."
                                    + _quiet_note(current))


def cannot_send(reason: str, partner, current: Turn) -> str:
    """Why the thinking-about-you text cannot go, in plain words."""
    if reason == "no_partner" or partner is None:
        return "You haven't added your partner to Trust Builder yet. You can invite them by text."
    if reason == "capped":
        return (f"You've already sent {current.settings.thinking_daily_cap} today, which is the daily limit. "
                "You can send more tomorrow.")
    because = THEIR_TEXTS.get(reason, "{name} can't get texts right now").format(name=partner.display_name)
    return f"I can't send that, because {because}."


def _quiet_note(current: Turn) -> str:
    """When quiet hours hold the text until morning, say so."""
    couple = current.partner.couple
    if local_time.in_quiet_hours(current.now, couple.timezone, couple.quiet_start, couple.quiet_end):
        return " It's quiet hours, so it will reach them in the morning."
    return ""


class WeeklySummaryIntentHandler(AbstractRequestHandler):
    """"How are we doing?": the last seven days, with one small win."""

    def can_handle(self, handler_input):
        return is_intent_name("WeeklySummaryIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        return reply(handler_input, summary.weekly_summary(current.db, current.partner, current.now).text())
