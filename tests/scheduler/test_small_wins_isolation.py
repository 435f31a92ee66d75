"""One couple's bad data (a time zone this machine no longer knows) never stops the small-wins pass for
everyone else: it is logged, and the other couples are still looked at and moved to their next check."""
import logging
from datetime import datetime, timezone

from core.models import Couple, Partner
from core.services import small_wins

LA = "America/Los_Angeles"
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)


def test_a_couple_with_an_unknown_time_zone_is_skipped_and_logged(make_world, caplog):
    world = make_world(MONDAY)
    broken, _ = world.couple(LA, ("+14155550139", "+14155550140"))
    fine, _ = world.couple(LA, ("+14155550141", "+14155550142"))
    with world.tx() as session:
        session.get(Partner, broken).couple.timezone = "Atlantis/Lost_City"

    with caplog.at_level(logging.ERROR), world.tx() as session:
        handled = small_wins.plan_wins(session, MONDAY)

    assert handled == 2
    assert "small wins failed; looking again in an hour" in caplog.text
    with world.tx() as session:
        for partner_id in (broken, fine):
            couple = session.get(Couple, session.get(Partner, partner_id).couple_id)
            assert couple.next_win_check_at == MONDAY + small_wins.CHECK_EVERY
