"""The simulated phone: a typed text becomes the signed webhook Twilio would post to /sms/inbound, and the
TwiML reply becomes the text the partner would receive."""
import secrets
from collections.abc import Callable
from xml.etree import ElementTree

from console.signer import twilio_headers

INBOUND_PATH = "/sms/inbound"
ACCOUNT_SID = "AC" + "c0" * 16  # the console's pretend Twilio account
#: Where Twilio says the numbers are (it always sends these, blank when it does not know).
GEO = {"City": "SAN FRANCISCO", "State": "CA", "Zip": "94105", "Country": "US"}


def inbound_form(sender: str, number: str, body: str) -> dict[str, str]:
    """The form fields of Twilio's incoming-message webhook, as Twilio sends them for a plain SMS."""
    sid = "SM" + secrets.token_hex(16)
    form = {"ToCountry": GEO["Country"], "ToState": GEO["State"], "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": GEO["City"], "FromZip": GEO["Zip"], "SmsSid": sid, "FromState": GEO["State"],
            "SmsStatus": "received", "FromCity": GEO["City"], "Body": body, "FromCountry": GEO["Country"],
            "To": number, "ToZip": GEO["Zip"], "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
            "AccountSid": ACCOUNT_SID, "From": sender, "ApiVersion": "2010-04-01"}
    return form


class Phone:
    """Texts the Trust Builder number from a partner's phone."""

    def __init__(self, post: Callable[[dict, dict], tuple[int, bytes]], auth_token: str, public_base_url: str,
                 number: str):
        self.post, self.auth_token, self.number = post, auth_token, number
        self.url = public_base_url.rstrip("/") + INBOUND_PATH

    def text(self, sender: str, body: str) -> tuple[list[str], str | None]:
        """Send `body` from `sender`; returns (the reply texts, an error or None)."""
        form = inbound_form(sender, self.number, body)
        status, answer = self.post(form, twilio_headers(self.auth_token, self.url, form))
        if status != 200:
            return [], f"HTTP {status}: {answer.decode('utf-8', 'replace')[:300]}"
        try:
            return twiml_messages(answer), None
        except ElementTree.ParseError:
            return [], f"the reply is not TwiML: {answer[:200]!r}"


def twiml_messages(twiml: bytes) -> list[str]:
    """The text of each <Message> in a TwiML <Response> (none for an empty reply)."""
    root = ElementTree.fromstring(twiml)
    messages = []
    for message in root.iter("Message"):
        body = message.find("Body")
        messages.append("".join((body if body is not None else message).itertext()).strip())
    return messages
