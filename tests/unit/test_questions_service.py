"""Today's question through the service: one per couple per local date, the same for both partners all
day, stored once, no repeats until the bank is exhausted over a simulated year, in each couple's zone."""
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from core import local_time
from sqlalchemy import event, func, select

from core.models import Couple, DailyPrompt, QuestionHeard
from core.services import checkins, couples, questions
from core.local_time import at_minute
from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question

LA, NZ = "America/Los_Angeles", "Pacific/Auckland"
UTC = timezone.utc


def make_couple(session, tz, now, phones=("+14155550100", "+14155550132")):
    """Two partners who both said yes, in zone `tz`."""
    first = couples.create_couple(session, "Alex", phones[0], now, tz)
    second = couples.invite_partner(session, first, phones[1], "Sam", now)
    couples.accept_invite(session, second, now)
    return first, second


@pytest.fixture
def pair(session, clock):
    return make_couple(session, LA, clock())


def prompts_stored(session, couple_id) -> list[tuple[date, str]]:
    return list(session.execute(select(DailyPrompt.local_date, DailyPrompt.question_id)
                                .where(DailyPrompt.couple_id == couple_id).order_by(DailyPrompt.local_date)))


def tiny_bank(*ids) -> QuestionBank:
    return QuestionBank(tuple(Question(qid, "honesty", f"Question {qid}?", "Tip.") for qid in ids))


# One question a day, the same for both


def test_both_partners_get_the_same_question_all_day_stored_once(session, pair, clock):
    alex, sam = pair
    morning = at_minute(date(2026, 11, 23), 0, LA)
    night = at_minute(date(2026, 11, 24), 0, LA) - timedelta(seconds=1)
    asked = {questions.todays_question(session, partner.couple, when)
             for partner in (alex, sam) for when in (morning, clock(), night)}
    assert len(asked) == 1
    (day, question), = asked
    assert day == date(2026, 11, 23)
    assert prompts_stored(session, alex.couple_id) == [(day, question.id)]


def test_the_next_local_day_brings_a_new_question(session, pair, clock):
    couple = pair[0].couple
    _, today = questions.todays_question(session, couple, clock())
    day, tomorrow = questions.todays_question(session, couple, clock() + timedelta(days=1))
    assert day == date(2026, 11, 24)
    assert tomorrow.id != today.id
    assert len(prompts_stored(session, couple.id)) == 2


def test_the_question_follows_the_rule_with_the_couples_seed(session, pair, clock):
    couple = pair[0].couple
    _, question = questions.todays_question(session, couple, clock())
    assert question == choose_question(load_bank(), [], f"{couple.id}:2026-11-23")


def test_a_stored_question_survives_a_new_transaction(runtime, tx, clock):
    with tx() as session:
        alex, _ = make_couple(session, LA, clock())
        _, first = questions.todays_question(session, alex.couple, clock())
    with tx() as session:
        couple = session.get(Couple, alex.couple_id)
        assert questions.todays_question(session, couple, clock() + timedelta(hours=8))[1] == first
        assert session.scalar(select(func.count()).select_from(DailyPrompt)) == 1


def test_check_ins_of_both_partners_carry_the_days_question(session, pair, clock):
    alex, sam = pair
    mine, _ = checkins.record_check_in(session, alex, "mine", "sms", "SM1", clock())
    theirs, _ = checkins.record_check_in(session, sam, "theirs", "voice", "req-2", clock() + timedelta(hours=9))
    _, question = questions.todays_question(session, alex.couple, clock())
    assert mine.question_id == theirs.question_id == question.id


def test_two_servers_choosing_at_once_keep_one_question(runtime, clock):
    """Another worker stores the day's question between our look and our insert: theirs stands."""
    with runtime.sessions() as setup:
        alex, _ = make_couple(setup, LA, clock())
        setup.commit()
    first = runtime.sessions()
    second = runtime.sessions()
    results, errors = [], []
    try:
        results.append(questions.todays_question(first, first.get(Couple, alex.couple_id), clock()))

        def race():
            try:
                results.append(questions.todays_question(second, second.get(Couple, alex.couple_id), clock()))
                second.commit()
            except Exception as error:  # collected and asserted on below
                errors.append(error)

        worker = threading.Thread(target=race)
        worker.start()
        time.sleep(0.5)  # the second session now waits on the first one's uncommitted row
        first.commit()
        worker.join(timeout=30)
    finally:
        first.close()
        second.close()
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    with runtime.sessions() as check:
        assert len(prompts_stored(check, alex.couple_id)) == 1


