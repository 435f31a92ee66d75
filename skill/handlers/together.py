"""Things for both partners: a "thinking about you" text and the weekly summary."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name

from core.errors import DomainError
from core.services import checkins, speakers, summary, thinking_of_you
from core.services.couples import other_partner
from core.words.times import describe_local
from skill import speech
from skill.handlers.slots import slot_value
from skill.interceptors import turn
from skill.speech import reply


class ThinkingOfYouIntentHandler(AbstractRequestHandler):
    """"Tell Sam I'm thinking about them": queues the text, or says honestly why it can't."""

    def can_handle(self, handler_input):
        return is_intent_name("ThinkingOfYouIntent")(handler_input)

    def handle(self, handler_input):
        current, named = turn(handler_input), slot_value(handler_input, "name")
        partner = other_partner(current.partner)
        if partner is not None and named and speakers.pick_by_name((partner,), named) is None:
            return reply(handler_input, speech.only_to_your_partner(partner.display_name), speech.SUGGEST)
        try:
            sent = thinking_of_you.send_thinking(current.db, current.partner, current.now,
                                                 daily_cap=current.settings.thinking_daily_cap,
                                                 source_id=current.source_id)
        except DomainError as error:
            state = checkins.answer_status(current.db, current.partner, current.now)
            if error.reason != "capped" and state.status in speech.NOT_HERE:  # the same words, sent or not
                return reply(handler_input, speech.NOT_HERE[state.status].format(name=state.partner_name))
            return reply(handler_input, speech.cannot_send_thinking(error.reason, partner,
                                                                    current.settings.thinking_daily_cap))
        held = describe_local(sent.held_until, current.partner.couple.timezone, current.now) \
            if sent.held_until else None
        return reply(handler_input, speech.thinking_sent(partner.display_name, held))


class WeeklySummaryIntentHandler(AbstractRequestHandler):
    """"How are we doing?": the last seven days, with one small win."""

    def can_handle(self, handler_input):
        return is_intent_name("WeeklySummaryIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        return reply(handler_input, summary.weekly_summary(current.db, current.partner, current.now).text())
