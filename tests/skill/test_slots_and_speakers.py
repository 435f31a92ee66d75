"""Pure pieces: Alexa DATE/TIME slot values, who is speaking (core.services.speakers), link codes, SSML."""
from datetime import date, timedelta, timezone

import pytest

from core.services import couples, linking, speakers
from skill.handlers.slots import local_day, minute_of_day
from skill.speech import MAX_SSML, phone_words, ssml

UTC = timezone.utc
TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize("value,expected", [
    ("18:00", 18 * 60), ("06:30", 6 * 60 + 30), ("T18:00", 18 * 60), ("21:45:00", 21 * 60 + 45), ("00:00", 0),
    ("MO", 9 * 60), ("AF", 15 * 60), ("EV", 19 * 60), ("NI", 20 * 60), ("ev", 19 * 60),
    ("24:00", None), ("12:60", None), ("PRESENT_REF", None), ("", None), (None, None), ("six", None),
])
def test_minute_of_day(value, expected):
    assert minute_of_day(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("2026-11-24", date(2026, 11, 24)), ("PRESENT_REF", TODAY), ("2026-11-24T18:00", date(2026, 11, 24)),
    ("XXXX-12-24", date(2026, 12, 24)), ("XXXX-11-01", date(2027, 11, 1)), ("XXXX-02-29", date(2028, 2, 29)),
    ("2026-W48-WE", date(2026, 11, 28)), ("2026-W48", None), ("2026-11", None), ("2026", None), ("201X", None),
    ("2026-WI", None), ("2026-02-30", None), ("2026-W60-WE", None), ("", None), (None, None),
])
def test_local_day(value, expected):
    assert local_day(value, TODAY) == expected


def test_speaker_resolution(session, clock):
    alex = couples.create_couple(session, "Alex Rivera", "+14155550100", clock(), "America/Los_Angeles")
    sam = couples.invite_partner(session, alex, "+14155550101", "Sam", clock())
    assert not speakers.resolve_speaker(session, "user", None, None).linked
    alex.alexa_user_id = sam.alexa_user_id = "user"
    session.flush()
    both = speakers.resolve_speaker(session, "user", None, None)
    assert both.ambiguous and both.partner is None
    assert speakers.resolve_speaker(session, "user", None, sam.id).partner is sam
    assert speakers.resolve_speaker(session, "user", None, 9999).ambiguous  # a stale or forged choice is ignored
    alex.alexa_person_id = "p-alex"
    by_voice = speakers.resolve_speaker(session, "user", "p-alex", sam.id)
    assert by_voice.partner is alex and by_voice.by_voice
    assert speakers.resolve_speaker(session, "user", "p-guest", None).partner is sam  # Sam has no profile
    assert speakers.pick_by_name((alex, sam), " alex ") is alex and speakers.pick_by_name((alex, sam), "alex rivera") is alex
    assert speakers.pick_by_name((alex, sam), "Rivera") is None and speakers.pick_by_name((alex, sam), None) is None


def test_link_code_is_reused_while_fresh(session, clock):
    first = linking.link_code(session, "user", "p-1", clock())
    assert linking.link_code(session, "user", "p-1", clock() + timedelta(minutes=4)) == first
    assert linking.link_code(session, "user", None, clock()) != first  # another person: another code
    assert linking.link_code(session, "user", "p-1", clock() + timedelta(minutes=6)) != first  # too little time left
    partner = couples.create_couple(session, "Alex", "+14155550100", clock(), "America/Los_Angeles")
    linking.complete_link(session, partner, first, clock())
    assert linking.link_code(session, "user", "p-1", clock()) != first  # used codes are never spoken again


def test_ssml_is_escaped_and_capped():
    assert ssml('a < b & "c"') == "a &lt; b &amp; &quot;c&quot;"
    assert ssml("bell\x07") == "bell "
    long = ssml("&" * 5000)
    assert len(long) <= MAX_SSML + 3 and long.endswith("&amp;...")


def test_phone_words():
    assert phone_words("+14155550199") == "4 1 5, 5 5 5, 0 1 9 9"
    assert phone_words("+447700900123") == "4 4 7 7 0 0 9 0 0 1 2 3"