def test_a_question_dropped_from_the_bank_is_replaced_for_both(session, pair, clock):
    alex, sam = pair
    old_bank, new_bank = tiny_bank("old-1"), tiny_bank("new-1", "new-2")
    assert questions.todays_question(session, alex.couple, clock(), old_bank)[1].id == "old-1"
    day, replaced = questions.todays_question(session, alex.couple, clock(), new_bank)
    assert replaced.id in new_bank
    assert questions.todays_question(session, sam.couple, clock() + timedelta(hours=3), new_bank)[1] == replaced
    assert prompts_stored(session, alex.couple_id) == [(day, replaced.id)]


def test_a_question_still_in_the_bank_is_kept(session, pair, clock):
    couple = pair[0].couple
    _, first = questions.todays_question(session, couple, clock(), tiny_bank("a", "b", "c"))
    bigger = tiny_bank("a", "b", "c", "d", "e")
    assert questions.todays_question(session, couple, clock(), bigger)[1] == first


# Each couple's own calendar


def test_the_same_instant_is_a_different_date_in_auckland_and_los_angeles(session, clock):
    la_alex, _ = make_couple(session, LA, clock())
    nz_alex, _ = make_couple(session, NZ, clock(), phones=("+16505550199", "+12125551234"))
    instant = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 01:00 on the 24th in Auckland, 04:00 on the 23rd in LA
    assert questions.todays_question(session, nz_alex.couple, instant)[0] == date(2026, 11, 24)
    assert questions.todays_question(session, la_alex.couple, instant)[0] == date(2026, 11, 23)
    assert [d for d, _ in prompts_stored(session, nz_alex.couple_id)] == [date(2026, 11, 24)]
    assert [d for d, _ in prompts_stored(session, la_alex.couple_id)] == [date(2026, 11, 23)]


def test_auckland_turns_the_page_at_its_own_midnight(session, clock):
    la_alex, _ = make_couple(session, LA, clock())
    nz_alex, _ = make_couple(session, NZ, clock(), phones=("+16505550199", "+12125551234"))
    before = datetime(2026, 11, 23, 10, 59, 59, tzinfo=UTC)  # 23:59:59 on the 23rd in Auckland (NZDT, +13)
    after = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # midnight there; still 03:00 on the 23rd in LA
    nz_before = questions.todays_question(session, nz_alex.couple, before)
    nz_after = questions.todays_question(session, nz_alex.couple, after)
    assert (nz_before[0], nz_after[0]) == (date(2026, 11, 23), date(2026, 11, 24))
    assert nz_before[1] != nz_after[1]
    assert questions.todays_question(session, la_alex.couple, before) == \
        questions.todays_question(session, la_alex.couple, after)


# A simulated year through the service


def simulate_year(runtime, tz, phones, days=365) -> tuple[int, list[str]]:
    """Ask for the day's question at 19:00 local, one transaction a day, as the scheduler would."""
    with runtime.sessions() as session:
        alex, _ = make_couple(session, tz, datetime(2026, 1, 1, tzinfo=UTC), phones)
        session.commit()
        couple_id = alex.couple_id
    given = []
    for offset in range(days):
        day = date(2026, 1, 1) + timedelta(days=offset)
        with runtime.sessions() as session:
            local_day, question = questions.todays_question(session, session.get(Couple, couple_id),
                                                            at_minute(day, 19 * 60, tz))
            session.commit()
        assert local_day == day
        given.append(question.id)
    return couple_id, given


@pytest.mark.parametrize("tz, phones", [(NZ, ("+16505550199", "+12125551234")),
                                        (LA, ("+14155550100", "+14155550132"))])
