"""The one Alexa API client (skill/alexa_api.py): only the documented hosts over https are ever called (with
the request's token, or the skill's messaging token), the development fake replaces them all, every call
answers within the budget and never raises, and Login with Amazon tokens are cached per scope."""
import time
from datetime import datetime, timezone

import pytest
import requests

from devkit.fakes.alexa_api import TIMEOUT, FakeAlexa
from devkit.fakes.lwa import FakeLwa
from skill.alexa_api import AlexaMessaging, Answer, SettingsApi, api_host, reminder_body

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)


class Recorder:
    """A `requests.request` stand-in that records where it was asked to go and answers 200 {}."""

    def __init__(self):
        self.urls = []

    def __call__(self, method, url, **kwargs):
        self.urls.append((method, url, kwargs.get("timeout")))
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        return response


@pytest.mark.parametrize("endpoint", ["https://api.evil.example", "http://api.amazonalexa.com",
                                      "https://api.amazonalexa.com:8443", "https://api.amazonalexa.com.evil.example",
                                      "https://user@api.amazonalexa.com", "https://api.amazonalexa.com/x", "", None])
def test_an_endpoint_that_is_not_a_documented_alexa_host_is_never_called(endpoint):
    send = Recorder()
    api = SettingsApi(send=send)
    for answer in (api.create_reminder(endpoint, "token", {}), api.delete_reminder(endpoint, "token", "a"),
                   *api.profile(endpoint, "token")):
        assert answer == Answer(None)
    assert send.urls == []


@pytest.mark.parametrize("host", ["api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"])
def test_the_documented_hosts_are_called_over_https_within_the_budget(host):
    send = Recorder()
    assert SettingsApi(send=send).delete_reminder(f"https://{host}", "token", "amzn1/alert").ok
    [(method, url, timeout)] = send.urls
    assert (method, url) == ("DELETE", f"https://{host}/v1/alerts/reminders/amzn1%2Falert")
    assert sum(timeout) < 2.0
    assert api_host(f"https://{host}") == host


def test_no_token_no_call():
    send = Recorder()
    assert SettingsApi(send=send).create_reminder("https://api.amazonalexa.com", None, {}) == Answer(None)
    assert send.urls == []


def test_the_development_fake_receives_every_call_and_a_slow_one_gives_up_in_time():
    with FakeAlexa() as fake:
        api = SettingsApi(api_url=fake.url)
        assert api.create_reminder("https://api.evil.example", "t", {"x": 1}).status == 201
        fake.script("reminders", TIMEOUT)
        started = time.monotonic()
        assert api.create_reminder("https://api.amazonalexa.com", "t", {}) == Answer(None)
        assert time.monotonic() - started < 2.0


def test_a_reminder_is_set_in_the_devices_wall_clock_time():
    body = reminder_body("call Sam", datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc), "Europe/London", NOW)
    assert body["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-24T01:30:00",
                               "timeZoneId": "Europe/London"}
    assert body["requestTime"] == "2026-11-23T17:00:00.000Z" and body["pushNotification"] == {"status": "ENABLED"}


def messaging(fake, lwa, **options):
    return AlexaMessaging("id", "secret", api_url=fake.url, lwa_url=lwa.url, **options)


def test_login_with_amazon_tokens_are_cached_per_scope_until_they_expire():
    clock = [0.0]
    with FakeAlexa() as fake, FakeLwa("id", "secret", lifetime=3600) as lwa:
        client = messaging(fake, lwa, clock=lambda: clock[0])
        for _ in range(3):
            assert client.wake("api.amazonalexa.com", "amzn1.ask.account.A", {}).status == 202
        assert client.partner_answered("api.amazonalexa.com", "amzn1.ask.account.A", "r1", NOW, NOW).status == 202
        assert [f["scope"] for f in lwa.forms] == ["alexa:skill_messaging", "alexa::proactive_events"]
        clock[0] = 3600.0  # within a minute of expiry: a new one
        client.wake("api.amazonalexa.com", "amzn1.ask.account.A", {})
        assert len(lwa.forms) == 3


def test_wrong_credentials_give_no_token_and_no_call():
    with FakeAlexa() as fake, FakeLwa("id", "other-secret") as lwa:
        assert messaging(fake, lwa).wake("api.amazonalexa.com", "u", {}) == Answer(None)
        assert fake.requests == []


def test_a_token_alexa_refuses_is_not_used_again():
    with FakeAlexa() as fake, FakeLwa("id", "secret") as lwa:
        client = messaging(fake, lwa)
        fake.script("messages", 401)
        assert client.wake("api.amazonalexa.com", "u", {}).status == 401
        assert client.wake("api.amazonalexa.com", "u", {}).status == 202
        assert len(lwa.forms) == 2


def test_the_events_stage_picks_the_path():
    with FakeAlexa() as fake, FakeLwa("id", "secret") as lwa:
        messaging(fake, lwa, stage="live").partner_answered("api.eu.amazonalexa.com", "u", "r", NOW, NOW)
        messaging(fake, lwa).partner_answered("api.eu.amazonalexa.com", "u", "r", NOW, NOW)
    assert [e["stage"] for e in fake.events] == ["live", "development"]


def test_without_the_fake_only_a_documented_stored_host_is_called():
    send = Recorder()
    client = AlexaMessaging("id", "secret", send=send)
    assert client.wake("api.evil.example", "u", {}) == Answer(None)
    assert send.urls == []  # not even Login with Amazon
    client.wake("api.fe.amazonalexa.com", "amzn1.ask.account.A", {})
    assert [url for _, url, _ in send.urls] == ["https://api.amazon.com/auth/o2/token"]  # then no token: stop
