"""Echo reminders of promises made by voice (issue 12, item 1): the choice (asked once, remembered), the
permission asked by voice and its answer, the Reminders API answering 201/401/403/5xx/timeout on a loopback
fake, never an Echo reminder and a text for the same moment unless both were asked, and the Echo reminder
following the promise when it is kept, missed, cancelled, moved or erased, by voice or by text."""
import time
from datetime import datetime, timezone

import pytest

from core.models import EchoChange, EchoPreference, EchoReminder, OutboundMessage, Promise, ReminderWay, TextState
from devkit.alexa import connections_response, message_received
from devkit.fakes.alexa_api import TIMEOUT
from scheduler import jobs
from tests.skill.envelopes import TOKEN, USER_ID
from tests.skill.native import directive, fake, lwa, messaging, rows, settings, text  # noqa: F401
from tests.conftest import ALEX

UTC = timezone.utc
REMIND_AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # 5:30 PM in Los Angeles, for "call Sam at six"


def promise(alexa, task="call Sam", at="18:00"):
    return alexa.intent("MakePromiseIntent", dialog_state="IN_PROGRESS", task=task, date=None, time=at)


def choose(alexa, way):
    return alexa.intent("ReminderWayIntent", way=way)


def reminder_texts(tx):
    return rows(tx, OutboundMessage, OutboundMessage.kind == "promise_reminder")


def posted(fake):
    return [r for r in fake.requests if r["api"] == "reminders"]


def test_the_first_promise_asks_how_reminders_should_come_and_the_text_waits_meanwhile(alexa, couple, tx):
    said = promise(alexa)
    assert said.speech == ("OK: call Sam, today at 6 PM. I'll text you a reminder at 5:30 PM. I can also remind you "
                           "of promises on this Echo, out loud. Would you like reminders on the Echo, by text, or both?")
    elicit = directive(said, "Dialog.ElicitSlot")
    assert elicit["updatedIntent"]["name"] == "ReminderWayIntent" and elicit["slotToElicit"] == "way"
    [reminder] = reminder_texts(tx)
    assert reminder.state == TextState.QUEUED and reminder.send_after == REMIND_AT


def test_on_the_echo_creates_the_reminder_at_the_promise_reminder_time_and_drops_the_text(alexa, couple, tx, fake):
    promise(alexa)
    said = choose(alexa, "on the echo")
    assert said.speech == "OK: call Sam, today at 6 PM. I'll remind you on this Echo at 5:30 PM."
    [call] = posted(fake)
    assert call["method"] == "POST" and call["path"] == "/v1/alerts/reminders"
    assert call["authorization"] == f"Bearer {TOKEN}"
    trigger = call["body"]["trigger"]
    assert trigger == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-23T17:30:00",
                       "timeZoneId": "America/Los_Angeles"}  # the device's zone, wall-clock time
    assert call["body"]["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": "en-US", "text": "Trust Builder reminder: call Sam, today at 6 PM."}]
    [row] = rows(tx, EchoReminder)
    assert row.alert_token in fake.reminders and row.remind_at == REMIND_AT and row.change is None
    assert row.api_host == "api.amazonalexa.com"
    [reminder] = reminder_texts(tx)
    assert reminder.state == TextState.CANCELLED  # never both for the same moment
    [choice] = rows(tx, EchoPreference)
    assert choice.reminder_way == ReminderWay.ECHO and choice.alexa_user_ref is None  # nothing kept it needs not


def test_both_keeps_the_text_as_well_and_the_choice_is_not_asked_again(alexa, couple, tx, fake):
    promise(alexa)
    assert choose(alexa, "both").speech.endswith("I'll remind you on this Echo and by text at 5:30 PM.")
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED]
    second = promise(alexa, "walk the dog", "19:00")
    assert second.speech == "OK: walk the dog, today at 7 PM. I'll remind you on this Echo and by text at 6:30 PM."
    assert len(posted(fake)) == 2 and len(rows(tx, EchoReminder)) == 2
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED, TextState.QUEUED]


def test_by_text_changes_nothing_on_the_echo(alexa, couple, tx, fake):
    promise(alexa)
    assert choose(alexa, "by text").speech == "OK, your promise reminders come by text."
    assert promise(alexa, "walk the dog", "19:00").speech == "OK: walk the dog, today at 7 PM. I'll text you a reminder at 6:30 PM."
    assert posted(fake) == [] and rows(tx, EchoReminder) == []


