"""Promises by voice: make one (a dialog that asks for what and when), list them, mark one kept."""
from datetime import datetime

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.dialog import ElicitSlotDirective

from core import local_time
from core.errors import DomainError, InvalidInput, NotFound
from core.models import Promise, PromiseState
from core.services import promise_intake, promises
from core.services.couples import other_partner
from core.words.tasks import for_author
from core.words.times import describe_local
from skill.handlers import echo as echo_handlers, slots
from skill.interceptors import Turn, session_attributes, turn
from skill import speech
from skill.speech import ASK_DAY, ASK_TASK, ASK_TIME, promise_confirmation, reply



def elicit(handler_input: HandlerInput, slot: str, question: str) -> Response:
    """Ask for one slot of the promise, keeping what was already said (the model delegates to us)."""
    intent = handler_input.request_envelope.request.intent
    handler_input.response_builder.add_directive(ElicitSlotDirective(updated_intent=intent, slot_to_elicit=slot))
    return reply(handler_input, question, question)


def device_zone(handler_input: HandlerInput, current: Turn) -> str:
    """The Echo's own time zone from the Settings API, else the couple's."""
    system = handler_input.request_envelope.context.system
    device_id = system.device.device_id if system.device else None
    zone = current.settings_api.timezone(system.api_endpoint, device_id, system.api_access_token)
    return zone or current.partner.couple.timezone


class MakePromiseIntentHandler(AbstractRequestHandler):
    """"I promise to call Sam at six": asks for what is missing, reads "tonight", "after work" and a bare hour
    the way people mean them (asking when an hour could be either), then stores it and says when I'll remind."""

    def can_handle(self, handler_input):
        return is_intent_name("MakePromiseIntent")(handler_input)

    def handle(self, handler_input):
        task, day_said, time_said = (slots.slot_value(handler_input, n) for n in ("task", "date", "time"))
        if not (task or "").strip():
            return elicit(handler_input, "task", ASK_TASK)
        current = turn(handler_input)
        zone = device_zone(handler_input, current)
        day = slots.local_day(day_said, local_time.local_date(current.now, zone)) if day_said else None
        if day_said and day is None:
            return elicit(handler_input, "date", ASK_DAY)
        minute = slots.minute_of_day(time_said)
        if time_said and minute is None:
            return elicit(handler_input, "time", speech.ASK_TIME_AGAIN)
        spoken = promise_intake.read_spoken(task, day, minute, zone, current.now)
        if spoken.minute is None:
            return elicit(handler_input, "time", ASK_TIME)
        if spoken.other is not None:
            return ask_which_hour(handler_input, spoken, zone)
        return make(handler_input, spoken.task, spoken.day, spoken.minute, zone)


def ask_which_hour(handler_input: HandlerInput, spoken, zone: str) -> Response:
    """An hour that could be morning or evening, both still ahead: check the likelier one before saving."""
    current = turn(handler_input)
    due, _ = promise_intake.due_at(spoken.day, spoken.minute, zone, current.now)
    session_attributes(handler_input).update(offer="confirm_promise", promise_pending={
        "task": spoken.task, "day": spoken.day.isoformat() if spoken.day else None, "minute": spoken.minute,
        "other": spoken.other, "zone": zone})
    question = speech.check_time(spoken.task, describe_local(due, zone, current.now))
    return reply(handler_input, question, question)


def make(handler_input: HandlerInput, task: str, day, minute: int, zone: str) -> Response:
    """Store the promise (once per request id) and confirm it; a time that cannot be asks for the day again."""
    current = turn(handler_input)
    try:
        intake = promise_intake.take_spoken(current.db, current.partner, task, day, minute, zone, current.now,
                                            source_id=current.source_id)
    except InvalidInput as error:
        if error.reason not in speech.TIME_PROBLEMS:
            raise
        return elicit(handler_input, "date", speech.TIME_PROBLEMS[error.reason] + ASK_DAY)
    return echo_handlers.after_promise(handler_input, intake)  # on the Echo, by text or both


class ListPromisesIntentHandler(AbstractRequestHandler):
    """"What are my promises?": the next few, briefly."""

    def can_handle(self, handler_input):
        return is_intent_name("ListPromisesIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        open_ones = promises.open_promises(current.db, current.partner)
        if not open_ones:
            return reply(handler_input, speech.NO_PROMISES_YET, speech.ASK_TASK)  # it says what to say: keep listening
        return reply(handler_input, listing(open_ones, current.now))


def listing(open_ones: list[Promise], now: datetime) -> str:
    """The open promises as (what, when) words, said by speech.promise_listing."""
    return speech.promise_listing([(for_author(p.text), describe_local(p.due_at, p.timezone, now)) for p in open_ones])


def kept_reply(handler_input, current: Turn, promise: Promise) -> Response:
    """Well done, and the offer to let the partner know (the same for a replayed request)."""
    partner = other_partner(current.partner)
    if partner is None or not partner.can_text:
        return reply(handler_input, speech.marked_kept(for_author(promise.text)))
    session_attributes(handler_input)["offer"] = "tell"
    return reply(handler_input, speech.marked_kept(for_author(promise.text), partner.display_name),
                 speech.offer_tell(partner.display_name))


def tell_partner(handler_input) -> Response:
    """Yes to "Would you like Sam to know?": the same TELL as by text."""
    current = turn(handler_input)
    try:
        _, partner = promises.tell_partner_kept(current.db, current.partner, current.now)
    except DomainError:
        return reply(handler_input, speech.NOTHING_TO_TELL)
    return reply(handler_input, speech.told_partner(partner.display_name))
