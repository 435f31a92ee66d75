"""The weekly ritual on the scheduler's clock, through the real twilio client to the fake: the weekly
check-in at the couple's chosen time (first question, figures after), within each partner's pause and
quiet hours; the pact revisit seam; small wins at most once a day; a setback's day of pause lifted by itself;
and the counsellor suggestion, once in a month."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from core import local_time
from core.models import CheckIn, Couple, CounsellorSuggestion, Partner, PromiseState, WeeklyCheckIn
from core.services import personal_settings, planner, promises, setbacks, small_wins, weekly_checkin
from core.words import texts

UTC = timezone.utc
LA = "America/Los_Angeles"
PHONES = ("+14155550161", "+14155550162")
MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles


def wall(instant: datetime) -> str:
    return local_time.local_now(instant, LA).strftime("%a %H:%M")


def test_the_weekly_check_in_comes_at_the_chosen_time_within_each_partners_rules(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, PHONES)
    with world.tx() as session:
        partner = session.get(Partner, alex)
        assert weekly_checkin.set_time(session, partner, 5, 10 * 60, world.clock())  # Saturdays at 10 AM
        personal_settings.set_quiet_hours(session, session.get(Partner, sam), 22, 11)  # Sam sleeps in

    world.advance_to(MONDAY + timedelta(days=6))

    [to_alex] = world.messages(partner_id=alex, kind="weekly_checkin")
    [to_sam] = world.messages(partner_id=sam, kind="weekly_checkin")
    assert (wall(to_alex.sent_at), wall(to_sam.sent_at)) == ("Sat 10:00", "Sat 11:00")
    assert to_alex.body.startswith(texts.weekly_checkin(1, "What's one thing Sam did this week that you appreciated?",
                                                        "")[:60])
    with world.tx() as session:
        assert weekly_checkin.reply_expected(session, session.get(Partner, sam), to_sam.sent_at + timedelta(hours=1))
        assert not weekly_checkin.reply_expected(session, session.get(Partner, sam), to_sam.sent_at + timedelta(hours=7))
    assert world.unaccounted() == []


def test_a_paused_partner_gets_no_weekly_check_in_and_the_revisit_is_kept(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, PHONES)
    with world.tx() as session:
        personal_settings.set_paused(session, session.get(Partner, sam), True)
        session.get(Couple, session.get(Partner, alex).couple_id).next_summary_at = MONDAY
        planner.plan_weekly(session, MONDAY + timedelta(days=6, hours=10),
                            revisit=lambda s, couple, now: "We check in every evening")
    assert world.messages(partner_id=sam, kind="weekly_checkin") == []
    with world.tx() as session:
        assert session.scalar(select(WeeklyCheckIn.revisit)) == "We check in every evening"
        alex_row = session.get(Partner, alex)
        now = MONDAY + timedelta(days=6, hours=11)
        for n, said in enumerate(("you cooked", "the walk", "listening")):
            done = weekly_checkin.answer(session, alex_row, said, "sms", f"a{n}", now, by_text=True)
        assert done.finished and done.revisit == "We check in every evening"
        assert "From your pact: \"We check in every evening\"" in texts.weekly_finished(
            done.reveal.status, done.reveal.partner_name, done.revisit)



def answer_every_day(world, ids, first: date, days: int):
    with world.tx() as session:
        for pid in ids:
            partner = session.get(Partner, pid)
            for n in range(days):
                day = first + timedelta(days=n)
                session.add(CheckIn(partner_id=pid, couple_id=partner.couple_id, local_date=day, question_id="q",
                                    channel="sms", text=f"answer {n}", source_id=f"{pid}-{day}",
                                    created_at=local_time.at_minute(day, 12 * 60, LA)))


def test_small_wins_are_concrete_and_at_most_one_a_day(make_world):
    world = make_world(MONDAY)
    alex, sam = world.couple(LA, PHONES)
    answer_every_day(world, (alex, sam), date(2026, 11, 17), 7)  # Tue to Mon: a full week, both
    with world.tx() as session:
        partner = session.get(Partner, alex)
        for n in range(3):
            promise = promises.make_promise(session, partner, f"call {n}", MONDAY + timedelta(hours=2 + n), LA,
                                            MONDAY)
            promises.settle(session, partner, promise, PromiseState.KEPT, MONDAY + timedelta(minutes=n + 1))

    world.advance_to(MONDAY + timedelta(hours=3))
    wins = world.messages(kind="small_win")
    assert sorted(m.partner_id for m in wins) == [alex, sam]
    assert {m.body for m in wins} == {texts.small_win("You've both answered every day this week.")}

    world.advance_to(MONDAY + timedelta(days=1, hours=1))  # the next day: the kept promises' turn
    bodies = sorted({m.body for m in world.messages(kind="small_win")})
    assert bodies == sorted({texts.small_win("You've both answered every day this week."),
                             texts.small_win("3 promises kept in a row between you.")})
    assert len(world.messages(kind="small_win")) == 4
    assert not any(word in " ".join(bodies).lower() for word in ("missed", "streak", "broke", "lost"))


def test_celebrate_refuses_a_second_win_the_same_day_and_a_win_twice(make_world):
    world = make_world(MONDAY)
    world.couple(LA, PHONES)
    with world.tx() as session:
        couple = session.get(Couple, 1)
        assert small_wins.celebrate(session, couple, small_wins.pact_agreement(7), MONDAY)
        assert not small_wins.celebrate(session, couple, small_wins.weekly_together(1), MONDAY + timedelta(hours=1))
        assert not small_wins.celebrate(session, couple, small_wins.pact_agreement(7), MONDAY + timedelta(days=1))
        assert small_wins.celebrate(session, couple, small_wins.weekly_together(1), MONDAY + timedelta(days=1))


def mood(session, partner, value: int, day: date):
    session.add(CheckIn(partner_id=partner.id, couple_id=partner.couple_id, local_date=day, question_id="q",
                        channel="sms", mood=value, source_id=f"mood-{partner.id}-{day}",
                        created_at=local_time.at_minute(day, 12 * 60, LA)))


def test_a_declining_trend_brings_the_counsellor_once_with_the_lines(make_world):
    sunday = datetime(2026, 12, 20, 20, 0, tzinfo=UTC)  # Sun 12:00 in Los Angeles
    world = make_world(sunday - timedelta(days=30))
    alex, sam = world.couple(LA, PHONES)
    world.clock.set(sunday)
    with world.tx() as session:
        partner = session.get(Partner, alex)
        today = local_time.local_date(sunday, LA)
        for weeks_back, value in zip((3, 2, 1, 0), (5, 4, 3, 1)):
            mood(session, partner, value, today - timedelta(weeks=weeks_back, days=1))
        for days_back in (1, 5, 9):
            setbacks.note_hard_day(session, partner, f"s{days_back}", sunday - timedelta(days=days_back))
        assert setbacks.declining(session, partner, sunday)
        assert not setbacks.declining(session, session.get(Partner, sam), sunday)

    world.advance_to(sunday + timedelta(hours=7))  # past 6 PM: the weekly check-in, and the note
    notes = world.messages(kind="care_note")
    assert [m.partner_id for m in notes] == [alex, alex]
    assert notes[0].body == texts.COUNSELLOR_NOTE and "988" in notes[1].body
    world.advance_to(sunday + timedelta(days=7, hours=7))  # a week on: not again within the month
    assert len(world.messages(kind="care_note")) == 2
    with world.tx() as session:
        assert len(list(session.scalars(select(CounsellorSuggestion)))) == 1