def test_a_year_has_no_repeat_until_the_bank_is_exhausted(runtime, tz, phones):
    bank = load_bank()
    assert 200 <= len(bank) < 365
    couple_id, year = simulate_year(runtime, tz, phones)
    cycles = [year[start:start + len(bank)] for start in range(0, len(year), len(bank))]
    assert [len(c) for c in cycles] == [len(bank), 365 - len(bank)]
    for cycle in cycles:
        assert len(set(cycle)) == len(cycle)
    for cycle in cycles[:1]:
        assert set(cycle) == {q.id for q in bank}
    themes = [bank.by_id(qid).theme for qid in year]
    assert all(a != b for a, b in zip(themes, themes[1:]))
    # The service gives exactly what the pure rule gives with the couple's seed, age in days and roles.
    joined = local_time.local_date(datetime(2026, 1, 1, tzinfo=UTC), tz)  # Dec 31 in Los Angeles
    expected = []
    for offset in range(365):
        day = date(2026, 1, 1) + timedelta(days=offset)
        expected.append(choose_question(bank, expected, f"{couple_id}:{day.isoformat()}",
                                        age_days=(day - joined).days, roles=("unsaid", "unsaid")).id)
    assert year == expected
    with runtime.sessions() as session:
        assert [qid for _, qid in prompts_stored(session, couple_id)] == year


# Who has heard it


def test_mark_heard_once_per_partner_per_local_day(session, pair, clock):
    alex, sam = pair
    assert questions.mark_heard(session, alex, "voice", clock()) is True
    assert questions.mark_heard(session, alex, "sms", clock() + timedelta(hours=3)) is False
    assert questions.mark_heard(session, sam, "sms", clock()) is True
    assert questions.has_heard(session, alex, date(2026, 11, 23))
    assert not questions.has_heard(session, alex, date(2026, 11, 24))
    assert questions.mark_heard(session, alex, "sms", clock() + timedelta(days=1)) is True
    rows = session.execute(select(QuestionHeard.local_date, QuestionHeard.channel)
                           .where(QuestionHeard.partner_id == alex.id).order_by(QuestionHeard.local_date)).all()
    assert rows == [(date(2026, 11, 23), "voice"), (date(2026, 11, 24), "sms")]


def test_mark_heard_uses_the_couples_local_date(session, clock):
    alex, _ = make_couple(session, NZ, clock())
    questions.mark_heard(session, alex, "voice", datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    assert questions.has_heard(session, alex, date(2026, 11, 24))
    assert not questions.has_heard(session, alex, date(2026, 11, 23))


# What a turn learns of a partner's day is read once, and forgotten when it may no longer hold


def _counting(session):
    seen = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql))
    return seen


def test_the_day_is_read_in_one_statement_and_asked_again_for_free(session, pair, clock):
    alex, _ = pair
    questions.todays_question(session, alex.couple, clock())  # the topic is stored
    session.commit()
    seen = _counting(session)
    today = questions.today_for(session, alex, clock())
    assert (today.heard, today.answered) == (False, False)
    assert today.words == questions.personal_question(session, alex, clock())[2]
    assert questions.has_heard(session, alex, today.day) is False
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
    assert questions.mark_heard(session, alex, "voice", clock()) is True
    assert questions.today_for(session, alex, clock()).heard is True  # its own write is known


def test_a_rolled_back_savepoint_takes_what_it_taught_the_session_with_it(session, pair, clock):
    alex, _ = pair
    day, _ = questions.todays_question(session, alex.couple, clock())
    try:
        with session.begin_nested():
            assert questions.mark_heard(session, alex, "voice", clock()) is True
            assert questions.has_heard(session, alex, day) is True
            raise RuntimeError("the turn failed after the mark")
    except RuntimeError:
        pass
    assert questions.has_heard(session, alex, day) is False  # read again: the mark was rolled back
    assert session.scalar(select(func.count()).select_from(QuestionHeard)) == 0


def test_after_a_commit_the_day_is_read_again_so_another_servers_skip_is_seen(runtime, session, pair, clock):
    alex, sam = pair
    before = questions.personal_question(session, alex, clock())[1]
    session.commit()
    with runtime.sessions() as other:  # Sam skips the topic elsewhere (no one has answered yet)
        swapped = questions.skip(other, other.get(type(sam), sam.id), clock())
        other.commit()
    assert swapped.kind == "topic" and swapped.question.id != before.id
    assert questions.personal_question(session, alex, clock())[1].id == swapped.question.id
