"""Skill fixtures: the real app over the test runtime (the couple is tests/conftest.py's: Alex linked to
this Echo, Sam not yet), and an Alexa conversation driver posting real envelopes to /alexa."""
import pytest

from skill import build_skill
from tests.conftest import ALEX as ALEX_PHONE, SAM as SAM_PHONE, make_settings  # noqa: F401
from tests.skill.envelopes import SKILL_ID, USER_ID, Alexa

OUR_NUMBER = "+14155550199"


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
def alexa(client, clock):
    return Alexa(client, clock)
