"""Alexa request envelopes, shaped like the ones the Alexa service posts to a skill's endpoint.

    device = Device(skill_id, user_id, device_id, api_endpoint, api_access_token)
    body = envelope(intent_request("AnswerIntent", now, {"answer": "I felt heard"}), device, session=AlexaSession())
"""
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

LOCALE = "en-US"


@dataclass(frozen=True)
class Device:
    """One Echo: the account on it, the device, and where the Alexa APIs answer."""

    skill_id: str
    user_id: str
    device_id: str
    api_endpoint: str
    api_access_token: str


@dataclass
class AlexaSession:
    """The conversation Alexa keeps between turns: id, new flag and the skill's session attributes."""

    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    new: bool = True
    attributes: dict = field(default_factory=dict)


def request_id() -> str:
    """A fresh Alexa request id."""
    return f"amzn1.echo-api.request.{uuid.uuid4()}"


def timestamp(now: datetime) -> str:
    """Alexa's request timestamp: UTC, whole seconds, with a Z (a naive `now` is taken as UTC)."""
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_request(now: datetime, rid: str | None = None) -> dict:
    """The request part of "Alexa, open <skill>"."""
    return {"type": "LaunchRequest", "requestId": rid or request_id(), "timestamp": timestamp(now), "locale": LOCALE}


def intent_request(name: str, now: datetime, slots: dict | None = None, dialog_state: str | None = None,
                   rid: str | None = None, confirmation: str = "NONE") -> dict:
    """An IntentRequest. `slots` maps a slot's name to its value (None: not filled) or to a whole slot object
    (see `slot`); Alexa sends a dialogState only for intents that have a dialog model."""
    objects = {key: value if isinstance(value, dict) else slot(key, value) for key, value in (slots or {}).items()}
    request = {"type": "IntentRequest", "requestId": rid or request_id(), "timestamp": timestamp(now),
               "locale": LOCALE, "intent": {"name": name, "confirmationStatus": confirmation, "slots": objects}}
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


def session_ended_request(now: datetime, reason: str = "USER_INITIATED", rid: str | None = None) -> dict:
    """What Alexa sends when a session closes without the skill ending it."""
    return {"type": "SessionEndedRequest", "requestId": rid or request_id(), "timestamp": timestamp(now),
            "locale": LOCALE, "reason": reason}


def slot(name: str, value: str | None = None, resolution: dict | None = None, confirmation: str = "NONE") -> dict:
    """One slot as Alexa sends it: an unfilled slot has no value; a filled one also carries `slotValue`."""
    body = {"name": name, "confirmationStatus": confirmation, "source": "USER"}
    if value is None:
        return body
    body.update(value=value, slotValue={"type": "Simple", "value": value})
    if resolution:
        body["resolutions"] = {"resolutionsPerAuthority": [resolution]}
    return body


def custom_resolution(skill_id: str, slot_type: str, value: str, values: list[dict]) -> dict:
    """Entity resolution for a custom slot type: ER_SUCCESS_MATCH when `value` is a listed value or synonym."""
    authority = f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}"
    wanted = value.lower()
    for entry in values:
        name = entry["name"]
        if wanted in [name["value"].lower(), *(s.lower() for s in name.get("synonyms", []))]:
            found = {"value": {"name": name["value"], "id": entry.get("id") or name["value"]}}
            return {"authority": authority, "status": {"code": "ER_SUCCESS_MATCH"}, "values": [found]}
    return {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}


def connections_response(now: datetime, status: str = "ACCEPTED", token: str = "", name: str = "AskFor",
                         code: str = "200", rid: str | None = None) -> dict:
    """What Alexa sends after a Connections.SendRequest (AskFor a permission): the person's answer (ACCEPTED,
    DENIED or NOT_ANSWERED) and the token we sent."""
    return {"type": "Connections.Response", "requestId": rid or request_id(), "timestamp": timestamp(now),
            "locale": LOCALE, "status": {"code": code, "message": "OK" if code == "200" else "Error"}, "name": name,
            "payload": {"permissionScope": "alexa::alerts:reminders:skill:readwrite", "status": status},
            "token": token}


def session_resumed_request(now: datetime, token: str, result: object = None, code: str = "200",
                            rid: str | None = None) -> dict:
    """What Alexa sends after Connections.StartConnection (voice-forward consent): the task's result."""
    return {"type": "SessionResumedRequest", "requestId": rid or request_id(), "timestamp": timestamp(now),
            "locale": LOCALE, "cause": {"type": "ConnectionCompleted", "token": token,
                                        "status": {"code": code, "message": "OK" if code == "200" else "Error"},
                                        "result": result}}


def consent_result(*scopes: str, status: str = "GRANTED") -> dict:
    """A voice-forward consent result granting (or denying) each permission scope."""
    return {"permissionScopes": [{"permissionScope": scope, "consentLevel": "PERSON", "permissionStatus": status}
                                 for scope in scopes]}


def user_event(now: datetime, *arguments, token: str = "trustbuilder-home", rid: str | None = None) -> dict:
    """A touch on an APL document: Alexa.Presentation.APL.UserEvent with the SendEvent's arguments."""
    return {"type": "Alexa.Presentation.APL.UserEvent", "requestId": rid or request_id(), "timestamp": timestamp(now),
            "locale": LOCALE, "token": token, "arguments": list(arguments),
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""}}


def message_received(now: datetime, message: dict | None = None, rid: str | None = None) -> dict:
    """A skill message arriving (Skill Messaging API): Messaging.MessageReceived, outside any session."""
    return {"type": "Messaging.MessageReceived", "requestId": rid or request_id(), "timestamp": timestamp(now),
            "locale": LOCALE, "message": dict(message or {})}


#: What an Echo Show declares in context.System.device.supportedInterfaces.
APL_INTERFACE = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}


def envelope(request: dict, device: Device, person_id: str | None = None, session: AlexaSession | None = None,
             screen: bool = False, consent_token: str | None = None) -> dict:
    """The whole envelope: version, session (absent outside one), context.System (with the speaker's person id
    when a voice profile was recognised; APL among the device's interfaces for a screen; the user's consent
    token once they granted a permission; no apiAccessToken when the device has none) and the request."""
    application = {"applicationId": device.skill_id}
    user = {"userId": device.user_id}
    if consent_token:
        user["permissions"] = {"consentToken": consent_token}
    system = {"application": application, "user": user,
              "device": {"deviceId": device.device_id, "supportedInterfaces": dict(APL_INTERFACE) if screen else {}},
              "apiEndpoint": device.api_endpoint}
    if device.api_access_token:
        system["apiAccessToken"] = device.api_access_token
    if person_id:
        system["person"] = {"personId": person_id}
    body = {"version": "1.0", "context": {"System": system}, "request": request}
    if session is not None:
        body["session"] = {"new": session.new, "sessionId": session.session_id, "application": application,
                           "attributes": dict(session.attributes), "user": user}
    return body
