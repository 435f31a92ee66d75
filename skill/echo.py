"""The Alexa side of Echo reminders and of contact from the voice profile: the Reminders API and Person
Profile API calls made with the request's apiEndpoint and apiAccessToken, and the directives that ask for
their permissions by voice. Core keeps the rows and rules (core.services.echo_reminders); this module only
calls Alexa and reports what happened, so a handler can fall back to the text or the spoken number."""
from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.interfaces.connections.v1 import StartConnectionDirective

from core.db import hold_write_lock
from core.errors import InvalidInput
from core.models import Promise
from core.phones import normalize_phone
from core.services import echo_reminders
from core.words.times import describe_local
from skill import speech
from skill.alexa_api import api_host, reminder_body
from skill.interceptors import turn

REMINDERS = "alexa::alerts:reminders:skill:readwrite"
PROFILE = ("alexa::profile:given_name:read", "alexa::profile:mobile_number:read")
CONSENT_TASK = "connection://AMAZON.AskForPermissionsConsent/2"


def system(handler_input: HandlerInput):
    """context.System of the request."""
    return handler_input.request_envelope.context.system


def offered(handler_input: HandlerInput) -> bool:
    """Echo reminders are offered only when a change made by text can reach the Echo later (the skill's
    messaging credentials) and this request carries a token to call the Reminders API with."""
    settings = turn(handler_input).settings
    return bool(settings.alexa_client_id and settings.alexa_client_secret and system(handler_input).api_access_token)


def create(handler_input: HandlerInput, promise: Promise) -> str:
    """Create the promise's Echo reminder: created | refused (401/403: no permission) | failed (no answer in
    time, 5xx: the text stands) | too_soon."""
    current, sys = turn(handler_input), system(handler_input)
    if echo_reminders.has_echo_reminder(current.db, promise):
        return "created"  # Alexa sent this request again: one reminder, not two
    at = echo_reminders.echo_time(promise, current.now)
    if at is None:
        return "too_soon"
    words = speech.echo_reminder(promise.text, describe_local(promise.due_at, promise.timezone, at))
    body = reminder_body(words, at, promise.timezone, current.now, _locale(handler_input))
    hold_write_lock(current.db)  # a turn run twice must not create two reminders
    answer = current.settings_api.create_reminder(sys.api_endpoint, sys.api_access_token, body)
    alert = answer.body.get("alertToken") if answer.ok and isinstance(answer.body, dict) else None
    host = api_host(sys.api_endpoint, current.settings_api.api_url)
    if isinstance(alert, str) and 0 < len(alert) <= 255 and host:
        echo_reminders.record(current.db, promise, sys.user.user_id, host, alert, at, current.now)
        return "created"
    return "refused" if answer.refused else "failed"


def sync(handler_input: HandlerInput, limit: int = 10) -> int:
    """Apply this account's pending Echo reminder changes with this request's token; how many were done.
    A reminder Alexa no longer has (404) or may no longer touch (401/403) is let go: the texts stand in."""
    current, sys = turn(handler_input), system(handler_input)
    if not sys.api_access_token:
        return 0
    done = 0
    rows = echo_reminders.pending(current.db, sys.user.user_id, limit)
    if rows:
        hold_write_lock(current.db)  # what Alexa was told is then recorded, never lost to a rerun
    for row in rows:
        promise, at = echo_reminders.wanted(current.db, row, current.now)
        api = current.settings_api
        if promise is None:
            answer = api.delete_reminder(sys.api_endpoint, sys.api_access_token, row.alert_token)
        else:
            words = speech.echo_reminder(promise.text, describe_local(promise.due_at, promise.timezone, at))
            answer = api.update_reminder(sys.api_endpoint, sys.api_access_token, row.alert_token,
                                         reminder_body(words, at, promise.timezone, current.now, _locale(handler_input)))
        if answer.ok and promise is not None:
            echo_reminders.updated(current.db, row, promise, at, current.now)
        elif answer.ok or answer.status == 404 or answer.refused:
            echo_reminders.gone(current.db, row)
        else:
            continue  # no answer in time, or 5xx: the scheduler wakes the skill again later
        done += 1
    return done


def ask_reminder_permission(handler_input: HandlerInput, promise_id: int):
    """Connections.SendRequest AskFor the reminders permission; Alexa asks, we get Connections.Response."""
    handler_input.response_builder.add_directive(SendRequestDirective(name="AskFor", payload={
        "@type": "AskForPermissionsConsentRequest", "@version": "1", "permissionScope": REMINDERS},
        token=f"promise:{promise_id}"))
    return handler_input.response_builder.response


def profile_contact(handler_input: HandlerInput) -> tuple[str, str | None, str | None]:
    """The recognised speaker's given name and mobile number (E.164): (ok | refused | missing | failed, name,
    phone). Only for a recognised voice; nothing is kept unless the set-up goes on with it."""
    sys = system(handler_input)
    if not (sys.person and sys.person.person_id and sys.api_access_token):
        return "missing", None, None
    name_answer, phone_answer = turn(handler_input).settings_api.profile(sys.api_endpoint, sys.api_access_token)
    if name_answer.refused or phone_answer.refused:
        return "refused", None, None
    if phone_answer.status is None or (phone_answer.status >= 500):
        return "failed", None, None
    name = name_answer.body if name_answer.ok and isinstance(name_answer.body, str) else None
    return ("ok" if (phone := _phone(phone_answer)) else "missing"), name, phone


def _phone(answer) -> str | None:
    body = answer.body if answer.ok and isinstance(answer.body, dict) else {}
    code, number = body.get("countryCode"), body.get("phoneNumber")
    if not (isinstance(code, str) and isinstance(number, str)):
        return None
    try:
        return normalize_phone(code + number)
    except InvalidInput:
        return None


def ask_profile_consent(handler_input: HandlerInput):
    """Voice-forward consent (person level) for the given name and mobile number; SessionResumedRequest
    brings the outcome."""
    handler_input.response_builder.add_directive(StartConnectionDirective(uri=CONSENT_TASK, input={
        "@type": "AskForPermissionsConsentRequest", "@version": "2",
        "permissionScopes": [{"permissionScope": scope, "consentLevel": "PERSON"} for scope in PROFILE]},
        token="setup"))
    return handler_input.response_builder.response


def _locale(handler_input: HandlerInput) -> str:
    return getattr(handler_input.request_envelope.request, "locale", None) or "en-US"


class EchoSyncInterceptor(AbstractResponseInterceptor):
    """After any answer: one pending Echo reminder change of this account (a promise settled, moved or erased)
    is applied with this request's token; the rest wait for the scheduler's skill message."""

    def process(self, handler_input, response):
        if not is_request_type("Messaging.MessageReceived")(handler_input):
            sync(handler_input, limit=1)