@pytest.mark.parametrize("refusal", [401, 403])
def test_a_missing_permission_is_asked_for_by_voice_and_granted(alexa, couple, tx, fake, refusal):
    promise(alexa)
    fake.script("reminders", refusal)
    said = choose(alexa, "on the echo")
    ask = directive(said, "Connections.SendRequest")
    assert ask["name"] == "AskFor" and ask["payload"] == {
        "@type": "AskForPermissionsConsentRequest", "@version": "1",
        "permissionScope": "alexa::alerts:reminders:skill:readwrite"}
    [made] = rows(tx, Promise)
    assert ask["token"] == f"promise:{made.id}" and said.speech == "OK: call Sam." and said.ended is None
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED]  # the text stands until the Echo has it
    granted = alexa.send(connections_response(alexa.clock(), "ACCEPTED", ask["token"]))
    assert granted.speech == "OK: call Sam, today at 6 PM. I'll remind you on this Echo at 5:30 PM."
    assert len(rows(tx, EchoReminder)) == 1 and [m.state for m in reminder_texts(tx)] == [TextState.CANCELLED]


def test_a_denied_permission_keeps_texts_and_remembers_it(alexa, couple, tx, fake):
    promise(alexa)
    fake.script("reminders", 403)
    token = directive(choose(alexa, "on the echo"), "Connections.SendRequest")["token"]
    said = alexa.send(connections_response(alexa.clock(), "DENIED", token))
    assert said.speech.startswith("OK, no Echo reminders, I'll keep to texts.")
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED]
    [choice] = rows(tx, EchoPreference)
    assert choice.reminder_way == ReminderWay.TEXT  # not asked again with every promise
    assert len(posted(fake)) == 1


def test_a_permission_not_answered_keeps_the_text_for_this_one(alexa, couple, tx, fake):
    promise(alexa)
    fake.script("reminders", 403)
    token = directive(choose(alexa, "on the echo"), "Connections.SendRequest")["token"]
    said = alexa.send(connections_response(alexa.clock(), "NOT_ANSWERED", token))
    assert said.speech == "OK, I'll keep to the text for this one."
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED] and rows(tx, EchoReminder) == []
    assert rows(tx, EchoPreference)[0].reminder_way == ReminderWay.ECHO


def test_a_permission_answer_for_someone_elses_promise_creates_nothing(alexa, couple, tx, fake):
    said = alexa.send(connections_response(alexa.clock(), "ACCEPTED", "promise:999999"))
    assert said.status == 200 and said.speech == "OK, I'll keep to the text for this one."
    assert posted(fake) == []


@pytest.mark.parametrize("answer", [500, 503, TIMEOUT])
def test_an_api_that_fails_or_is_slow_falls_back_to_the_text_within_two_seconds(alexa, couple, tx, fake, answer):
    promise(alexa)
    fake.script("reminders", answer)
    started = time.monotonic()
    said = choose(alexa, "on the echo")
    assert time.monotonic() - started < 2.0
    assert said.status == 200 and said.speech.endswith("I couldn't reach this Echo's reminders just now, so I'll "
                                                       "keep to the text.")
    assert [m.state for m in reminder_texts(tx)] == [TextState.QUEUED] and rows(tx, EchoReminder) == []


def test_without_an_api_access_token_or_messaging_credentials_nothing_is_offered(alexa, couple, tx, fake, app,
                                                                                 runtime):
    said = alexa.send(promise_request(alexa), token=None)
    assert said.speech == "OK: call Sam, today at 6 PM. I'll text you a reminder at 5:30 PM." and said.directives == []
    runtime.settings = runtime.settings.with_(alexa_client_id="", alexa_client_secret="")
    assert promise(alexa, "walk the dog", "19:00").speech.endswith("I'll text you a reminder at 6:30 PM.")
    assert posted(fake) == []


def promise_request(alexa):
    from devkit.alexa import intent_request
    return intent_request("MakePromiseIntent", alexa.clock(), {"task": "call Sam", "date": None, "time": "18:00"},
                          "IN_PROGRESS")


def echo_promise(alexa, fake, way="on the echo"):
    promise(alexa)
    choose(alexa, way)
    return next(iter(fake.reminders))


