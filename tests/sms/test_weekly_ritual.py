"""The weekly ritual by text, through real Twilio-signed webhooks: the weekly check-in (three questions, the
two-party reveal, a held answer, the focus as a promise, its time), RATE and the private trend, HARD DAY and
its day's pause, and erasure of all of it."""
import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import (Couple, InboundMessage, OutboundMessage, Partner, Promise, Setback, TextKind, Visibility,
                         WeeklyAnswer, WeeklyRating)
from core.words import segments, texts
from scheduler import jobs
from tests.sms.conftest import ALEX, SAM, count

pytestmark = pytest.mark.usefixtures("couple")

ALEX_SAYS = ("You made dinner when I was tired", "Sunday's walk felt steady", "Listening before answering")
SAM_SAYS = ("You called when you said you would", "Friday felt hard", "Being home for dinner")


def partner_row(db, phone) -> Partner:
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def check_in(text, phone, said):
    """WEEKLY, then the three answers; the replies."""
    replies = [text(phone, "WEEKLY")]
    replies += [text(phone, answer) for answer in said]
    return replies


def test_three_questions_in_a_caring_order_then_nothing_shown_until_both_answered(text, db):
    first, *answered = check_in(text, ALEX, ALEX_SAYS)

    assert first == texts.weekly_question(1, "What's one thing Sam did this week that you appreciated?")
    assert answered[0] == texts.weekly_next("What's one moment this week that felt steady, or hard?", 2)
    assert answered[1] == texts.weekly_next("What's one thing you'd like to focus on next week?", 3)
    assert answered[2].startswith(texts.WEEKLY_WAITING_PARTNER.format(partner="Sam"))
    assert text(ALEX, "WEEKLY") == texts.weekly_waiting_partner("Sam")  # nothing of Sam's, nothing of theirs
    assert count(db, WeeklyAnswer) == 3 and all(a.visibility == Visibility.SHARED for a in db.scalars(select(WeeklyAnswer)))

    sam_replies = check_in(text, SAM, SAM_SAYS)
    assert all(said not in reply for reply in sam_replies[:3] for said in ALEX_SAYS)
    assert "Alex answered too: reply WEEKLY to read theirs" in sam_replies[-1]
    assert text(SAM, "WEEKLY") == texts.weekly_reveal("Alex", ALEX_SAYS)
    assert text(ALEX, "WEEKLY") == texts.weekly_reveal("Sam", SAM_SAYS)
    told = db.scalar(select(OutboundMessage).where(OutboundMessage.kind == TextKind.WEEKLY_CHECKIN))
    assert told.partner_id == partner_row(db, ALEX).id and told.body == texts.weekly_both_answered("Sam")
    win = db.scalar(select(OutboundMessage).where(OutboundMessage.kind == TextKind.SMALL_WIN))
    assert win.body == texts.small_win("You both made time for your weekly check-in.")


def test_a_retried_webhook_keeps_one_answer(text, db):
    text(ALEX, "WEEKLY")
    first = text(ALEX, ALEX_SAYS[0], sid="SM" + "1" * 32)
    assert text(ALEX, ALEX_SAYS[0], sid="SM" + "1" * 32) == first
    assert count(db, WeeklyAnswer) == 1


def test_an_answer_that_reads_as_danger_is_held_and_looks_like_no_answer(text, db):
    text(ALEX, "WEEKLY")
    text(ALEX, ALEX_SAYS[0])
    held = text(ALEX, "I'm scared of him when he drinks")
    text(ALEX, ALEX_SAYS[2])

    assert held.startswith("I've kept that answer private; Sam won't see it. Reply SHARE IT to share it. "
                           "Weekly check-in, 3 of 3")
    assert "SAFETY" in held or "988" in held
    assert db.scalar(select(WeeklyAnswer).where(WeeklyAnswer.step == 2)).visibility == Visibility.HELD
    check_in(text, SAM, SAM_SAYS)
    shown = text(SAM, "WEEKLY")
    assert shown == texts.weekly_waiting_partner("Alex") and "scared" not in shown
    assert text(ALEX, "WEEKLY") == texts.weekly_reveal("Sam", SAM_SAYS)  # the writer may read Sam's


