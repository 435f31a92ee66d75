"""The weekly summary: it speaks of the couple ("Together you answered on 9 days and kept 3 of 4
promises"), counts promises MADE in the week and kept of those, never mentions a promise not kept, never
sets the partners side by side, names one concrete small win, and keeps each partner's mood trend to them."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.models import PromiseState
from core.services import checkins, couples, promises, summary
from core.local_time import at_minute

LA = "America/Los_Angeles"
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)  # Sunday 29 November, 20:00 in LA
WEEK = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]  # Monday 23 to Sunday 29
GUILT = ("fail", "should", "missed", "not kept", "didn't", "disappoint", "blame", "shame", "lazy", "only",
         "not enough", "behind", "than sam", "than alex")


@pytest.fixture
def pair(session):
    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    alex = couples.create_couple(session, "Alex", "+14155550100", start, LA)
    sam = couples.invite_partner(session, alex, "+14155550132", "Sam", start)
    couples.accept_invite(session, sam, start)
    return alex, sam


def noon(day, hour=12) -> datetime:
    return at_minute(day, hour * 60, LA)


def answer_on(session, partner, day, hour=12, tag=""):
    checkins.record_check_in(session, partner, "an answer", "sms", f"{partner.id}:{day}:{hour}:{tag}",
                             noon(day, hour))


def promise(session, partner, made_on, due_on, state=None, text="walk the dog"):
    """A promise made at noon on `made_on`, due at 18:00 on `due_on`, settled at 19:00 that day."""
    made = promises.make_promise(session, partner, text, noon(due_on, 18), LA, noon(made_on),
                                 source_id=f"{partner.id}:{made_on}:{due_on}:{text[:40]}:{state}")
    if state:
        promises.settle(session, partner, made, state, noon(due_on, 19))
    return made


def assert_kind(text):
    lowered = text.lower()
    assert not [word for word in GUILT if word in lowered], text


# The numbers


def test_the_couple_is_counted_together_and_promises_by_when_they_were_made(session, pair):
    alex, sam = pair
    for day in (WEEK[0], WEEK[1], WEEK[2], WEEK[4], WEEK[6]):
        answer_on(session, alex, day)
    answer_on(session, alex, WEEK[1], hour=20)  # a second answer on Tuesday: still one day
    answer_on(session, alex, WEEK[0] - timedelta(days=1))  # the Sunday before: another week
    checkins.record_mood(session, sam, 4, "voice", "sam-mood", noon(WEEK[1]))  # a mood is not an answer
    answer_on(session, sam, WEEK[3])
    answer_on(session, sam, WEEK[4])
    promise(session, alex, WEEK[0], WEEK[0], "kept")
    promise(session, alex, WEEK[1], WEEK[2], "kept", text="call my mom")
    promise(session, alex, WEEK[2], WEEK[3], "missed")
    promise(session, alex, WEEK[2], WEEK[4], "cancelled")  # cancelled: not counted as made
    promise(session, sam, WEEK[5], WEEK[6] + timedelta(days=3))  # made this week, due next week: made
    promise(session, alex, WEEK[0] - timedelta(days=3), WEEK[1], "kept")  # made last week: not this week's

    week = summary.weekly_summary(session, alex, NOW)
    assert week.week == summary.CoupleWeek(answer_days=7, promises_made=4, promises_kept=2, shared_days=1)
    text = week.text()
    assert text.startswith("Together you answered on 7 days and kept 2 of 4 promises this week.")
    assert "Small win: you kept your promise to call your mom." in text
    assert_kind(text)


def test_both_partners_hear_the_same_couple_figures_and_no_side_by_side(session, pair):
    alex, sam = pair
    for day in WEEK[:6]:
        answer_on(session, alex, day)
    answer_on(session, sam, WEEK[0])
    alex_text = summary.weekly_summary(session, alex, NOW).text()
    sam_text = summary.weekly_summary(session, sam, NOW).text()
    opening = "Together you answered on 7 days this week."
    assert alex_text.startswith(opening) and sam_text.startswith(opening)
    for text, other in ((alex_text, "Sam"), (sam_text, "Alex")):
        assert other not in text  # nobody's own numbers, nobody named against the other
        assert "6 days" not in text and "1 day" not in text.replace("1 day.", "")
        assert_kind(text)


def test_the_week_is_the_last_seven_local_days(session, pair):
    alex, _ = pair
    monday_start = at_minute(WEEK[0], 0, LA)  # 08:00 UTC on the 23rd
    promises.make_promise(session, alex, "a", monday_start + timedelta(days=1), LA, monday_start, source_id="in")
    promises.make_promise(session, alex, "b", monday_start + timedelta(days=1), LA,
                          monday_start - timedelta(minutes=1), source_id="before")  # 23:59 the Sunday before
    answer_on(session, alex, WEEK[6], hour=23)  # 07:00 UTC on the 30th, still Sunday in LA
    week = summary.weekly_summary(session, alex, NOW).week
    assert (week.answer_days, week.promises_made, week.promises_kept) == (1, 1, 0)


def test_a_week_of_promises_not_kept_never_mentions_them(session, pair):
    alex, _ = pair
    for n in range(3):
        promise(session, alex, WEEK[1], WEEK[1 + n], "missed", text=f"task {n}")
    text = summary.weekly_summary(session, alex, NOW).text()
    assert text.startswith("You made 3 promises this week.") or text.startswith("Together you made 3 promises")
    assert "kept" not in text
    assert "fresh start" in text
    assert_kind(text)


def test_no_promises_means_no_promise_words(session, pair):
    alex, _ = pair
    answer_on(session, alex, WEEK[0])
    text = summary.weekly_summary(session, alex, NOW).text()
    assert text.startswith("Together you answered on 1 day this week. ")
    assert "promise" not in text


def test_a_partner_who_erased_their_data_is_left_out(session, pair):
    alex, sam = pair
    answer_on(session, alex, WEEK[0])
    answer_on(session, sam, WEEK[1])
    couples.erase_partner(session, sam, NOW)
    text = summary.weekly_summary(session, alex, NOW).text()
    assert text.startswith("You answered on 1 day this week.")
    assert "deleted" not in text


def test_someone_without_a_partner_gets_a_summary(session):
    alone = couples.create_couple(session, "Alex", "+16505550199", NOW - timedelta(days=30), LA)
    answer_on(session, alone, WEEK[2])
    assert summary.weekly_summary(session, alone, NOW).text() == (
        "You answered on 1 day this week. Small win: you made time to answer. Every honest answer counts.")


def test_an_empty_week_is_a_fresh_start(session, pair):
    alex, _ = pair
    text = summary.weekly_summary(session, alex, NOW).text()
    assert text == "A quiet week, and that's OK. This week is a fresh start: one honest answer today is enough."


# The small win


def test_the_small_win_is_concrete_days_you_both_answered(session, pair):
    alex, sam = pair
    for day in WEEK[:3]:
        answer_on(session, alex, day)
        answer_on(session, sam, day)
    assert "Small win: you both answered on the same day 3 times." in summary.weekly_summary(session, alex, NOW).text()


def test_a_partners_kept_promise_is_quoted_only_when_they_chose_to_tell(session, pair):
    alex, sam = pair
    kept = promise(session, alex, WEEK[2], WEEK[3], "kept", text="cook for Sam")
    assert "cook" not in summary.weekly_summary(session, sam, NOW).text()
    kept.wants_thanks = True
    session.flush()
    assert "Small win: Alex kept their promise to cook for you." in summary.weekly_summary(session, sam, NOW).text()


@pytest.mark.parametrize("task, to_author, to_partner", [
    ("call my mom", "call your mom", "call their mom"),
    ("I'll do the dishes", "do the dishes", "do the dishes"),
    ("take Sam to dinner", "take Sam to dinner", "take you to dinner"),
    ("fix Sam's bike", "fix Sam's bike", "fix your bike"),
    ("text you at lunch", "text them at lunch", "text you at lunch"),
])
def test_small_wins_read_naturally_for_any_task(session, pair, task, to_author, to_partner):
    alex, sam = pair
    kept = promise(session, alex, WEEK[2], WEEK[3], "kept", text=task)
    kept.wants_thanks = True
    session.flush()
    assert f"Small win: you kept your promise to {to_author}." in summary.weekly_summary(session, alex, NOW).text()
    assert f"Small win: Alex kept their promise to {to_partner}." in summary.weekly_summary(session, sam, NOW).text()


# Moods: each partner's own trend, only to them


def test_a_mood_trend_is_told_only_to_its_owner(session, pair):
    alex, sam = pair
    for n, day in enumerate(WEEK[:3]):
        checkins.record_mood(session, alex, 2, "sms", f"before{n}", noon(day - timedelta(days=7)))
        checkins.record_mood(session, alex, 4, "sms", f"now{n}", noon(day))
    alex_text = summary.weekly_summary(session, alex, NOW).text()
    assert "Your own mood notes were brighter than last week." in alex_text
    assert "mood" not in summary.weekly_summary(session, sam, NOW).text()


def test_a_lower_mood_is_met_gently(session, pair):
    alex, _ = pair
    checkins.record_mood(session, alex, 5, "sms", "before", noon(WEEK[0] - timedelta(days=7)))
    checkins.record_mood(session, alex, 2, "sms", "now", noon(WEEK[0]))
    text = summary.weekly_summary(session, alex, NOW).text()
    assert "dipped a little this week; be gentle with yourself" in text
    assert_kind(text)


# Three weeks in decline: the summary no longer says it (one counsellor rule, in core.services.setbacks)


def three_weeks(session, alex, sam, days_per_week):
    for weeks_back, days in zip((2, 1, 0), days_per_week):
        week = [day - timedelta(days=7 * weeks_back) for day in WEEK]
        for partner in (alex, sam):
            for day in week[:days]:
                answer_on(session, partner, day)


@pytest.mark.parametrize("days", [(5, 3, 1), (5, 5, 1), (1, 3, 5)])
def test_the_summary_carries_no_counsellor_line_of_its_own(session, pair, days):
    alex, sam = pair
    three_weeks(session, alex, sam, days)
    week = summary.weekly_summary(session, alex, NOW)
    assert "counsellor" not in week.text() and not hasattr(week, "declining")
    assert_kind(week.text())


def test_summaries_fit_two_segments(session, pair):
    from core.words import segments, texts
    alex, sam = pair
    three_weeks(session, alex, sam, (6, 4, 2))
    kept = promise(session, sam, WEEK[2], WEEK[3], "kept", text="x" * 200)
    kept.wants_thanks = True
    checkins.record_mood(session, alex, 1, "sms", "m", noon(WEEK[3]))
    for partner in (alex, sam):
        body = texts.weekly_summary(summary.weekly_summary(session, partner, NOW).text(), "seed")
        assert segments.fits(body), body


def test_a_first_week_of_moods_has_nothing_to_compare_and_says_nothing(session, pair):
    alex, _ = pair
    checkins.record_mood(session, alex, 3, "sms", "first", noon(WEEK[2]))
    assert "mood" not in summary.weekly_summary(session, alex, NOW).text()


def test_one_shared_day_reads_naturally(session, pair):
    alex, sam = pair
    answer_on(session, alex, WEEK[2])
    answer_on(session, sam, WEEK[2])
    assert "Small win: you both answered on the same day. " in summary.weekly_summary(session, alex, NOW).text()
