"""The form fields of Twilio's webhooks, read and checked once the signature holds (sms.security): a missing or
malformed field gets 400, never 500."""
import re
from dataclasses import dataclass

from flask import abort

from core.errors import InvalidInput
from core.phones import normalize_phone

MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}", re.IGNORECASE)
STATUS = re.compile(r"[a-z_]{1,24}")
ERROR_CODE = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class InboundText:
    """A text as Twilio posted it: its MessageSid, the sender's E.164 number and the body."""

    sid: str
    phone: str
    body: str


@dataclass(frozen=True)
class StatusReport:
    """A delivery status callback: which text, its new state and Twilio's error code if any."""

    sid: str
    status: str
    error_code: int | None


def parse_inbound(form) -> InboundText:
    """MessageSid, From (as E.164) and Body (may be empty, e.g. a photo); 400 when any is missing or bad."""
    sid, phone, body = form.get("MessageSid", ""), form.get("From", ""), form.get("Body")
    if not MESSAGE_SID.fullmatch(sid) or body is None:
        abort(400, "MessageSid, From and Body are required")
    try:
        return InboundText(sid, normalize_phone(phone), body)
    except InvalidInput:
        abort(400, "From is not a phone number")


def parse_status(form) -> StatusReport:
    """MessageSid, MessageStatus and the optional ErrorCode of a status callback; 400 when malformed."""
    sid, status, code = form.get("MessageSid", ""), form.get("MessageStatus", ""), form.get("ErrorCode", "")
    if not MESSAGE_SID.fullmatch(sid) or not STATUS.fullmatch(status) or code and not ERROR_CODE.fullmatch(code):
        abort(400, "MessageSid and MessageStatus are required; ErrorCode is a number")
    return StatusReport(sid, status, int(code) if code else None)
