"""Promises by voice: the dialog, the device's time zone, DST, reminders, listing and keeping."""
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.models import OutboundMessage, Promise
from core.services import couples, promises
from devkit.fakes.alexa_api import FakeAlexa
from skill import build_skill
from skill.alexa_api import SettingsApi, api_origin
from tests.skill.conftest import make_app
from tests.skill.envelopes import DEVICE_ID, TOKEN, Alexa, intent_request

UTC = timezone.utc


def all_promises(tx):
    with tx() as s:
        return s.scalars(select(Promise).order_by(Promise.id)).all()


def texts(tx, kind):
    with tx() as s:
        return s.scalars(select(OutboundMessage).where(OutboundMessage.kind == kind)).all()


def test_the_dialog_asks_for_what_then_when_keeping_what_was_said(alexa, couple, tx):
    what = alexa.intent("MakePromiseIntent", dialog_state="STARTED", task=None, date=None, time=None)
    assert what.speech == "What do you promise to do?" and what.ended is False
    assert what.directives[0]["type"] == "Dialog.ElicitSlot" and what.directives[0]["slotToElicit"] == "task"
    assert what.directives[0]["updatedIntent"]["name"] == "MakePromiseIntent"
    when = alexa.intent("MakePromiseIntent", dialog_state="IN_PROGRESS", task="call Sam", date=None, time=None)
    assert when.directives[0]["slotToElicit"] == "time"
    assert when.directives[0]["updatedIntent"]["slots"]["task"]["value"] == "call Sam"
    assert when.speech.startswith("At what time?") and when.reprompt
    assert all_promises(tx) == []
    done = alexa.intent("MakePromiseIntent", dialog_state="IN_PROGRESS", task="call Sam", date=None, time="18:00")
    assert done.speech == "OK: call Sam, today at 6 PM. I'll text you a reminder at 5:30 PM."
    assert done.directives == [] and done.ended is True
    [promise] = all_promises(tx)
    assert (promise.text, promise.due_at, promise.timezone) == (
        "call Sam", datetime(2026, 11, 24, 2, 0, tzinfo=UTC), "America/Los_Angeles")
    assert promise.source_id.startswith("alexa:") and promise.partner_id == couple.sam
    [reminder] = texts(tx, "promise_reminder")
    assert reminder.send_after == datetime(2026, 11, 24, 1, 30, tzinfo=UTC) and reminder.partner_id == couple.alex


def test_a_time_that_cannot_be_read_is_asked_again(alexa, couple, tx):
    said = alexa.intent("MakePromiseIntent", dialog_state="IN_PROGRESS", task="call Sam", time="25:99")
    assert said.speech.startswith("Sorry, what time?") and said.directives[0]["slotToElicit"] == "time"
    assert all_promises(tx) == []


def through(app, runtime, api: FakeAlexa) -> None:
    """Point the skill's Alexa API calls at the fake, as development's ALEXA_API_URL does."""
    app.extensions["alexa_skill"] = build_skill(runtime, settings_api=SettingsApi(api_url=api.url))


def test_the_device_time_zone_comes_from_the_settings_api(alexa, couple, tx, app, runtime):
    with FakeAlexa({DEVICE_ID: "America/Chicago"}, token=TOKEN) as api:
        through(app, runtime, api)
        said = alexa.send(_promise_request(alexa, "18:00"), api_endpoint=api.url)
        [call] = api.requests
    assert call["path"] == f"/v2/devices/{DEVICE_ID}/settings/System.timeZone"
    assert call["authorization"] == f"Bearer {TOKEN}"
    [promise] = all_promises(tx)
    assert promise.timezone == "America/Chicago" and promise.due_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert said.speech.startswith("OK: call Sam, today at 6 PM.")


def test_the_zone_is_cached_per_device(alexa, couple, app, runtime):
    with FakeAlexa({DEVICE_ID: "America/Chicago"}) as api:
        through(app, runtime, api)
        alexa.send(_promise_request(alexa, "18:00", task="call Sam"), api_endpoint=api.url)
        alexa.send(_promise_request(alexa, "19:00", task="walk the dog"), api_endpoint=api.url)
        assert len(api.requests) == 1


