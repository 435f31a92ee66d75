"""10,000 fuzzed Alexa envelopes with verification off (the development setting, so the handlers are reached),
and a smaller batch signed by the test CA with verification on: never a 5xx, never a traceback in the body,
every 200 a valid Alexa response, and afterwards a consistent database (every check-in and promise belongs to
a partner of its couple and to a request that was answered as saved).

A handler that crashes is answered by the catch-all apology, which is a valid response; those crashes are
collected from the log and must be "no handler for this request type" or one of the reported bugs pinned in
test_fuzz_findings.py (KNOWN_BUGS)."""
import json
import logging
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app import create_app
from core.models import CheckIn, OutboundMessage, Partner, Promise
from core.runtime import open_runtime
from devkit.certs import days_around, make_chain, root_ca
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from skill.alexa_api import SettingsApi
from skill.speech import MAX_SSML
from tests.conftest import make_settings
from tests.faults.conftest import ALEX, SAM, leaks_traceback, no_fsync, report, table_counts
from tests.faults.fuzz import Fuzzer
from tests.skill.envelopes import SKILL_ID, USER_ID
from tests.sms.conftest import BASE_URL, OUR_NUMBER, TOKEN

pytestmark = pytest.mark.faults

SQLITE_COUNT, POSTGRES_COUNT, SIGNED_COUNT = 10_000, 1_000, 400
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
SAVED = ("I've saved your answer", "I've noted a")
ROOT = Path(__file__).resolve().parents[2]
# A request type no handler takes: the catch-all answers it, as designed.
EXPECTED_CRASHES = {"DispatchException@dispatch.py:__dispatch_request"}
# Reported bugs, each pinned by a strict xfail in test_fuzz_findings.py; remove the entry with the fix.
KNOWN_BUGS: dict[str, str] = {}  # "Type@file:function" -> example, for a crash found and not yet fixed


