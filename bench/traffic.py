"""The bench's requests, prepared before each run: Alexa envelopes signed by a throwaway CA that the served
apps are told to trust, and Twilio webhook forms signed with the auth token over PUBLIC_BASE_URL."""
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from twilio.request_validator import RequestValidator

from bench.benchapp import CERT_URL, CHAIN_FILE, ROOT_FILE
from devkit.certs import make_chain

SKILL_ID = "amzn1.ask.skill.0b3e7c1e-5a1d-4c2e-9f00-00000000b3c4"
ALEXA_USER = "amzn1.ask.account.BENCHUSER"
DEVICE_ID = "amzn1.ask.device.BENCHDEVICE"
PUBLIC_BASE_URL = "https://trustbuilder.bench.test"  # only signed over, never contacted
OUR_NUMBER = "+15555550100"


class BenchCA:
    """A root, an intermediate and an echo-api.amazon.com leaf valid around now; signs request bodies."""

    def __init__(self):
        now = datetime.now(timezone.utc)
        self.chain = make_chain(now - timedelta(hours=1), now + timedelta(days=1))

    def write(self, ca_dir: Path) -> Path:
        """Save the root (to trust) and the chain (what the SignatureCertChainUrl serves) under `ca_dir`."""
        ca_dir.mkdir(parents=True, exist_ok=True)
        (ca_dir / ROOT_FILE).write_bytes(self.chain.root.public_bytes(serialization.Encoding.PEM))
        (ca_dir / CHAIN_FILE).write_bytes(self.chain.pem())
        return ca_dir

    def signed_post(self, body: bytes) -> bytes:
        """A raw POST /alexa carrying Alexa's two signature headers."""
        return http_post("/alexa", body, "application/json; charset=utf-8",
                         {"SignatureCertChainUrl": CERT_URL, "Signature-256": self.chain.sign(body)})


def http_post(path: str, body: bytes, content_type: str, headers: dict[str, str]) -> bytes:
    """An HTTP/1.1 keep-alive POST as bytes on the wire."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: trustbuilder-bench",
             f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def alexa_envelope(request: dict, api_endpoint: str, user_id: str = ALEXA_USER) -> bytes:
    """A one-shot ("Alexa, ask Trust Builder ...") envelope around `request`, stamped now."""
    request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "locale": "en-US",
               "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **request}
    application, user = {"applicationId": SKILL_ID}, {"userId": user_id}
    system = {"application": application, "user": user, "apiEndpoint": api_endpoint,
              "apiAccessToken": "bench-token", "device": {"deviceId": DEVICE_ID, "supportedInterfaces": {}}}
    envelope = {"version": "1.0", "context": {"System": system}, "request": request,
                "session": {"new": True, "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
                            "application": application, "user": user, "attributes": {}}}
    return json.dumps(envelope).encode()


def launch_request() -> dict:
    """"Alexa, open Trust Builder"."""
    return {"type": "LaunchRequest"}


def answer_request(text: str) -> dict:
    """"Alexa, tell Trust Builder my answer is <text>"."""
    slot = {"name": "answer", "value": text, "confirmationStatus": "NONE", "source": "USER"}
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": "AnswerIntent", "confirmationStatus": "NONE", "slots": {"answer": slot}}}


def request_id(raw: bytes) -> str:
    """The requestId inside a prepared Alexa request (the check-in's source id)."""
    return json.loads(raw.partition(b"\r\n\r\n")[2])["request"]["requestId"]


def twilio_inbound(sender: str, text: str, account_sid: str, token: str) -> tuple[bytes, str]:
    """A raw POST /sms/inbound as Twilio sends it, signed over PUBLIC_BASE_URL; returns (request, MessageSid)."""
    sid = "SM" + uuid.uuid4().hex
    form = {"ToCountry": "US", "ToState": "NY", "SmsMessageSid": sid, "NumMedia": "0", "FromCountry": "US",
            "SmsSid": sid, "SmsStatus": "received", "Body": text, "To": OUR_NUMBER, "NumSegments": "1",
            "MessageSid": sid, "AccountSid": account_sid, "From": sender, "ApiVersion": "2010-04-01"}
    signature = RequestValidator(token).compute_signature(PUBLIC_BASE_URL + "/sms/inbound", form)
    raw = http_post("/sms/inbound", urlencode(form).encode(), "application/x-www-form-urlencoded",
                    {"X-Twilio-Signature": signature})
    return raw, sid
