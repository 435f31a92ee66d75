"""Linking Alexa to a partner: a 6-digit code, valid ten minutes, used once; a voice profile belongs to
one partner at a time."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.crypto import keyed
from core.errors import InvalidInput, NotFound
from core.models import ALEXA_PERSON, ALEXA_USER, PairingCode
from core.services import couples, linking

LA = "America/Los_Angeles"
DEVICE = "amzn1.ask.account.SHARED-ECHO"


def user_key(user_id):
    return keyed(ALEXA_USER, user_id)  # Alexa ids are stored as keyed digests


def person_key(person_id):
    return keyed(ALEXA_PERSON, person_id)


@pytest.fixture
def pair(session, clock):
    alex = couples.create_couple(session, "Alex", "+14155550100", clock(), LA)
    sam = couples.invite_partner(session, alex, "+14155550132", "Sam", clock())
    couples.accept_invite(session, sam, clock())
    return alex, sam


def test_a_link_code_is_six_digits_valid_ten_minutes(session, clock):
    code = linking.start_link(session, DEVICE, "amzn1.ask.person.ALEX", clock())
    assert re.fullmatch(r"[1-9][0-9]{5}", code)
    row = session.scalar(select(PairingCode).where(PairingCode.code == code))
    assert (row.kind, row.alexa_user_id, row.alexa_person_id) == (
        "link", user_key(DEVICE), person_key("amzn1.ask.person.ALEX"))
    assert (row.expires_at, row.used_at, row.partner_id) == (clock() + timedelta(minutes=10), None, None)


def test_codes_differ(session, clock):
    codes = {linking.start_link(session, DEVICE, None, clock()) for _ in range(20)}
    assert len(codes) == 20


def test_a_code_needs_an_alexa_user(session, clock):
    with pytest.raises(InvalidInput) as error:
        linking.start_link(session, "", None, clock())
    assert error.value.reason == "no_user"


def test_completing_a_link_ties_the_device_and_voice_to_the_partner(session, pair, clock):
    alex, _ = pair
    code = linking.start_link(session, DEVICE, "person-alex", clock())
    later = clock() + timedelta(minutes=9, seconds=59)
    row = linking.complete_link(session, alex, code, later)
    assert (row.used_at, row.partner_id) == (later, alex.id)
    assert (alex.alexa_user_id, alex.alexa_person_id) == (user_key(DEVICE), person_key("person-alex"))
    assert linking.partners_for_alexa(session, DEVICE) == [alex]


def test_a_code_expires_after_ten_minutes(session, pair, clock):
    alex, _ = pair
    code = linking.start_link(session, DEVICE, None, clock())
    with pytest.raises(NotFound) as error:
        linking.complete_link(session, alex, code, clock() + timedelta(minutes=10))
    assert error.value.reason == "bad_code"
    assert alex.alexa_user_id is None


def test_a_code_is_used_once(session, pair, clock):
    alex, sam = pair
    code = linking.start_link(session, DEVICE, None, clock())
    linking.complete_link(session, alex, code, clock())
    with pytest.raises(NotFound) as error:
        linking.complete_link(session, sam, code, clock())
    assert error.value.reason == "bad_code"
    assert sam.alexa_user_id is None


@pytest.mark.parametrize("code", ["000000", "", None, "12345", "1234567"])
def test_an_unknown_code(session, pair, clock, code):
    linking.start_link(session, DEVICE, None, clock())
    with pytest.raises(NotFound) as error:
        linking.complete_link(session, pair[0], code, clock())
    assert error.value.reason == "bad_code"


def test_an_invite_code_is_not_a_link_code(session, pair, clock):
    alex, sam = pair
    session.add(PairingCode(kind="invite", code="424242", partner_id=alex.id,
                            expires_at=clock() + timedelta(days=1), created_at=clock()))
    session.flush()
    with pytest.raises(NotFound):
        linking.complete_link(session, sam, "424242", clock())


def test_the_voice_profile_moves_between_partners(session, pair, clock):
    """Both partners share one Echo; a voice profile (person id) belongs to whoever linked it last."""
    alex, sam = pair
    linking.complete_link(session, alex, linking.start_link(session, DEVICE, "person-1", clock()), clock())
    linking.complete_link(session, sam, linking.start_link(session, DEVICE, "person-1", clock()), clock())
    assert (alex.alexa_user_id, alex.alexa_person_id) == (user_key(DEVICE), None)
    assert (sam.alexa_user_id, sam.alexa_person_id) == (user_key(DEVICE), person_key("person-1"))
    assert linking.partners_for_alexa(session, DEVICE) == [alex, sam]


def test_different_voice_profiles_stay_with_each_partner(session, pair, clock):
    alex, sam = pair
    linking.complete_link(session, alex, linking.start_link(session, DEVICE, "person-a", clock()), clock())
    linking.complete_link(session, sam, linking.start_link(session, DEVICE, "person-s", clock()), clock())
    assert (alex.alexa_person_id, sam.alexa_person_id) == (person_key("person-a"), person_key("person-s"))


def test_linking_without_a_voice_profile_leaves_others_alone(session, pair, clock):
    alex, sam = pair
    linking.complete_link(session, alex, linking.start_link(session, DEVICE, "person-a", clock()), clock())
    linking.complete_link(session, sam, linking.start_link(session, DEVICE, None, clock()), clock())
    assert alex.alexa_person_id == person_key("person-a")
    assert (sam.alexa_user_id, sam.alexa_person_id) == (user_key(DEVICE), None)


def test_partners_for_an_unknown_or_empty_alexa_user(session, pair):
    assert linking.partners_for_alexa(session, "amzn1.ask.account.OTHER") == []
    assert linking.partners_for_alexa(session, "") == []


def test_a_code_already_taken_is_drawn_again(session, clock, monkeypatch):
    draws = iter([1, 1, 2])
    monkeypatch.setattr(linking.secrets, "randbelow", lambda _: next(draws))
    first = linking.start_link(session, DEVICE, None, clock())
    second = linking.start_link(session, DEVICE, None, clock())
    assert (first, second) == ("100001", "100002")
    assert session.scalar(select(func.count()).select_from(PairingCode)) == 2


def test_no_free_code_after_five_draws_is_an_error(session, clock, monkeypatch):
    monkeypatch.setattr(linking.secrets, "randbelow", lambda _: 7)
    linking.start_link(session, DEVICE, None, clock())
    with pytest.raises(RuntimeError):
        linking.start_link(session, DEVICE, None, clock())
    assert session.scalar(select(func.count()).select_from(PairingCode)) == 1


def test_remove_expired_codes(session, clock):
    linking.start_link(session, DEVICE, None, clock() - timedelta(minutes=11))
    linking.start_link(session, DEVICE, None, clock() - timedelta(minutes=10))
    kept = linking.start_link(session, DEVICE, None, clock() - timedelta(minutes=9))
    assert linking.remove_expired(session, clock()) == 2
    assert session.scalars(select(PairingCode.code)).all() == [kept]