@pytest.mark.parametrize("fake", [
    dict(delay=3.0), dict(error_status=500), dict(timezones={}), dict(token="another-token"),
    dict(timezones={DEVICE_ID: "Mars/Olympus_Mons"}),
], ids=["timeout", "server-error", "no-zone-204", "forbidden", "unknown-zone"])
def test_any_settings_api_failure_falls_back_to_the_couples_zone(alexa, couple, tx, fake, app, runtime):
    timezones = fake.pop("timezones", {DEVICE_ID: "America/Chicago"})
    with FakeAlexa(timezones, **fake) as api:
        through(app, runtime, api)
        started = time.monotonic()
        said = alexa.send(_promise_request(alexa, "18:00"), api_endpoint=api.url)
        elapsed = time.monotonic() - started
    [promise] = all_promises(tx)
    assert promise.timezone == "America/Los_Angeles" and said.speech.startswith("OK: call Sam, today at 6 PM.")
    assert elapsed < 2.5


def test_a_morning_hour_already_past_is_checked_tonight_or_tomorrow_morning(alexa, couple, tx):
    said = alexa.intent("MakePromiseIntent", task="walk the dog", time="08:00")  # it is 9 AM in Los Angeles
    assert said.speech == "Just to check: walk the dog, today at 8 PM. Is that right?" and not all_promises(tx)
    said = alexa.intent("AMAZON.NoIntent")
    assert said.speech.startswith("OK: walk the dog, tomorrow at 8 AM.")
    assert all_promises(tx)[0].due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_tonight_at_nine_is_nine_pm(alexa, couple, tx):
    # Alexa fills "tonight" as today's date and "nine" as 09:00; it is 9 AM in Los Angeles.
    said = alexa.intent("MakePromiseIntent", task="take out the trash", date="2026-11-23", time="09:00")
    assert said.speech.startswith("OK: take out the trash, today at 9 PM. I'll text you a reminder at 8:30 PM.")
    assert all_promises(tx)[0].due_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    alexa.intent("MakePromiseIntent", task="call mom tonight", time="08:30")
    alexa.intent("MakePromiseIntent", task="walk the dog after work")
    alexa.intent("MakePromiseIntent", task="water the plants this evening", time="07:00")
    dues = {p.text: p.due_at for p in all_promises(tx)}
    assert dues["call mom"] == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 8:30 PM
    assert dues["walk the dog"] == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 6 PM
    assert dues["water the plants"] == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 7 PM


def test_yes_keeps_the_likelier_reading(alexa, couple, tx):
    assert alexa.intent("MakePromiseIntent", task="fix the shelf", time="08:45").speech == \
        "Just to check: fix the shelf, today at 8:45 PM. Is that right?"
    assert alexa.intent("AMAZON.YesIntent").speech.startswith("OK: fix the shelf, today at 8:45 PM.")
    assert all_promises(tx)[0].due_at == datetime(2026, 11, 24, 4, 45, tzinfo=UTC)


def test_a_promise_inside_the_spring_forward_gap_moves_to_the_first_real_time(alexa, couple, tx, app, runtime):
    with FakeAlexa({DEVICE_ID: "America/New_York"}) as api:
        through(app, runtime, api)
        checked = alexa.send(_promise_request(alexa, "02:30", date="2027-03-14"), api_endpoint=api.url)
        assert checked.speech == "Just to check: call Sam, Mar 14 at 2:30 PM. Is that right?"
        said = alexa.send(intent_request("AMAZON.NoIntent", alexa.clock()), api_endpoint=api.url)
    [promise] = all_promises(tx)
    assert promise.due_at == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)  # 3:00 AM EDT, the first minute that exists
    assert said.speech.startswith("OK: call Sam, Mar 14 at 3 AM. The clocks change that night")


@pytest.mark.parametrize("date_value,time_value,expected", [
    ("2026-11-24", "MO", "tomorrow at 9 AM"),
    ("PRESENT_REF", "EV", "today at 7 PM"),
    ("2026-11-27", "AF", "Friday at 3 PM"),
    ("XXXX-12-24", "NI", "Dec 24 at 8 PM"),
    ("2026-W48-WE", "T10:15", "Saturday at 10:15 AM"),
    (None, "21:45:00", "today at 9:45 PM"),
])
def test_alexa_date_and_time_values(alexa, couple, date_value, time_value, expected):
    said = alexa.intent("MakePromiseIntent", task="call Sam", date=date_value, time=time_value)
    assert said.speech.startswith(f"OK: call Sam, {expected}.")


