"""The trust pact inside the weekly ritual: a new agreement is celebrated as a small win (once), and the
weekly check-in revisits the couple's agreed agreements in turn, never a mere proposal."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.models import OutboundMessage, PactAction, SmallWin, TextKind
from core.services import pact, weekly_checkin
from devkit.seeding import seed_couple


@pytest.fixture
def pair(session, clock):
    return seed_couple(session, clock(), "America/Los_Angeles")


def wins(session):
    return session.scalar(select(func.count(SmallWin.id)))


def test_a_new_agreement_is_one_small_win_for_both(session, pair, clock):
    alex, sam = pair
    pact.propose(session, alex, PactAction.ADD, clock(), text="we check in every evening")
    assert wins(session) == 0  # a proposal alone is nothing to celebrate

    pact.agree(session, sam, None, clock())

    assert wins(session) == 1
    told = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.SMALL_WIN)).all()
    assert {m.partner_id for m in told} == {alex.id, sam.id}
    assert all("A new agreement in your pact" in m.body for m in told)


def test_the_weekly_check_in_revisits_agreed_ones_in_turn(session, pair, clock):
    alex, sam = pair
    assert weekly_checkin.pact_revisit(session, alex.couple, clock()) is None
    pact.propose(session, alex, PactAction.ADD, clock(), text="we check in every evening")
    assert weekly_checkin.pact_revisit(session, alex.couple, clock()) is None  # not agreed yet
    pact.agree(session, sam, None, clock())
    pact.propose(session, sam, PactAction.ADD, clock(), text="I tell you when plans change")
    pact.agree(session, alex, None, clock())

    seen = {weekly_checkin.pact_revisit(session, alex.couple, clock() + timedelta(weeks=n)) for n in range(4)}

    assert seen == {"We check in every evening", "I tell you when plans change"}
