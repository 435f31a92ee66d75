"""What the Echo itself can do: promise reminders on the Echo (the choice, the permission asked by voice, the
reminders kept in step when a promise changes), and "your partner answered" notifications (the opt-in)."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from core.models import Promise, PromiseState, ReminderWay
from core.services import answer_notices, echo_reminders, promise_intake
from core.words.times import describe_local, describe_near
from skill import echo, speech
from skill.alexa_api import api_host
from skill.interceptors import session_attributes, turn
from skill.speech import reply

NOTIFICATIONS = "alexa::devices:all:notifications:write"
#: Words heard in the ReminderWay slot (Alexa's entity resolution gives the id; these cover the raw value).
WAYS = {"both": ReminderWay.BOTH, "text": ReminderWay.TEXT, "echo": ReminderWay.ECHO}
WAY_WORDS = (("both", ReminderWay.BOTH), ("and", ReminderWay.BOTH), ("text", ReminderWay.TEXT),
             ("phone", ReminderWay.TEXT), ("message", ReminderWay.TEXT), ("sms", ReminderWay.TEXT))


def after_promise(handler_input: HandlerInput, intake) -> Response:
    """A promise was made by voice: its reminder on the Echo, by text or both, as the partner chose (asked
    once); anything that fails keeps the text reminder, which was queued first."""
    current = turn(handler_input)
    if intake.promise is None or intake.reminder_at is None or not echo.offered(handler_input):
        return reply(handler_input, speech.promise_confirmation(intake))
    way = echo_reminders.reminder_way(current.db, current.partner)
    if way is None:
        session_attributes(handler_input).update(echo_promise=intake.promise.id)
        return ask_way(handler_input, f"{speech.promise_confirmation(intake)} {speech.ASK_REMINDER_WAY}")
    if way == ReminderWay.TEXT:
        return reply(handler_input, speech.promise_confirmation(intake))
    return echo_reminder(handler_input, intake.promise, way, speech.promise_confirmation(intake))


def ask_way(handler_input: HandlerInput, question: str) -> Response:
    """"On the Echo, by text, or both?" as a Dialog.ElicitSlot of ReminderWayIntent.way (a bare answer counts)."""
    updated = Intent(name="ReminderWayIntent", slots={"way": Slot(name="way")},
                     confirmation_status=IntentConfirmationStatus.NONE)
    handler_input.response_builder.add_directive(ElicitSlotDirective(updated_intent=updated, slot_to_elicit="way"))
    return reply(handler_input, question, speech.REMINDER_WAY_AGAIN)


def echo_reminder(handler_input: HandlerInput, promise: Promise, way: str, otherwise: str) -> Response:
    """Create the Echo reminder and say so; no permission: ask for it by voice; no answer: `otherwise`."""
    made = echo.create(handler_input, promise)
    if made == "created":
        return reply(handler_input, speech.on_echo(described(handler_input, promise), way))
    if made == "refused":
        handler_input.response_builder.speak(speech.ssml(speech.noted(promise.text)))
        return echo.ask_reminder_permission(handler_input, promise.id)
    if made == "failed":
        return reply(handler_input, f"{otherwise} {speech.ECHO_UNREACHABLE}")
    return reply(handler_input, otherwise)


def described(handler_input: HandlerInput, promise: Promise):
    """The promise as an Intake (its day and time, its reminder's), for the words that confirm it."""
    current = turn(handler_input)
    at = echo_reminders.echo_time(promise, current.now)
    return promise_intake.Intake(promise.text, promise, describe_local(promise.due_at, promise.timezone, current.now),
                                 at, describe_near(at, promise.due_at, promise.timezone, current.now) if at else None)


def moved_words(handler_input: HandlerInput, intake) -> str:
    """A promise moved by voice: its Echo reminder moves now (this request's token), and the words say where
    the reminder is; an Echo that does not answer keeps the text."""
    current = turn(handler_input)
    if intake.promise is None or echo_reminders.reminder_way(current.db, current.partner) in (None, ReminderWay.TEXT):
        return speech.moved(intake)
    echo.sync(handler_input, limit=1)
    if not echo_reminders.has_echo_reminder(current.db, intake.promise):
        return speech.moved(intake)
    way = echo_reminders.reminder_way(current.db, current.partner)
    return speech.moved_on_echo(intake, way)


def own_open_promise(handler_input: HandlerInput, promise_id: object) -> Promise | None:
    """The speaker's open promise with this id (ids come back from the device: checked)."""
    current = turn(handler_input)
    if type(promise_id) is not int or current.partner is None:
        return None
    promise = current.db.get(Promise, promise_id)
    ok = promise is not None and promise.promiser_id == current.partner.id and promise.state == PromiseState.OPEN
    return promise if ok else None


def heard_way(handler_input: HandlerInput) -> str | None:
    """echo, text or both from the `way` slot: the resolved id first, else the words said."""
    intent = handler_input.request_envelope.request.intent
    slot = (intent.slots or {}).get("way") if intent else None
    for authority in getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []:
        if authority.status and authority.status.code.value == "ER_SUCCESS_MATCH" and authority.values:
            found = authority.values[0].value
            if (found.id or found.name) in WAYS:
                return WAYS[found.id or found.name]
    said = (getattr(slot, "value", None) or "").lower()
    found = next((way for word, way in WAY_WORDS if word in said.split()), None)
    return found or (ReminderWay.ECHO if said else None)


class ReminderWayIntentHandler(AbstractRequestHandler):
    """"On the Echo", "by text", "both": how promise reminders come, now and from now on."""

    def can_handle(self, handler_input):
        return is_intent_name("ReminderWayIntent")(handler_input)

    def handle(self, handler_input):
        current, attributes = turn(handler_input), session_attributes(handler_input)
        way = heard_way(handler_input)
        if way is None:
            return ask_way(handler_input, speech.REMINDER_WAY_AGAIN)
        if way != ReminderWay.TEXT and not echo.offered(handler_input):
            return reply(handler_input, speech.ECHO_UNREACHABLE)
        echo_reminders.choose_way(current.db, current.partner, way, current.now)
        promise = own_open_promise(handler_input, attributes.pop("echo_promise", None))
        if promise is None or way == ReminderWay.TEXT:
            return reply(handler_input, speech.REMINDER_WAY_SAVED[way])
        return echo_reminder(handler_input, promise, way, speech.REMINDER_WAY_SAVED[way])


class RemindersPermissionHandler(AbstractRequestHandler):
    """Connections.Response to AskFor the reminders permission: granted, denied, or not answered."""

    def can_handle(self, handler_input):
        request = handler_input.request_envelope.request
        return is_request_type("Connections.Response")(handler_input) and getattr(request, "name", None) == "AskFor"

    def handle(self, handler_input):
        current, request = turn(handler_input), handler_input.request_envelope.request
        answer = (request.payload or {}).get("status") if isinstance(request.payload, dict) else None
        token = request.token or ""
        promise = own_open_promise(handler_input, int(token[8:]) if token.startswith("promise:")
                                   and token[8:].isdigit() and len(token) < 20 else None)
        if answer == "DENIED":
            echo_reminders.choose_way(current.db, current.partner, ReminderWay.TEXT, current.now)
            return reply(handler_input, speech.REMINDERS_DENIED)
        if answer != "ACCEPTED" or promise is None:
            return reply(handler_input, speech.REMINDERS_NOT_ANSWERED)
        made = echo.create(handler_input, promise)
        if made == "created":
            way = echo_reminders.reminder_way(current.db, current.partner) or ReminderWay.ECHO
            return reply(handler_input, speech.on_echo(described(handler_input, promise), way))
        return reply(handler_input, speech.ECHO_UNREACHABLE)


class MessageReceivedHandler(AbstractRequestHandler):
    """Messaging.MessageReceived: the scheduler woke us (a promise with an Echo reminder changed by text) to
    update or delete that reminder with the fresh token this request carries. Nothing is said."""

    def can_handle(self, handler_input):
        return is_request_type("Messaging.MessageReceived")(handler_input)

    def handle(self, handler_input):
        echo.sync(handler_input)
        return handler_input.response_builder.response


def offer_notices(handler_input: HandlerInput, said: str, reveal) -> Response:
    """After an answer, while waiting for the partner's: offer the notification once, where it can work."""
    current = turn(handler_input)
    settings = current.settings
    if (reveal.status != "waiting_partner" or not (settings.alexa_client_id and settings.alexa_client_secret)
            or answer_notices.wants_notices(current.db, current.partner) is not None):
        return reply(handler_input, said)
    session_attributes(handler_input)["offer"] = "notices"
    ask = speech.offer_notices(reveal.partner_name)
    return reply(handler_input, f"{said} {ask}", ask)


class AnswerNoticesIntentHandler(AbstractRequestHandler):
    """"Tell me when my partner answers" / "stop the notifications", and yes or no to the offer."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        offered = session_attributes(handler_input).get("offer") == "notices"
        return is_intent_name("AnswerNoticesIntent")(handler_input) or (yes_no and offered)

    def handle(self, handler_input):
        current, system = turn(handler_input), echo.system(handler_input)
        session_attributes(handler_input).pop("offer", None)
        on = not is_intent_name("AMAZON.NoIntent")(handler_input) and not _said_off(handler_input)
        host = api_host(system.api_endpoint, current.settings_api.api_url)
        answer_notices.choose_notices(current.db, current.partner, on, system.user.user_id, host, current.now)
        if not on:
            return reply(handler_input, speech.NOTICES_OFF)
        handler_input.response_builder.set_card(AskForPermissionsConsentCard(permissions=[NOTIFICATIONS]))
        return reply(handler_input, speech.NOTICES_ON)


def _said_off(handler_input: HandlerInput) -> bool:
    intent = handler_input.request_envelope.request.intent
    slot = (intent.slots or {}).get("setting") if intent else None
    said = (getattr(slot, "value", None) or "").lower()
    return any(word in said.split() for word in ("off", "stop", "no", "don't", "not", "never"))
