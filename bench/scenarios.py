"""What the bench sends: each scenario makes one fresh request at a time and knows how to judge its answer."""
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

from bench.seed import Couple
from bench.traffic import (alexa_envelope, answer_request, launch_request, request_id, signed_alexa_post,
                           twilio_inbound)
from devkit.certs import AlexaSigner

SAYINGS = ["I felt closest to you when we cooked dinner together",
           "the moment I noticed was when you listened without fixing anything",
           "honestly I was tired today but your text at lunch helped"]


@dataclass(frozen=True)
class Scenario:
    """A named kind of request to one server ("app" or "baseline").

    `build()` returns (raw request, check-in source id or ""); `check(body)` says whether a 200 is right;
    `channel` is the check-in channel it stores (None when it stores nothing); `baseline` names the
    scenario its ratios are taken against, `floor` the minimal correct handler a write is compared with."""

    name: str
    server: str
    build: Callable[[], tuple[bytes, str]]
    check: Callable[[bytes], bool]
    channel: str | None = None
    baseline: str | None = None
    floor: str | None = None  # the minimal correct handler doing the same write, for writes


def alexa_says(*expected: bytes) -> Callable[[bytes], bool]:
    """A check: a response envelope with speech, not the apology, containing every `expected` phrase."""
    def check(body: bytes) -> bool:
        try:
            speech = json.dumps(json.loads(body)["response"]["outputSpeech"]).encode()
        except (ValueError, KeyError, TypeError):
            return False
        return b"something went wrong" not in speech and all(e in speech for e in expected)
    return check


def twiml_says(*expected: bytes) -> Callable[[bytes], bool]:
    """A check: a TwiML document containing every `expected` phrase."""
    def check(body: bytes) -> bool:
        return body.lstrip().startswith(b"<?xml") and b"<Response" in body and all(e in body for e in expected)
    return check


def plan(ca: AlexaSigner, couples: list[Couple], api_endpoint: str, twilio: tuple[str, str]) -> list[Scenario]:
    """The scenarios in the order they run at each level: each baseline just before what it is compared with.
    Successive requests take the couples in turn; `twilio` is (account SID, auth token)."""
    sayings, speakers, texters = itertools.cycle(SAYINGS), itertools.cycle(couples), itertools.cycle(couples)

    def signed(request: dict) -> bytes:
        return signed_alexa_post(ca, alexa_envelope(request, api_endpoint, next(speakers).alexa_user_id))

    def launch() -> tuple[bytes, str]:
        return signed(launch_request()), ""

    def answer() -> tuple[bytes, str]:
        raw = signed(answer_request(next(sayings)))
        return raw, "alexa:" + request_id(raw)  # the skill keys a voice check-in by its Alexa request id

    def text() -> tuple[bytes, str]:
        return twilio_inbound(next(texters).texting_phone, next(sayings), *twilio)

    def bare_text() -> tuple[bytes, str]:
        return twilio_inbound(couples[0].texting_phone, next(sayings), *twilio)[0], ""

    def minimal_answer() -> tuple[bytes, str]:
        body = alexa_envelope(answer_request(next(sayings)), api_endpoint, next(speakers).alexa_user_id)
        return signed_alexa_post(ca, body, "/minimal/alexa"), ""

    def minimal_text() -> tuple[bytes, str]:
        return twilio_inbound(next(texters).texting_phone, next(sayings), *twilio, path="/minimal/sms")[0], ""

    return [
        Scenario("alexa-hello (base)", "baseline", launch, alexa_says(b"hello")),
        Scenario("alexa-launch", "app", launch, alexa_says(), baseline="alexa-hello (base)"),
        Scenario("alexa-minimal (base)", "baseline", minimal_answer, alexa_says(b"saved your answer")),
        Scenario("alexa-checkin", "app", answer, alexa_says(b"saved your answer"), "voice", "alexa-hello (base)",
                 "alexa-minimal (base)"),
        Scenario("twiml (base)", "baseline", bare_text, twiml_says()),
        Scenario("sms-minimal (base)", "baseline", minimal_text, twiml_says(b"Thank you for sharing")),
        Scenario("sms-checkin", "app", text, twiml_says(b"Thank you for sharing"), "sms", "twiml (base)",
                 "sms-minimal (base)"),
    ]
