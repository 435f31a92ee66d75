"""What Twilio sends and reads: the incoming-message webhook form, its X-Twilio-Signature, and TwiML replies."""
import uuid
from urllib.parse import urlencode
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "c0" * 16  # a pretend Twilio account
#: Where Twilio says the numbers are (it always sends these fields, blank when it does not know).
GEO = {"City": "SAN FRANCISCO", "State": "CA", "Zip": "94105", "Country": "US"}


def new_sid() -> str:
    """A fresh MessageSid in Twilio's format (random, so a reopened database never sees one twice)."""
    return "SM" + uuid.uuid4().hex


def inbound_form(sender: str, to: str, body: str, sid: str | None = None,
                 account_sid: str = ACCOUNT_SID) -> dict[str, str]:
    """The fields of Twilio's incoming-message webhook for a plain SMS from `sender` to our number `to`."""
    sid = sid or new_sid()
    return {"ToCountry": GEO["Country"], "ToState": GEO["State"], "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": GEO["City"], "FromZip": GEO["Zip"], "SmsSid": sid, "FromState": GEO["State"],
            "SmsStatus": "received", "FromCity": GEO["City"], "Body": body, "FromCountry": GEO["Country"],
            "To": to, "ToZip": GEO["Zip"], "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
            "AccountSid": account_sid, "From": sender, "ApiVersion": "2010-04-01"}


def signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio computes with the auth token over the public URL and the form."""
    return RequestValidator(auth_token).compute_signature(url, form)


def signed_headers(auth_token: str, url: str, form: dict[str, str]) -> dict[str, str]:
    """The headers of a webhook Twilio posts: its signature over `form` posted to `url`."""
    return {"X-Twilio-Signature": signature(auth_token, url, form)}


def encoded(form: dict[str, str]) -> bytes:
    """The form as the request body Twilio posts (application/x-www-form-urlencoded)."""
    return urlencode(form).encode()


def twiml_messages(twiml: bytes) -> list[str]:
    """The text of each <Message> in a TwiML <Response> (none for an empty reply); ParseError when not XML."""
    root = ElementTree.fromstring(twiml)
    messages = []
    for message in root.iter("Message"):
        body = message.find("Body")
        messages.append("".join((body if body is not None else message).itertext()).strip())
    return messages
