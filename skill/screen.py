"""The Echo Show screen: on a device whose request declares Alexa.Presentation.APL, every answer to a
launch or an intent carries the home document (skill-package/response/prompts/TrustBuilderHome, written by
`python -m skill.package` from skill/model/apl/) with a datasource from core.services.glance. Devices
without a screen get nothing new. Touch targets send Alexa.Presentation.APL.UserEvent with one argument,
which `TouchInterceptor` turns into the intent the voice path sends, so the same handlers and the same
gates (who is speaking, linked or not) answer it.

What the datasource may hold: for a known partner, today's question, whether each partner has answered
(never what), the week's small win and their own open promises; for anyone else, only a welcome line."""
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, IntentRequest
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from core.services.glance import Glance, glance
from skill import speech
from skill.interceptors import turn

DOCUMENT = "TrustBuilderHome"
LINK = {"type": "Link", "src": f"doc://alexa/apl/documents/{DOCUMENT}"}
TOKEN = "trustbuilder-home"
#: A touch target's argument -> the intent the same words said aloud would send.
TOUCH = {"answer": "TodaysQuestionIntent", "promises": "ListPromisesIntent", "week": "WeeklySummaryIntent"}
SHOWN_FOR = ("LaunchRequest", "IntentRequest")


def has_screen(handler_input: HandlerInput) -> bool:
    """True when the device declares Alexa.Presentation.APL in this request."""
    device = handler_input.request_envelope.context.system.device
    interfaces = device.supported_interfaces if device else None
    return bool(interfaces and interfaces.alexa_presentation_apl is not None)


def datasource(seen: Glance | None) -> dict:
    """The document's `payload.home`: labels from speech.SCREEN, and what `seen` says (None: a welcome)."""
    words = speech.SCREEN
    if seen is None:
        return {"home": {"title": words["title"], "welcome": words["welcome"]}}
    answers = [f"{words['you']}: {words['answered'] if seen.you_answered else words['not_yet']}"]
    if seen.partner_name:
        answers.append(f"{seen.partner_name}: {words['answered'] if seen.partner_answered else words['not_yet']}")
    return {"home": {
        "title": words["title"], "questionLabel": words["question"], "question": seen.question,
        "answers": answers, "win": seen.small_win, "promisesLabel": words["promises"],
        "promises": [f"{what}, {when}" for what, when in seen.promises] or [words["no_promises"]],
        "buttons": [{"label": label, "event": event} for label, event in words["buttons"]]}}


class TouchInterceptor(AbstractRequestInterceptor):
    """A touch on the screen becomes the intent the voice path sends (an unknown one: Fallback)."""

    def process(self, handler_input):
        request = handler_input.request_envelope.request
        if request.object_type != "Alexa.Presentation.APL.UserEvent":
            return
        arguments = request.arguments if isinstance(request.arguments, list) else []
        name = TOUCH.get(arguments[0]) if arguments and isinstance(arguments[0], str) else None
        handler_input.request_envelope.request = IntentRequest(
            request_id=request.request_id, timestamp=request.timestamp, locale=request.locale,
            intent=Intent(name=name or "AMAZON.FallbackIntent", slots={},
                          confirmation_status=IntentConfirmationStatus.NONE))


class ScreenInterceptor(AbstractResponseInterceptor):
    """Adds the home document to spoken answers on a screen device (never beside a Connections request)."""

    def process(self, handler_input, response):
        request = handler_input.request_envelope.request
        if response is None or not has_screen(handler_input) or request.object_type not in SHOWN_FOR:
            return
        if any((d.object_type or "").startswith("Connections.") for d in response.directives or []):
            return
        current = turn(handler_input)
        seen = glance(current.db, current.partner, current.now) if current.partner is not None else None
        response.directives = [*(response.directives or []),
                               RenderDocumentDirective(token=TOKEN, document=LINK, datasources=datasource(seen))]