class Crashes(logging.Handler):
    """Collects the exceptions the skill's exception handlers caught, as "Type@file:function" of the innermost
    frame of our own code (a library frame when none is ours), with one example message."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.seen: Counter = Counter()
        self.examples: dict[str, str] = {}

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            key = f"{type(error).__name__}@{_innermost(error)}"
            self.seen[key] += 1
            self.examples.setdefault(key, f"{error!s:.160}")

    def unexpected(self) -> dict[str, str]:
        """Crashes that are neither "no handler for this request type" nor a known, reported bug."""
        return {k: v for k, v in self.examples.items() if k not in EXPECTED_CRASHES | set(KNOWN_BUGS)}


def _innermost(error: BaseException) -> str:
    """file:function of the innermost frame in our code (the library file's name when none is ours)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "site-packages" not in f.filename and f.filename.startswith(str(ROOT))]
    if ours:
        return f"{Path(ours[-1].filename).relative_to(ROOT)}:{ours[-1].name}"
    return f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"


@pytest.fixture
def crashes():
    handler, logger = Crashes(), logging.getLogger("trustbuilder.alexa")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def zones(*_args, **_kwargs):
    raise requests.ConnectionError("no Settings API in these tests")


def check_response(response) -> str:
    """Fail unless the answer is a 4xx refusal or a valid Alexa response; return what it said."""
    assert response.status_code in (200, 400, 413), response.status_code
    assert not leaks_traceback(response.data), response.data[:500]
    body = response.get_json()
    if response.status_code != 200:
        return ""
    assert body["version"] == "1.0" and isinstance(body["response"], dict)
    answer = body["response"]
    assert set(body) <= {"version", "response", "sessionAttributes", "userAgent"}
    for speech in (answer.get("outputSpeech"), (answer.get("reprompt") or {}).get("outputSpeech")):
        if speech is not None:
            assert speech["type"] == "SSML" and speech["ssml"].startswith("<speak>"), speech
            assert len(speech["ssml"]) <= MAX_SSML + len("<speak></speak>")
    assert isinstance(answer.get("shouldEndSession", True), bool)
    assert isinstance(body.get("sessionAttributes", {}), dict)
    json.dumps(body, allow_nan=False)  # what Alexa can parse: no NaN, no Infinity
    return (answer.get("outputSpeech") or {}).get("ssml", "")


def assert_consistent(look, saved_request_ids: set[str], promised_request_ids: set[str]) -> None:
    """Every stored row belongs where it should, and counts match what was said."""
    look.rollback()
    partners = {p.id: p for p in look.scalars(select(Partner))}
    check_ins = look.scalars(select(CheckIn)).all()
    assert all(c.partner_id in partners and partners[c.partner_id].couple_id == c.couple_id for c in check_ins)
    assert {c.source_id for c in check_ins} == {f"alexa:{rid}" for rid in saved_request_ids}
    promises = look.scalars(select(Promise)).all()
    assert all(p.promiser_id in partners for p in promises)
    assert {p.source_id for p in promises} <= {f"alexa:{rid}" for rid in promised_request_ids}
    for text in look.scalars(select(OutboundMessage)):
        assert text.partner_id in partners and partners[text.partner_id].phone == text.to_phone


def fuzz(client, clock, fuzzer: Fuzzer, count: int, sign=None) -> tuple[set, set, Counter]:
    """Post `count` hostile requests; returns the request ids answered as saved, all ids, and status counts."""
    saved, answered, statuses, previous = set(), set(), Counter(), None
    for n in range(count):
        if n % 50 == 0:
            clock.advance(minutes=37)  # days roll over: new questions, due promises, expired codes
        roll = fuzzer.rnd.random()
        if roll < 0.05:
            body = fuzzer.raw_body(clock())
        else:
            envelope = fuzzer.twin(previous) if previous and roll < 0.08 else fuzzer.envelope(clock())
            previous, body = envelope, json.dumps(envelope).encode()
        headers = sign(body) if sign else {}
        response = client.post("/alexa", data=body, content_type="application/json", headers=headers)
        said, statuses[response.status_code] = check_response(response), statuses[response.status_code] + 1
        rid = _request_id(body)
        if response.status_code == 200 and rid:
            answered.add(rid)
            if any(word in said for word in SAVED):
                saved.add(rid)
    return saved, answered, statuses


def _request_id(body: bytes) -> str | None:
    try:
        return json.loads(body)["request"]["requestId"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def test_ten_thousand_fuzzed_envelopes_never_break_the_skill(runtime, couple, clock, look, crashes):
    no_fsync(runtime.engine)
    client = create_app(runtime=runtime, skill_options={"settings_api": SettingsApi(get=zones)}).test_client()
    count = SQLITE_COUNT if runtime.engine.dialect.name == "sqlite" else POSTGRES_COUNT

    started = time.monotonic()
    saved, answered, statuses = fuzz(client, clock, Fuzzer(2026), count)

    report(f"[alexa fuzz / {runtime.engine.dialect.name}] {count} envelopes in {time.monotonic() - started:.1f} s: "
           f"{dict(statuses)}; {len(saved)} saved; caught by the catch-all: {dict(crashes.seen)}")
    assert statuses[200] > count / 3 and statuses[400] > count / 10  # the fuzz reached handlers and gates
    assert crashes.unexpected() == {}
    assert_consistent(look, saved, answered)
    assert table_counts(look)["check_in"] == len(saved)


@pytest.fixture
def signed_app(tmp_path, clock):
    """Verification ON with the test CA trusted (the chain served for any URL); SQLite only, since this batch
    is about the verifier in front of the same handlers."""
    settings = make_settings(tmp_path, alexa_verify="true", alexa_skill_id=SKILL_ID, twilio_auth_token=TOKEN,
                             public_base_url=BASE_URL, twilio_from_number=OUR_NUMBER)
    runtime, chain = open_runtime(settings, RecordingGateway(), clock=clock), make_chain(*days_around(clock()))
    no_fsync(runtime.engine)
    with runtime.sessions.begin() as s:
        alex, _ = seed_couple(s, clock(), "America/Los_Angeles", (ALEX, SAM))
        alex.alexa_user_id = USER_ID
    app = create_app(runtime=runtime, skill_options={
        "settings_api": SettingsApi(get=zones), "trusted_roots": [root_ca()], "fetch": lambda url: chain.pem()})
    yield app, chain, runtime
    runtime.close()


def test_fuzzed_envelopes_signed_by_the_test_ca_with_verification_on(signed_app, clock, crashes):
    app, chain, runtime = signed_app

    def sign(body: bytes) -> dict:
        return {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)}

    started = time.monotonic()
    saved, answered, statuses = fuzz(app.test_client(), clock, Fuzzer(7), SIGNED_COUNT, sign)

    report(f"[alexa fuzz, verified] {SIGNED_COUNT} signed envelopes in {time.monotonic() - started:.1f} s: "
           f"{dict(statuses)}; caught by the catch-all: {dict(crashes.seen)}")
    assert statuses[200] > SIGNED_COUNT / 4
    assert crashes.unexpected() == {}
    engine = create_engine(runtime.settings.database_url)
    try:
        with Session(engine) as look:
            assert_consistent(look, saved, answered)
    finally:
        engine.dispose()