@pytest.mark.parametrize("intent", ["KeptPromiseIntent", "MissedPromiseIntent", "CancelPromiseIntent"])
def test_settling_by_voice_deletes_the_echo_reminder_in_the_same_request(alexa, couple, tx, fake, intent):
    alert = echo_promise(alexa, fake)
    alexa.intent(intent, task="call Sam")
    assert fake.reminders == {} and rows(tx, EchoReminder) == []
    assert posted(fake)[-1]["method"] == "DELETE" and posted(fake)[-1]["path"].endswith(alert)


def test_moving_by_voice_moves_the_echo_reminder_and_keeps_one_reminder(alexa, couple, tx, fake):
    alert = echo_promise(alexa, fake)
    said = alexa.intent("MovePromiseIntent", task="call Sam", time="21:00")
    assert said.speech == "Done: call Sam is now today at 9 PM. I'll remind you on this Echo at 8:30 PM."
    assert fake.reminders[alert]["trigger"]["scheduledTime"] == "2026-11-23T20:30:00"
    [row] = rows(tx, EchoReminder)
    assert row.change is None and row.remind_at == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    assert [m.state for m in reminder_texts(tx)] == [TextState.CANCELLED, TextState.CANCELLED]


def test_a_change_by_text_reaches_the_echo_through_a_skill_message(alexa, couple, tx, fake, lwa, runtime, messaging,
                                                                  text):
    alert = echo_promise(alexa, fake)
    assert "kept" in text(ALEX, "KEPT").lower()
    [row] = rows(tx, EchoReminder)
    assert row.change == EchoChange.DELETE and alert in fake.reminders  # the text channel cannot call Alexa
    assert jobs.alexa(runtime, messaging) == {"notices": 0, "woken": 1}
    [message] = fake.messages
    assert message["user"] == USER_ID and message["body"]["data"] == {"trustbuilder": "echo_reminders"}
    assert [f["scope"] for f in lwa.forms] == ["alexa:skill_messaging"]
    assert jobs.alexa(runtime, messaging)["woken"] == 0  # not again at once
    woke = alexa.send(message_received(alexa.clock(), message["body"]["data"]), in_session=False)
    assert woke.status == 200 and woke.speech == "" and fake.reminders == {} and rows(tx, EchoReminder) == []


def test_a_move_by_text_updates_the_echo_reminder_when_the_skill_is_woken(alexa, couple, tx, fake, runtime,
                                                                         messaging, text):
    alert = echo_promise(alexa, fake)
    text(ALEX, "MOVE 1 9pm")
    assert [m.state for m in reminder_texts(tx)] == [TextState.CANCELLED, TextState.QUEUED]  # the text stands in
    jobs.alexa(runtime, messaging)
    alexa.send(message_received(alexa.clock()), in_session=False)
    assert fake.reminders[alert]["trigger"]["scheduledTime"] == "2026-11-23T20:30:00"
    assert [m.state for m in reminder_texts(tx)] == [TextState.CANCELLED, TextState.CANCELLED]


@pytest.mark.parametrize("status, kept", [(404, False), (403, False), (401, False), (500, True), (TIMEOUT, True)])
def test_a_deletion_alexa_answers_badly_is_let_go_or_tried_again(alexa, couple, tx, fake, status, kept):
    echo_promise(alexa, fake)
    fake.script("reminders", status)
    assert alexa.intent("KeptPromiseIntent", task="call Sam").status == 200
    assert len(rows(tx, EchoReminder)) == (1 if kept else 0)


def test_erasing_my_data_deletes_my_echo_reminders(alexa, couple, tx, fake):
    echo_promise(alexa, fake)
    alexa.intent("DeleteMyDataIntent")
    alexa.intent("AMAZON.YesIntent")
    assert rows(tx, Promise) == [] and fake.reminders == {} and rows(tx, EchoReminder) == []
    assert rows(tx, EchoPreference) == []


def test_the_choice_can_be_changed_any_time(alexa, couple, tx, fake):
    echo_promise(alexa, fake)
    assert alexa.intent("ReminderWayIntent", way="by text").speech == "OK, your promise reminders come by text."
    assert rows(tx, EchoPreference)[0].reminder_way == ReminderWay.TEXT


def test_a_retried_request_makes_one_echo_reminder(alexa, couple, tx, fake):
    promise(alexa)
    from devkit.alexa import intent_request
    retry = intent_request("ReminderWayIntent", alexa.clock(), {"way": "on the echo"}, rid="amzn1.echo-api.request.R")
    first, again = alexa.send(retry), alexa.send(retry)
    assert first.status == again.status == 200 and len(fake.reminders) == 1 and len(rows(tx, EchoReminder)) == 1
