"""The simulated phone: a typed text becomes the signed webhook Twilio would post to /sms/inbound, and the
TwiML reply becomes the text the partner would receive."""
from collections.abc import Callable
from xml.etree import ElementTree

from devkit import twilio

INBOUND_PATH = "/sms/inbound"


class Phone:
    """Texts the Trust Builder number from a partner's phone."""

    def __init__(self, post: Callable[[dict, dict], tuple[int, bytes]], auth_token: str, public_base_url: str,
                 number: str):
        self.post, self.auth_token, self.number = post, auth_token, number
        self.url = public_base_url.rstrip("/") + INBOUND_PATH

    def text(self, sender: str, body: str) -> tuple[list[str], str | None]:
        """Send `body` from `sender`; returns (the reply texts, an error or None)."""
        form = twilio.inbound_form(sender, self.number, body)
        status, answer = self.post(form, twilio.signed_headers(self.auth_token, self.url, form))
        if status != 200:
            return [], f"HTTP {status}: {answer.decode('utf-8', 'replace')[:300]}"
        try:
            return twilio.twiml_messages(answer), None
        except ElementTree.ParseError:
            return [], f"the reply is not TwiML: {answer[:200]!r}"