def test_a_date_that_is_not_one_day_is_asked_again(alexa, couple, tx):
    said = alexa.intent("MakePromiseIntent", task="call Sam", date="2026-W49", time="18:00")
    assert said.speech.startswith("Which day?") and said.directives[0]["slotToElicit"] == "date"
    assert all_promises(tx) == []


def test_a_date_in_the_past_is_asked_again(alexa, couple, tx):
    said = alexa.intent("MakePromiseIntent", task="call Sam", date="2026-11-20", time="18:00")
    assert said.speech.startswith("That time has already passed. Which day?")
    assert all_promises(tx) == []


def test_a_promise_very_soon_gets_no_reminder_but_a_follow_up(alexa, couple, tx):
    said = alexa.intent("MakePromiseIntent", task="call Sam", time="09:03")
    assert "That's too soon for a reminder, but I'll text you afterwards" in said.speech
    assert texts(tx, "promise_reminder") == [] and len(texts(tx, "promise_followup")) == 1


def test_a_promiser_who_cannot_get_texts_is_told_why(alexa, couple, tx, clock):
    with tx() as s:
        couples.opt_out(s, couples.get_partner(s, couple.alex), clock())
    said = alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    assert said.speech == ("OK: call Sam, today at 6 PM. I can't text you a reminder, because you've turned texts "
                           "off. Text START to us to turn them back on.")
    assert len(all_promises(tx)) == 1 and texts(tx, "promise_reminder") == []


def test_an_alexa_retry_makes_one_promise(alexa, couple, tx):
    for _ in range(2):
        said = alexa.intent("MakePromiseIntent", rid="amzn1.echo-api.request.same", task="call Sam", time="18:00")
    assert said.speech.startswith("OK: call Sam, today at 6 PM.") and len(all_promises(tx)) == 1


def test_cancel_in_the_middle_of_the_dialog_makes_nothing(alexa, couple, tx):
    alexa.intent("MakePromiseIntent", dialog_state="STARTED", task="call Sam")
    said = alexa.intent("AMAZON.CancelIntent")
    assert said.ended is True and all_promises(tx) == []


def test_list_promises(alexa, couple, tx, clock):
    assert alexa.intent("ListPromisesIntent").speech.startswith("You don't have any open promises.")
    with tx() as s:
        alex = couples.get_partner(s, couple.alex)
        for hours, text in ((9, "call Sam"), (30, "walk the dog"), (50, "cook dinner"), (80, "plan date night")):
            promises.make_promise(s, alex, text, clock() + timedelta(hours=hours), "America/Los_Angeles", clock())
    said = alexa.intent("ListPromisesIntent")
    assert said.speech == ("You have 4 open promises: call Sam, today at 6 PM; walk the dog, tomorrow at 3 PM; "
                           "and cook dinner, Wednesday at 11 AM. And 1 more.")


def test_kept_promise_by_words(alexa, couple, tx):
    alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    alexa.intent("MakePromiseIntent", task="walk the dog", time="19:00")
    said = alexa.intent("KeptPromiseIntent", task="call sam")
    assert said.speech == ("Well done. I've marked your promise to call Sam as kept. "
                           "Would you like Sam to know? I'd send them a text.")
    assert said.attributes.get("offer") == "tell" and not texts(tx, "promise_thanks")  # nothing unless asked
    states = {p.text: (p.id, p.state) for p in all_promises(tx)}
    assert [state for _, state in states.values()] == ["kept", "open"]
    reminders = {m.promise_id: m.state for m in texts(tx, "promise_reminder")}
    assert reminders == {states["call Sam"][0]: "cancelled", states["walk the dog"][0]: "queued"}


def test_kept_promise_that_matches_nothing_lists_the_open_ones(alexa, couple, tx):
    alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    said = alexa.intent("KeptPromiseIntent", task="fix the leaky faucet")
    assert said.speech.startswith("I couldn't find a promise like that. You have one open promise: call Sam")
    assert said.ended is False and all_promises(tx)[0].state == "open"


def test_kept_promise_without_any_open(alexa, couple):
    assert alexa.intent("KeptPromiseIntent").speech == "You don't have any open promises right now."