def test_share_it_shares_a_held_weekly_answer_and_tells_the_partner_who_finished_first(text, db):
    """The writer of a held weekly answer is asked, and decides: SHARE IT shares it after all; then the week
    is finished for both, so Sam (who finished first) hears the answers can be read."""
    text(ALEX, "WEEKLY")
    text(ALEX, ALEX_SAYS[0])
    text(ALEX, "I'm scared of him when he drinks")
    text(ALEX, ALEX_SAYS[2])
    check_in(text, SAM, SAM_SAYS)
    assert text(SAM, "WEEKLY") == texts.weekly_waiting_partner("Alex")

    assert text(ALEX, "SHARE IT") == texts.weekly_held_shared("both", "Sam")
    assert db.scalar(select(WeeklyAnswer).where(WeeklyAnswer.step == 2)).visibility == Visibility.SHARED
    said = ("You made dinner when I was tired", "I'm scared of him when he drinks", "Listening before answering")
    assert text(SAM, "WEEKLY") == texts.weekly_reveal("Alex", said)
    told = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.WEEKLY_CHECKIN)).all()
    assert [t.body for t in told if t.partner_id == partner_row(db, SAM).id] == [texts.weekly_both_answered("Alex")]
    assert text(ALEX, "SHARE IT") == texts.NOTHING_HELD  # once


def test_share_it_before_the_writer_finished_says_both_must_finish(text, db):
    text(ALEX, "WEEKLY")
    text(ALEX, "I'm afraid of what he'll do")
    assert text(ALEX, "SHARE IT") == ("Shared with Sam. They'll see your answers once you've both finished this "
                                      "week's check-in.")
    assert text(SAM, "WEEKLY") == texts.weekly_question(1, "What's one thing Alex did this week that you appreciated?")


def test_share_it_after_finishing_waits_for_the_partner(text, db):
    text(ALEX, "WEEKLY")
    text(ALEX, ALEX_SAYS[0])
    text(ALEX, "I'm afraid of what he'll do")
    text(ALEX, ALEX_SAYS[2])
    assert text(ALEX, "SHARE IT") == ("Shared with Sam. They'll see your answers once they've finished this "
                                      "week's check-in too.")


def test_acknowledgements_are_not_kept_and_the_day_question_takes_over(text, db, clock):
    text(ALEX, "WEEKLY")
    assert text(ALEX, "ok thanks") == texts.WEEKLY_ACK
    assert count(db, WeeklyAnswer) == 0
    clock.advance(minutes=5)
    text(ALEX, "Q")  # the day's question was asked after the weekly one: a plain reply answers it
    assert text(ALEX, "I felt close when we cooked").startswith("Thank you for sharing.")
    assert count(db, WeeklyAnswer) == 0
    assert text(ALEX, "WEEKLY").startswith("Weekly check-in, 1 of 3")
    assert text(ALEX, ALEX_SAYS[0]).startswith("Thank you. Weekly check-in, 2 of 3")


def test_the_focus_becomes_a_promise_with_promise_it(text, db):
    assert text(ALEX, "PROMISE IT tomorrow 7pm") == texts.FOCUS_NONE
    check_in(text, ALEX, ALEX_SAYS)
    assert text(ALEX, "PROMISE IT") == texts.focus_when("listen before answering")
    made = text(ALEX, "PROMISE IT tomorrow 7pm")
    assert made.startswith("OK: listen before answering, tomorrow at 7 PM.")
    assert db.scalar(select(Promise.text)) == "listen before answering"  # "Listening ..." read as a promise


