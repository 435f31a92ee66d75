"""The bench's requests, prepared before each run: Alexa envelopes signed by a throwaway CA that the served
apps are told to trust, and Twilio webhook forms signed with the auth token over PUBLIC_BASE_URL."""
import json
from datetime import datetime, timedelta, timezone

from bench.benchapp import CERT_URL
from devkit import alexa, twilio
from devkit.certs import AlexaSigner
from devkit.signed_client import SignedClient

SKILL_ID = "amzn1.ask.skill.0b3e7c1e-5a1d-4c2e-9f00-00000000b3c4"
ALEXA_USER = "amzn1.ask.account.BENCHUSER"
DEVICE_ID = "amzn1.ask.device.BENCHDEVICE"
PUBLIC_BASE_URL = "https://trustbuilder.bench.test"  # only signed over, never contacted
OUR_NUMBER = "+15555550100"


def bench_ca() -> AlexaSigner:
    """A root, an intermediate and an echo-api.amazon.com leaf valid around now (`.write(folder)` saves them
    for the servers, `.headers(body)` signs)."""
    return AlexaSigner.around(datetime.now(timezone.utc), CERT_URL, before=timedelta(hours=1), after=timedelta(days=1))


def signed_alexa_post(ca: AlexaSigner, body: bytes, path: str = "/alexa") -> bytes:
    """A raw POST /alexa (or `path`) carrying Alexa's two signature headers."""
    headers = ca.headers(body)
    return http_post(path, body, headers.pop("Content-Type"), headers)


def http_post(path: str, body: bytes, content_type: str, headers: dict[str, str]) -> bytes:
    """An HTTP/1.1 keep-alive POST as bytes on the wire."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: trustbuilder-bench",
             f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def signed_client(app, ca: AlexaSigner, api_endpoint: str, account_sid: str, token: str) -> SignedClient:
    """The app's test client posting as the bench's Echo (skill, device, Alexa API at `api_endpoint`) and as
    Twilio for our number (signed with `token` over PUBLIC_BASE_URL)."""
    device = alexa.Device(SKILL_ID, ALEXA_USER, DEVICE_ID, api_endpoint, "bench-token")
    return SignedClient(app.test_client(), ca, device, account_sid, token, PUBLIC_BASE_URL, OUR_NUMBER)


def alexa_envelope(request: dict, api_endpoint: str, user_id: str = ALEXA_USER) -> bytes:
    """A one-shot ("Alexa, ask Trust Builder ...") envelope around `request`, in a new session."""
    device = alexa.Device(SKILL_ID, user_id, DEVICE_ID, api_endpoint, "bench-token")
    return json.dumps(alexa.envelope(request, device, session=alexa.AlexaSession())).encode()


def launch_request() -> dict:
    """"Alexa, open Trust Builder", stamped now."""
    return alexa.launch_request(datetime.now(timezone.utc))


def answer_request(text: str) -> dict:
    """"Alexa, tell Trust Builder my answer is <text>", stamped now."""
    return alexa.intent_request("AnswerIntent", datetime.now(timezone.utc), {"answer": text}, "COMPLETED")


def request_id(raw: bytes) -> str:
    """The requestId inside a prepared Alexa request (the check-in's source id)."""
    return json.loads(raw.partition(b"\r\n\r\n")[2])["request"]["requestId"]


def twilio_inbound(sender: str, text: str, account_sid: str, token: str,
                   path: str = "/sms/inbound") -> tuple[bytes, str]:
    """A raw POST /sms/inbound as Twilio sends it, signed over PUBLIC_BASE_URL + /sms/inbound (sent to
    `path`); returns (request, MessageSid)."""
    form = twilio.inbound_form(sender, OUR_NUMBER, text, account_sid=account_sid)
    raw = http_post(path, twilio.encoded(form), "application/x-www-form-urlencoded",
                    twilio.signed_headers(token, PUBLIC_BASE_URL + "/sms/inbound", form))
    return raw, form["MessageSid"]
