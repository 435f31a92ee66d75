"""TwilioGateway through the real twilio client against a loopback fake; OutboxGateway; the Alexa fake."""
import logging
import time

import pytest
import requests

from core.ports import SendError
from devkit.fakes.alexa_api import FakeAlexa
from devkit.fakes.twilio_api import FakeTwilio
from sms.gateway import OutboxGateway, TwilioGateway, mask_phone

TO = "+15555550100"
FROM = "+15550001111"
SERVICE_SID = "MG" + "a" * 32


@pytest.fixture
def twilio():
    """A running fake Twilio."""
    with FakeTwilio() as fake:
        yield fake


def make_gateway(fake, **overrides):
    """A TwilioGateway aimed at the fake; keyword overrides replace the defaults."""
    options = {"from_number": FROM, "api_url": fake.url, "timeout": 2.0}
    options.update(overrides)
    sid, token = options.pop("account_sid", fake.account_sid), options.pop("auth_token", fake.auth_token)
    return TwilioGateway(sid, token, **options)


@pytest.fixture
def gateway(twilio):
    """A gateway on the fake, closed after the test."""
    gw = make_gateway(twilio)
    yield gw
    gw.close()


def send_error(gateway) -> SendError:
    """Send one text and return the SendError it must raise."""
    with pytest.raises(SendError) as caught:
        gateway.send(TO, "hello")
    return caught.value


def test_send_returns_sid_and_fake_records_fields(twilio, gateway):
    receipt = gateway.send(TO, "Did you keep today's promise?", status_callback="https://x.test/sms/status")

    assert receipt.sid.startswith("SM") and len(receipt.sid) == 34
    assert receipt.status == "queued"
    [message] = twilio.sent
    assert message["sid"] == receipt.sid
    assert (message["to"], message["from"], message["body"]) == (TO, FROM, "Did you keep today's promise?")
    assert twilio.requests[0]["form"]["StatusCallback"] == "https://x.test/sms/status"
    assert "MessagingServiceSid" not in twilio.requests[0]["form"]


def test_status_callback_omitted_when_not_given(twilio, gateway):
    gateway.send(TO, "hi")

    assert "StatusCallback" not in twilio.requests[0]["form"]


def test_messaging_service_sid_preferred_over_from_number(twilio):
    gw = make_gateway(twilio, messaging_service_sid=SERVICE_SID)
    gw.send(TO, "hi")
    gw.close()

    form = twilio.requests[0]["form"]
    assert form["MessagingServiceSid"] == SERVICE_SID
    assert "From" not in form


@pytest.mark.parametrize("status, code", [(429, 20429), (500, None), (503, None)])
def test_rate_limit_and_server_errors_are_retryable(twilio, gateway, status, code):
    twilio.script(("error", status, code))

    error = send_error(gateway)

    assert (error.retryable, error.http_status, error.code) == (True, status, code)
    assert len(twilio.requests) == 1  # no hidden retry inside the client


@pytest.mark.parametrize("code", [21610, 21211, 21614, 21408])
def test_client_errors_are_final_and_keep_the_code(twilio, gateway, code):
    twilio.script(("error", 400, code))

    error = send_error(gateway)

    assert (error.retryable, error.http_status, error.code) == (False, 400, code)
    assert TO not in str(error)


def test_scripted_error_is_used_once_then_ok(twilio, gateway):
    twilio.script(("error", 429, 20429))

    send_error(gateway)
    assert gateway.send(TO, "again").sid.startswith("SM")


def test_timeout_is_retryable_and_not_retried(twilio):
    twilio.script(("delay", 2))
    gw = make_gateway(twilio, timeout=0.5)

    started = time.monotonic()
    error = send_error(gw)
    elapsed = time.monotonic() - started
    gw.close()

    assert error.retryable and error.code is None and error.http_status is None
    assert elapsed < 1.5
    assert len(twilio.requests) == 1


def test_unreachable_server_is_retryable(twilio):
    gw = TwilioGateway(twilio.account_sid, twilio.auth_token, from_number=FROM,
                       api_url="http://127.0.0.1:9", timeout=0.5)

    error = send_error(gw)
    gw.close()

    assert error.retryable and error.code is None


def test_bad_credentials_are_not_retryable(twilio):
    gw = make_gateway(twilio, auth_token="wrong")

    error = send_error(gw)
    gw.close()

    assert (error.retryable, error.http_status, error.code) == (False, 401, 20003)
    assert twilio.sent == []


def test_gateway_needs_a_sender():
    with pytest.raises(ValueError):
        TwilioGateway("AC1", "token")


def test_error_log_masks_the_number(twilio, gateway, caplog):
    twilio.script(("error", 400, 21211))

    with caplog.at_level(logging.DEBUG):
        send_error(gateway)

    assert "***0100" in caplog.text
    assert "5555550100" not in caplog.text and "hello" not in caplog.text


def test_outbox_logs_not_sent_without_full_number(caplog):
    outbox = OutboxGateway()

    with caplog.at_level(logging.WARNING, logger="sms.gateway"):
        receipt = outbox.send(TO, "A" * 50)

    assert outbox.delivers is False and TwilioGateway.delivers is True
    assert receipt.sid.startswith("OUTBOX-") and len(receipt.sid) == 7 + 32
    assert receipt.status == "outbox"
    assert f"NOT SENT (no Twilio credentials) to ***0100: {receipt.sid}, 50 characters" in caplog.text
    assert "AAA" not in caplog.text and "5555550100" not in caplog.text


@pytest.mark.parametrize("phone, masked", [("+15555550100", "***0100"), ("555-0199", "***0199"),
                                           ("", "***"), (None, "***")])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_alexa_fake_serves_zone_and_checks_token():
    with FakeAlexa({"dev-1": "America/Chicago"}, token="tok") as alexa:
        url = f"{alexa.url}/v2/devices/dev-1/settings/System.timeZone"
        ok = requests.get(url, headers={"Authorization": "Bearer tok"}, timeout=2)
        missing = requests.get(url, timeout=2)
        unknown = requests.get(url.replace("dev-1", "dev-2"), headers={"Authorization": "Bearer tok"},
                               timeout=2)

    assert (ok.status_code, ok.json()) == (200, "America/Chicago")
    assert missing.status_code == 403
    assert unknown.status_code == 204
    assert len(alexa.requests) == 3


def test_alexa_fake_delay_trips_a_client_timeout():
    with FakeAlexa({"dev-1": "Europe/Paris"}, delay=2) as alexa:
        with pytest.raises(requests.Timeout):
            requests.get(f"{alexa.url}/v2/devices/dev-1/settings/System.timeZone",
                         headers={"Authorization": "Bearer any"}, timeout=0.3)