def test_the_weekly_time_is_shared_told_and_kept_out_of_quiet_hours(text, db, clock):
    assert text(ALEX, "WEEKLY sun 7pm") == texts.told_other(texts.weekly_time_set(6, 19 * 60), "Sam")
    couple = db.scalar(select(Couple))
    assert (couple.weekly_day, couple.weekly_minute) == (6, 19 * 60)
    assert db.scalar(select(OutboundMessage.body).where(OutboundMessage.kind == TextKind.SETTING_CHANGED)) \
        == texts.weekly_time_changed("Alex", 6, 19 * 60)
    assert text(ALEX, "WEEKLY tue 11pm") == texts.problem("weekly_in_quiet", "Sam")
    assert text(ALEX, "WEEKLY someday") == texts.WEEKLY_HOW
    assert (db.scalar(select(Couple)).weekly_day, db.scalar(select(Couple)).weekly_minute) == (6, 19 * 60)


def test_rate_is_private_and_read_by_direction_over_weeks(text, db, clock):
    first = text(ALEX, "RATE 3 4 5")
    assert first == texts.rated("After 3 weekly ratings I can tell you which way things are going; 2 more to go.",
                                False)
    assert text(ALEX, "rate 4 4 5").startswith("Noted, just for you (this replaces this week's earlier one).")
    assert count(db, WeeklyRating) == 1
    for safe in (5, 6, 7):
        clock.advance(days=7)
        reply = text(ALEX, f"RATE {safe} 4 5")
    assert "Over the last four weeks, your sense of safety has risen and your trust and your sense of " \
           "connection have held steady." in reply
    assert all(str(n) not in reply for n in (6, 7))  # no single score judged or repeated
    sam_view = text(SAM, "TREND")
    assert "risen" not in sam_view and "2 more" not in sam_view and "3 more to go" in sam_view
    assert text(ALEX, "RATE 11 5 7") == texts.RATE_HOW
    raw = db.connection().exec_driver_sql("SELECT safe FROM weekly_rating").scalar()
    assert b"7" != raw and isinstance(raw, (bytes, memoryview))  # encrypted at rest


def test_hard_day_is_noted_gently_and_pauses_questions_for_a_day(text, db, clock, runtime):
    reply = text(ALEX, "we had a setback")
    assert reply == texts.hard_day_noted(True)
    assert "erased" in reply and not any(word in reply.lower() for word in ("fail", "streak", "missed"))
    paused = text(ALEX, "YES")
    assert paused.startswith("Done: no questions for you until tomorrow at")
    assert partner_row(db, ALEX).paused and not partner_row(db, SAM).paused
    assert text(ALEX, "HARD DAY") == texts.HARD_DAY_NOTED_AGAIN
    assert count(db, Setback) == 1

    clock.advance(days=1, minutes=1)
    jobs.plan(runtime)
    assert not partner_row(db, ALEX).paused
    assert db.scalar(select(Setback.pause_until)) is None
    assert "hard day on Nov 23" in text(ALEX, "TREND")


def test_no_to_the_pause_changes_nothing(text, db):
    text(ALEX, "HARD DAY")
    assert text(ALEX, "no") == texts.SETBACK_NOT_PAUSED
    assert not partner_row(db, ALEX).paused


def test_delete_my_data_removes_the_ritual_too(text, db):
    check_in(text, ALEX, ALEX_SAYS)
    check_in(text, SAM, SAM_SAYS)
    text(SAM, "WEEKLY")  # Sam's stored reply quotes Alex's answers
    text(ALEX, "RATE 5 5 5")
    text(ALEX, "HARD DAY")
    text(ALEX, "DELETE MY DATA")
    text(ALEX, "YES")

    alex = partner_row(db, SAM).couple.partners[0]
    for model in (WeeklyAnswer, WeeklyRating, Setback):
        assert count(db, model, model.partner_id == alex.id) == 0
    assert count(db, WeeklyAnswer) == 3  # Sam's own stay
    stored = [row.reply or "" for row in db.scalars(select(InboundMessage))]
    assert not any(said in reply for reply in stored for said in ALEX_SAYS)


@pytest.mark.parametrize("body", ["WEEKLY", "RATE 6 5 7", "RATE", "TREND", "HARD DAY", "PROMISE IT tue 7pm",
                                  "WEEKLY mon 9am"])
def test_every_reply_fits_two_segments(text, body):
    reply = text(ALEX, body)
    assert reply and segments.cost(reply) <= segments.GSM_LIMIT
