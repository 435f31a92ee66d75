"""The console over the real app: signed voice and texts, dialogs, the clock, and clear errors."""
import json
from datetime import datetime, timezone

import pytest

from console import clockwork
from console.commands import ConsoleError, execute, substitute
from console.echo import plain
from console.players import PLAYERS
from devkit import alexa as envelopes
from devkit.twilio import inbound_form, twiml_messages
from tests.console.conftest import run

TZ = "America/New_York"
MONDAY_9 = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)


def join_and_link(console):
    """Alex joins, invites Sam (who accepts), and links the Echo with the spoken code."""
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0102 Sam", "as sam", "text YES", "as alex",
        "say ask trust builder to link my phone")
    return run(console, "text LINK $code")


def test_the_spoken_link_code_becomes_a_script_variable(console):
    assert "Linked" in join_and_link(console)[0]
    assert len(console.variables["code"]) == 6


def test_the_promise_dialog_fills_the_elicited_slots_turn_by_turn(console):
    join_and_link(console)
    assert "Alexa: What do you promise to do?" in run(console, "say make a promise")
    asked = run(console, "say call my mom")
    assert asked[0] == "-> IntentRequest MakePromiseIntent task='call my mom'"
    assert asked[1].startswith("Alexa: At what time?") and "(session open: Alexa is listening)" in asked
    done = run(console, "say at 5:30")
    assert done[0] == "-> IntentRequest MakePromiseIntent task='call my mom' time='17:30'"
    assert done[1] == "Alexa: OK: call your mom, today at 5:30 PM. I'll text you a reminder at 5 PM."
    assert done[-1] == "(session closed)"


def test_stop_in_the_middle_of_a_dialog_leaves_it(console):
    join_and_link(console)
    run(console, "say make a promise")
    assert run(console, "say stop")[0] == "-> IntentRequest AMAZON.StopIntent"
    assert console.echo.pending is None and console.echo.session is None


def test_the_clock_runs_the_scheduler_at_each_due_time(console):
    join_and_link(console)
    run(console, "say ask trust builder I promise to call Sam at six")
    lines = run(console, "clock +12h")
    assert lines[0].startswith("Clock: Mon 21:00")
    assert "[text to Alex at Mon 17:30, promise_reminder] Reminder from Trust Builder: call Sam, today at 6 PM." in lines
    assert any(line.startswith("[text to Alex at Mon 18:30, promise_followup]") for line in lines)


def test_alexa_requests_are_verified_by_the_app(console):
    """The console's requests pass only because they are signed: a wrong or missing signature is refused."""
    join_and_link(console)
    body, other = (json.dumps(envelope(console, intent)).encode() for intent in ("WeeklySummaryIntent", "X"))
    status, answer = console._post_alexa(body, console.echo.signer.headers(other))
    assert (status, json.loads(answer)) == (400, {"error": "bad_signature"})
    status, answer = console._post_alexa(body, {"Content-Type": "application/json"})
    assert (status, json.loads(answer)) == (400, {"error": "missing_header"})
    assert console._post_alexa(body, console.echo.signer.headers(body))[0] == 200


def envelope(console, intent):
    """A bare envelope from the console's Echo for `intent`."""
    request = envelopes.intent_request(intent, console.world.clock(), {})
    return envelopes.envelope(request, console.echo.device, PLAYERS["alex"].person_id)


def test_texts_are_validated_with_twilios_signature(console):
    console.phone.auth_token = "not-the-token"
    assert run(console, "text JOIN Alex")[0].startswith("ERROR: HTTP 403")
    status, _ = console.phone.post(inbound_form("+14155550101", console.phone.number, "JOIN Alex"), {})
    assert status == 403


def test_outbox_lists_texts_with_recipient_kind_and_state(console):
    assert run(console, "outbox") == ["(the outbox is empty)"]
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0102 Sam")
    [line] = [line for line in run(console, "outbox 5") if "invitation" in line]
    assert line.startswith("Mon 09:00  to Sam    invitation        outbox    Alex invited you")


@pytest.mark.parametrize("line, message", [
    ("text LINK $code", "$code is not set yet"),
    ("say", "'say' needs words after it"),
    ("outbox lots", "'outbox' takes a number"),
])
def test_lines_the_console_cannot_run_say_what_to_do(console, line, message):
    with pytest.raises(ConsoleError, match=message.replace("$", r"\$")):
        execute(console, line)


def test_unknown_partner_and_unreadable_clock_are_explained(console):
    assert run(console, "as jo")[0].startswith("Unknown partner 'jo'")
    assert run(console, "clock soonish")[0].startswith("Can't read 'soonish'")
    assert run(console, "clock")[0] == "It is Mon 09:00."


def test_a_plain_sentence_is_said_to_the_echo(console):
    lines = run(console, "what's today's question")
    assert lines[0] == "-> IntentRequest TodaysQuestionIntent" and "Here's the kind of question" in lines[1]


@pytest.mark.parametrize("spec, local", [
    ("+3h", "Mon 12:00"), ("+30m", "Mon 09:30"), ("+1d2h", "Tue 11:00"), ("18:30", "Mon 18:30"),
    ("tomorrow 19:00", "Tue 19:00"), ("8:00", "Tue 08:00"), ("sunday 18:05", "Sun 18:05"),
])
def test_clock_targets(spec, local):
    assert clockwork.show(clockwork.parse_target(spec, MONDAY_9, TZ), TZ) == local


@pytest.mark.parametrize("spec", ["", "+", "+x", "later", "tomorrow at noon please", "8:00 yesterday"])
def test_unreadable_clock_targets(spec):
    assert clockwork.parse_target(spec, MONDAY_9, TZ) is None


def test_substitution_and_speech_helpers():
    assert substitute("text LINK $code", {"code": "123456"}) == "text LINK 123456"
    assert plain({"type": "SSML", "ssml": "<speak>Hi &amp; bye<break time='1s'/>now</speak>"}) == "Hi & bye now"
    assert twiml_messages(b"<Response><Message>One</Message><Message><Body>Two</Body></Message></Response>") \
        == ["One", "Two"]
    assert twiml_messages(b"<Response/>") == []
