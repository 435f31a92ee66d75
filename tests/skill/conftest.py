"""Skill fixtures: the real app over the test runtime, a couple (Alex linked to this Echo, Sam not yet),
and an Alexa conversation driver posting real envelopes to /alexa."""
from types import SimpleNamespace

import pytest

from core.services import couples
from skill import build_skill
from tests.conftest import make_settings
from tests.skill.envelopes import SKILL_ID, USER_ID, Alexa

OUR_NUMBER = "+14155550199"
ALEX_PHONE, SAM_PHONE = "+14155550100", "+14155550101"


def make_app(runtime, **skill_options):
    """The real app; `skill_options` (trusted_roots, fetch, settings_api) rebuild its skill for a test."""
    from app import create_app
    app = create_app(runtime=runtime)
    if skill_options:
        app.extensions["alexa_skill"] = build_skill(runtime, **skill_options)
    return app


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER)


@pytest.fixture
def app(runtime):
    return make_app(runtime)


@pytest.fixture
def couple(tx, clock):
    """Alex (texts on, linked to USER_ID without a voice profile) and Sam (texts on, not linked)."""
    with tx() as s:
        alex = couples.create_couple(s, "Alex", ALEX_PHONE, clock(), "America/Los_Angeles")
        alex.alexa_user_id = USER_ID
        sam = couples.invite_partner(s, alex, SAM_PHONE, "Sam", clock())
        couples.accept_invite(s, sam, clock())
        s.flush()
        return SimpleNamespace(alex=alex.id, sam=sam.id, couple=alex.couple_id)


@pytest.fixture
def alexa(client, clock):
    return Alexa(client, clock)



