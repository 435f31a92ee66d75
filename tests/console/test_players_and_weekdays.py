"""More than two players (a stranger, partners the database knows, new players with a phone of their own)
and weekday clock moves (`clock fri 18:45`)."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from console import clockwork
from console.commands import HELP, execute
from console.session import Console
from tests.console.conftest import run

TZ = "America/New_York"
MONDAY_9 = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # 09:00 in New York


def test_a_partner_alex_invites_can_be_played_by_name(console):
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0103 Jo")
    assert run(console, "as jo") == ["You are now Jo (phone +14155550103)."]
    assert console.player.person_id == "amzn1.ask.person.CONSOLE-JO"
    reply = run(console, "text YES")
    assert any("Alex" in line for line in reply) and not any("ERROR" in line for line in reply)
    assert run(console, "as alex", "text SUMMARY")[0].startswith("Trust Builder:")


def test_the_database_keeps_its_players_for_a_new_console(world, console):
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0103 Jo")
    later = Console(world)  # e.g. the console reopened on the same database
    assert run(later, "as Jo") == ["You are now Jo (phone +14155550103)."]


def test_a_partner_renamed_in_the_database_keeps_their_voice(console):
    """Alex joined as "Alexandra": playing her by that name is still Alex's phone and voice profile."""
    run(console, "text JOIN Alexandra")
    run(console, "as alexandra")
    assert (console.player.phone, console.player.person_id) == ("+14155550101", "amzn1.ask.person.CONSOLE-ALEX")


def test_a_new_player_brings_a_phone_and_starts_a_couple_of_their_own(console):
    assert run(console, "as robin +1 (415) 555-0104") == ["You are now Robin (phone +14155550104)."]
    assert "Welcome to Trust Builder, Robin!" in run(console, "text JOIN Robin")[0]
    run(console, "as alex")
    assert run(console, "as robin") == ["You are now Robin (phone +14155550104)."]
    assert execute(console, "text STOP").who == "Robin (phone)"


def test_the_stranger_has_a_phone_nobody_invited_and_an_unknown_voice(console):
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0102 Sam")
    [line] = run(console, "as stranger")
    assert line == "You are now Stranger (phone +14155550109). The Echo has no voice profile for them."
    stranger = run(console, "text YES")
    run(console, "as sam")
    assert run(console, "text YES") != stranger  # only the invited number is welcomed
    sent, post = [], console.echo.post
    console.echo.post = lambda body, headers: sent.append(json.loads(body)) or post(body, headers)
    run(console, "as stranger", "say what's today's question")
    assert "person" not in sent[-1]["context"]["System"]
    run(console, "as sam", "say what's today's question")
    assert sent[-1]["context"]["System"]["person"] == {"personId": "amzn1.ask.person.CONSOLE-SAM"}


@pytest.mark.parametrize("line, message", [
    ("as jo", "Unknown partner 'jo': try alex, sam, stranger or anyone the database knows by name, "
              "or give a new player a phone: 'as jo +1 415 555 0103'."),
    ("as", "'as' needs a name"),
    ("as jo 12", "'12' is not a valid phone number"),
])
def test_players_the_console_cannot_find_are_explained(console, line, message):
    assert run(console, line)[0].startswith(message)
    assert console.player.name == "Alex"


def test_help_names_the_players_and_the_weekday_moves(console):
    assert "stranger" in HELP and "as jo +1 415 555 0103" in HELP and "fri 18:45" in HELP
    assert run(console, "help") == HELP.splitlines()


@pytest.mark.parametrize("spec, ahead", [
    ("fri 18:45", timedelta(days=4, hours=9, minutes=45)),
    ("mon 10:00", timedelta(hours=1)),                     # later today
    ("mon 09:00", timedelta(days=7)),                      # now exactly: next week
    ("mon 08:59", timedelta(days=6, hours=23, minutes=59)),
    ("Friday 6:45pm", timedelta(days=4, hours=9, minutes=45)),
    ("Tue. at 7:05 a.m.", timedelta(hours=22, minutes=5)),
    ("sun 12am", timedelta(days=5, hours=15)),
    ("wednesday 00:00", timedelta(days=1, hours=15)),
])
def test_weekday_targets_are_the_next_such_weekday(spec, ahead):
    assert clockwork.parse_target(spec, MONDAY_9, TZ) - MONDAY_9 == ahead


@pytest.mark.parametrize("spec", ["fri", "fri 6", "fri 25:00", "fri 18:60", "fri 13pm", "fr 18:00",
                                  "frx 18:00", "fri 18:45 please", "someday 18:00"])
def test_unreadable_weekday_targets(spec):
    assert clockwork.parse_target(spec, MONDAY_9, TZ) is None


def test_a_weekday_move_keeps_the_wall_clock_across_a_dst_change():
    saturday = datetime(2026, 10, 31, 13, 0, tzinfo=timezone.utc)  # 09:00 EDT; clocks go back on Sunday
    assert clockwork.parse_target("sun 09:00", saturday, TZ) == datetime(2026, 11, 1, 14, 0, tzinfo=timezone.utc)
    assert clockwork.parse_target("mon 09:00", saturday, TZ) == datetime(2026, 11, 2, 14, 0, tzinfo=timezone.utc)


def test_clock_to_a_weekday_runs_the_scheduler_every_day_on_the_way(console):
    run(console, "text JOIN Alex", "text INVITE +1 415 555 0102 Sam", "as sam", "text YES")
    lines = run(console, "clock thu 19:30")
    assert lines[0].startswith("Clock: Thu 19:30 (")
    questions = [line for line in lines if "daily_question" in line and "text to Sam" in line]
    assert [line.split(" at ")[1][:9] for line in questions] == ["Mon 19:00", "Tue 19:00", "Wed 19:00", "Thu 19:00"]
    assert console.world.clock() == datetime(2026, 11, 27, 0, 30, tzinfo=timezone.utc)
