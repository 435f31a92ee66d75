""""Send me a link": a one-time sign-in link to the couple's page, by text (core.services.sign_in), the
same link LOGIN texts back."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name

from core.services import sign_in
from skill import speech
from skill.interceptors import turn
from skill.speech import reply


class SendPageLinkIntentHandler(AbstractRequestHandler):
    """Texts the link, or says honestly why it can't."""

    def can_handle(self, handler_input):
        return is_intent_name("SendPageLinkIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        sent = sign_in.send_link(current.db, current.partner, current.settings.public_base_url, current.now)
        return reply(handler_input, speech.PAGE_LINK_SENT if sent else speech.PAGE_LINK_NO_TEXTS)
