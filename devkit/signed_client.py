"""Signed requests to the real app in process, through Flask's test client, as Alexa and Twilio post them.

    poster = SignedClient(app.test_client(), signer, device, twilio_sid, twilio_token, public_base_url, our_number)
    poster.alexa(alexa.launch_request(now), user_id)        # a one-shot envelope, signed by `signer`
    poster.sms("+14155550100", "I felt heard")               # Twilio's inbound webhook, X-Twilio-Signature over
                                                             # public_base_url + /sms/inbound

Used by the benches that drive the app in process (bench/profile_web.py, bench/scale.py)."""
import json
from dataclasses import dataclass, replace

from devkit import alexa, twilio
from devkit.certs import AlexaSigner


@dataclass
class SignedClient:
    """A Flask test client that signs what it posts: Alexa envelopes with a throwaway chain the app trusts
    (`signer`), Twilio webhooks with the account's auth token."""

    client: object  # flask.testing.FlaskClient
    signer: AlexaSigner
    device: alexa.Device  # whose user_id is replaced by each call's
    twilio_account_sid: str
    twilio_auth_token: str
    public_base_url: str
    our_number: str

    def alexa(self, request: dict, user_id: str, path: str = "/alexa"):
        """POST `request` in a new session's envelope for `user_id`, with Alexa's signature headers."""
        device = replace(self.device, user_id=user_id)
        body = json.dumps(alexa.envelope(request, device, session=alexa.AlexaSession())).encode()
        return self.client.post(path, data=body, headers=self.signer.headers(body))

    def sms(self, sender: str, text: str, path: str = "/sms/inbound"):
        """POST Twilio's incoming-message webhook for a text from `sender`, signed over PUBLIC_BASE_URL + path."""
        form = twilio.inbound_form(sender, self.our_number, text, account_sid=self.twilio_account_sid)
        headers = twilio.signed_headers(self.twilio_auth_token, self.public_base_url + path, form)
        return self.client.post(path, data=twilio.encoded(form), headers=headers,
                                content_type="application/x-www-form-urlencoded")