def test_an_envelope_naming_another_api_host_is_never_called(alexa, couple, tx):
    """Verification off (development): an envelope's apiEndpoint is whatever its sender wrote. Our token-bearing
    call goes only to a documented Alexa host, so this fake (standing in for anyone's server) hears nothing."""
    with FakeAlexa({DEVICE_ID: "America/Chicago"}) as api:
        said = alexa.send(_promise_request(alexa, "18:00"), api_endpoint=api.url)
        assert api.requests == []
    assert all_promises(tx)[0].timezone == "America/Los_Angeles" and said.speech.startswith("OK: call Sam")


@pytest.mark.parametrize("endpoint, origin", [
    ("https://api.amazonalexa.com", "https://api.amazonalexa.com"),
    ("https://api.eu.amazonalexa.com/", "https://api.eu.amazonalexa.com"),
    ("https://api.fe.amazonalexa.com:443", "https://api.fe.amazonalexa.com"),
    ("http://api.amazonalexa.com", None), ("https://api.amazonalexa.com.evil.example", None),
    ("https://evil.example/api.amazonalexa.com", None), ("https://user@api.amazonalexa.com", None),
    ("https://api.amazonalexa.com:8443", None), ("https://api.amazonalexa.com/v2/x", None),
    ("https://127.0.0.1", None), ("https://api.amazonalexa.com:99999", None), ("", None), (None, None),
])
def test_only_the_documented_alexa_hosts_over_https_are_called(endpoint, origin):
    assert api_origin(endpoint) == origin
    assert api_origin(endpoint, "http://127.0.0.1:8765/") == "http://127.0.0.1:8765"  # development's fake


def test_settings_api_client_gives_none_without_an_endpoint_or_token():
    api = SettingsApi()
    assert api.timezone(None, DEVICE_ID, TOKEN) is None and api.timezone("https://x", DEVICE_ID, None) is None
    assert api.timezone("ftp://example.com", DEVICE_ID, TOKEN) is None


def test_build_skill_takes_a_settings_api(runtime, couple, tx, clock):
    class Fixed:
        def timezone(self, *_):
            return "Pacific/Honolulu"
    app = make_app(runtime, settings_api=Fixed())
    Alexa(app.test_client(), clock).intent("MakePromiseIntent", task="call Sam", time="18:00")
    assert all_promises(tx)[0].timezone == "Pacific/Honolulu"


def _promise_request(alexa, time_value, task="call Sam", date=None):
    return intent_request("MakePromiseIntent", alexa.clock(), {"task": task, "date": date, "time": time_value})



def test_kept_by_voice_then_yes_tells_the_partner(alexa, couple, tx):
    alexa.intent("MakePromiseIntent", task="call my mom", time="18:00")
    kept = alexa.intent("KeptPromiseIntent", task="call my mom")
    assert kept.speech.startswith("Well done. I've marked your promise to call your mom as kept.")
    told = alexa.intent("AMAZON.YesIntent")  # the session carries the offer to the next turn
    assert told.speech == "Done. Sam will get a text saying you kept it."
    [news] = texts(tx, "promise_thanks")
    assert news.body == "Alex kept their promise to call their mom. Reply THANKS to let them know."


def test_kept_by_voice_then_no_tells_nobody(alexa, couple, tx):
    alexa.intent("MakePromiseIntent", task="walk the dog", time="18:00")
    alexa.intent("KeptPromiseIntent", task="walk the dog")
    alexa.intent("AMAZON.NoIntent")
    assert texts(tx, "promise_thanks") == []


def test_a_replayed_kept_promise_request_marks_nothing_more(alexa, couple, tx):
    """Alexa may deliver one request twice: the same request id keeps one promise, never a second."""
    alexa.intent("MakePromiseIntent", task="call Sam", time="18:00")
    alexa.intent("MakePromiseIntent", task="walk the dog", time="19:00")
    first = alexa.intent("KeptPromiseIntent", rid="amzn1.echo-api.request.KEPT-ONCE")
    again = alexa.intent("KeptPromiseIntent", rid="amzn1.echo-api.request.KEPT-ONCE")
    assert again.speech == first.speech
    assert sorted(p.state for p in all_promises(tx)) == ["kept", "open"]
    assert alexa.intent("KeptPromiseIntent").speech.startswith("Well done")  # a new request keeps the next
    assert [p.state for p in all_promises(tx)] == ["kept", "kept"]
