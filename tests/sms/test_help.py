"""HELP and HELP 2 through real signed webhooks: HELP lists the everyday commands and SAFETY and points to
HELP 2, which lists the weekly ritual, the pact, the apology and the page; each fits two segments, and both
work in any state (a stranger hears what HELP says to one) without being taken as an answer."""
import pytest
from sqlalchemy import select

from core.models import CheckIn
from core.words import texts
from core.words.segments import segments
from tests.conftest import ALEX


def test_help_points_to_help_2_and_to_safety():
    assert "HELP 2 for more" in texts.HELP and "SAFETY" in texts.HELP
    for word in ("WEEKLY", "RATE", "HARD DAY", "PACT", "APOLOGY", "LOGIN", "SAFETY"):
        assert word in texts.HELP_MORE
    assert segments(texts.HELP) <= 2 and segments(texts.HELP_MORE) <= 2


@pytest.mark.parametrize("body", ["HELP 2", "help2", "more help", "Help two"])
def test_help_2_answers_before_joining_and_after(text, body):
    stranger = "+14155550177"
    assert text(stranger, body) == text(stranger, "HELP")  # not in yet: what Trust Builder is, how to join
    text(ALEX, "JOIN Alex")
    assert text(ALEX, body) == texts.HELP_MORE


def test_help_2_is_never_kept_as_an_answer(text, couple, db):
    text(ALEX, "HELP 2")
    assert db.scalars(select(CheckIn)).all() == []
