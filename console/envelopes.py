"""Alexa request envelopes, shaped like the ones the Alexa service posts to a skill's endpoint."""
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

LOCALE = "en-US"


@dataclass(frozen=True)
class Device:
    """One Echo in the console: the account on it, the device, and where the Alexa APIs answer."""

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
    """Alexa's request timestamp: UTC, whole seconds, with a Z."""
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_request(now: datetime) -> dict:
    """The request part of "Alexa, open <skill>"."""
    return {"type": "LaunchRequest", "requestId": request_id(), "timestamp": timestamp(now), "locale": LOCALE}


def intent_request(now: datetime, intent: str, slots: dict[str, dict], dialog_state: str | None = None,
                   confirmation: str = "NONE") -> dict:
    """The request part of an IntentRequest with its slot objects (see `slot`); Alexa sends a
    dialogState only for intents that have a dialog model."""
    request = {"type": "IntentRequest", "requestId": request_id(), "timestamp": timestamp(now), "locale": LOCALE,
               "intent": {"name": intent, "confirmationStatus": confirmation, "slots": slots}}
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


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


def envelope(device: Device, person_id: str | None, session: AlexaSession | None, request: dict) -> dict:
    """The whole envelope: version, session (absent outside one), context.System and the request."""
    application = {"applicationId": device.skill_id}
    user = {"userId": device.user_id}
    system = {"application": application, "user": user,
              "device": {"deviceId": device.device_id, "supportedInterfaces": {}},
              "apiEndpoint": device.api_endpoint, "apiAccessToken": device.api_access_token}
    if person_id:
        system["person"] = {"personId": person_id}
    body = {"version": "1.0", "context": {"System": system}, "request": request}
    if session is not None:
        body["session"] = {"new": session.new, "sessionId": session.session_id, "application": application,
                           "attributes": dict(session.attributes), "user": user}
    return body
