"""core.services.history and export against the day's own rules: for every day, what history shows of the
partner is exactly what checkins.reveal_partner_answer gives on that day; a year made by devkit/history.py
keeps private words out of the partner's view and the report."""
from datetime import timedelta

from sqlalchemy import select

from core import local_time
from core.models import Partner, ReportConsent
from core.services import checkins, couples, export, history
from devkit.history import seed_history


def test_history_reveals_exactly_what_the_day_itself_would(runtime, clock, couple, tx):
    seed_history(runtime, clock, couple.alex, couple.sam, days=21, seed=3)
    with tx() as s:
        alex = s.get(Partner, couple.alex)
        today = local_time.local_date(clock(), alex.couple.timezone)
        shown = history.days_between(s, alex, today - timedelta(days=21), today, today, clock())
    both = 0
    for n in range(21, 0, -1):
        day_start = clock() - timedelta(days=n)
        with tx() as s:
            alex = s.get(Partner, couple.alex)
            day = local_time.local_date(day_start, alex.couple.timezone)
            reveal = checkins.reveal_partner_answer(s, alex, day_start)
            s.rollback()
        seen = shown.get(day)
        assert (" ".join(seen.theirs) if seen and seen.theirs else None) == \
            (reveal.text if reveal.status == "both" else None), day
        both += reveal.status == "both"
    assert 5 < both < 21  # days of both kinds were compared


def test_a_year_never_shows_private_words_to_the_partner(runtime, clock, couple, tx):
    seed_history(runtime, clock, couple.alex, couple.sam, days=60, seed=11)
    with tx() as s:
        sam = s.get(Partner, couple.sam)
        weeks = history.weeks(s, sam, clock(), count=10)
        theirs = [w for week in weeks for d in week.days for w in d.theirs]
        mine = [e for week in weeks for d in week.days for e in d.mine]
    assert theirs and all("just for me" not in words for words in theirs)
    assert any(e.kind == "private" for e in mine)  # Sam's own private notes are Sam's to see


def test_erasure_ends_the_couples_report_consents(runtime, clock, couple, tx):
    with tx() as s:
        alex, sam = s.get(Partner, couple.alex), s.get(Partner, couple.sam)
        export.consent(s, alex, ["answers"], clock())
        export.consent(s, sam, ["answers"], clock())
        couples.erase_partner(s, sam, clock())
    with tx() as s:
        assert s.scalars(select(ReportConsent)).all() == []
