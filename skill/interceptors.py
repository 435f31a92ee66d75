"""Cross-cutting work around every handler: log the request, open the turn (database session and `now`),
find out who is speaking, and commit once the handler has answered."""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Intent, IntentConfirmationStatus, Slot
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import Partner
from core.runtime import Runtime
from core.services import speakers
from skill import speech
from skill.handlers.slots import slot_value
from skill.alexa_api import SettingsApi

log = logging.getLogger("trustbuilder.alexa")
TURN = "turn"


@dataclass
class Turn:
    """What a handler needs for one request: the session, the time, settings and the speaker."""

    db: Session
    now: datetime
    settings: Settings
    settings_api: SettingsApi
    request_id: str
    speaker: speakers.Speaker = speakers.Speaker()

    @property
    def partner(self) -> Partner | None:
        """The partner speaking, when known."""
        return self.speaker.partner

    @property
    def source_id(self) -> str:
        """The idempotency key of this request: an Alexa retry carries the same request id."""
        return f"alexa:{self.request_id}"


def turn(handler_input: HandlerInput) -> Turn:
    """This request's Turn (set by OpenTurnInterceptor)."""
    return handler_input.attributes_manager.request_attributes[TURN]


def session_attributes(handler_input: HandlerInput) -> dict:
    """The session's attributes (empty for requests outside a session)."""
    return handler_input.attributes_manager.session_attributes if handler_input.request_envelope.session else {}


class LogRequestInterceptor(AbstractRequestInterceptor):
    """Logs the request type, intent and id; never what anyone said."""

    def process(self, handler_input):
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        log.info("alexa %s %s %s", request.object_type, intent or "-", request.request_id)


class OpenTurnInterceptor(AbstractRequestInterceptor):
    """Opens the request's database session and reads the clock once."""

    def __init__(self, runtime: Runtime, db: Callable[[], Session], settings_api: SettingsApi):
        self.runtime, self.db, self.settings_api = runtime, db, settings_api

    def process(self, handler_input):
        request_id = handler_input.request_envelope.request.request_id
        handler_input.attributes_manager.request_attributes[TURN] = Turn(
            self.db(), self.runtime.clock(), self.runtime.settings, self.settings_api, request_id)


class IdentifySpeakerInterceptor(AbstractRequestInterceptor):
    """Finds the partner speaking; "this is Sam" picks one on a shared device and resumes what they asked."""

    def process(self, handler_input):
        current, attributes = turn(handler_input), session_attributes(handler_input)
        system = handler_input.request_envelope.context.system
        person = system.person.person_id if system.person else None
        current.speaker = speakers.resolve_speaker(current.db, system.user.user_id, person, attributes.get("partner_id"))
        if is_intent_name("IdentifyPartnerIntent")(handler_input) and not current.speaker.by_voice:
            _choose_by_name(handler_input, current, attributes)
        if current.partner is not None:
            attributes["partner_id"] = current.partner.id
            _tell_phone_problem_once(handler_input, current.partner, attributes)


def _choose_by_name(handler_input: HandlerInput, current: Turn, attributes: dict) -> None:
    """Take the named partner as the speaker for the session, then replay the request that was waiting."""
    chosen = speakers.pick_by_name(current.speaker.candidates, slot_value(handler_input, "name"))
    if chosen is None:
        return
    current.speaker = speakers.Speaker(chosen, current.speaker.candidates)
    waiting = attributes.pop("resume", None)
    if _is_resumable(waiting):
        # Rewriting the intent lets the normal dispatch answer what they first asked, as if asked now.
        slots = {name: Slot(name=name, value=value) for name, value in waiting.get("slots", {}).items()}
        handler_input.request_envelope.request.intent = Intent(
            name=waiting["intent"], slots=slots, confirmation_status=IntentConfirmationStatus.NONE)
        speech.add_notice(handler_input, speech.thanks(chosen.display_name))


def _is_resumable(waiting: object) -> bool:
    """Session attributes come back from the device: only a well-formed {intent, slots} is replayed."""
    return (isinstance(waiting, dict) and isinstance(waiting.get("intent"), str)
            and isinstance(waiting.get("slots", {}), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in waiting.get("slots", {}).items()))


def _tell_phone_problem_once(handler_input: HandlerInput, partner: Partner, attributes: dict) -> None:
    """A number that cannot receive texts is mentioned once in a session, before anything else."""
    if partner.phone_invalid and not attributes.get("told_phone"):
        attributes["told_phone"] = True
        speech.add_notice(handler_input, speech.PHONE_NOTICE)


class CommitInterceptor(AbstractResponseInterceptor):
    """Commits what the handler did; a failure here reaches the database error handler (and rolls back)."""

    def process(self, handler_input, response):
        turn(handler_input).db.commit()
