"""The daily habit by text: question, answers, moods, SHARE, promises, thinking of you, preferences, LINK."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from core.crypto import keyed, phone_digest
from core.models import ALEXA_USER, CheckIn, Couple, OutboundMessage, Partner, Promise, QuestionHeard
from core.services import linking, questions
from core.words import segments, texts
from tests.sms.conftest import ALEX, SAM, count

pytestmark = pytest.mark.usefixtures("couple")


ONBOARDING = ("invitation", "role_question")  # texts every joined couple was sent


def partner_row(db, phone) -> Partner:
    """One partner, read fresh."""
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def couple_row(db) -> Couple:
    """The one couple, read fresh."""
    db.expire_all()
    return db.scalar(select(Couple))


def test_question_is_todays_for_both_and_marks_it_heard(text, db, clock):
    reply = text(ALEX, "what's the question?")

    _, asked = questions.todays_question(db, couple_row(db), clock())
    assert reply == texts.question(asked.text)
    assert db.scalar(select(QuestionHeard.channel)) == "sms"


def test_answer_is_stored_encrypted_and_thanked(text, db):
    reply = text(ALEX, "  I felt heard when you asked about my day  ")

    check_in = db.scalar(select(CheckIn))
    assert reply == texts.answer_saved("waiting_partner", "Sam")
    assert (check_in.text, check_in.channel, check_in.mood) == ("I felt heard when you asked about my day", "sms", None)
    assert text(SAM, "Me too").startswith("Thank you for sharing. Alex answered too")


def test_a_texted_my_answer_is_is_stored_and_shared_without_the_prefix(text, db):
    text(ALEX, "My answer is: I felt heard tonight")
    text(SAM, "Me too")

    assert db.scalar(select(CheckIn).where(CheckIn.channel == "sms").order_by(CheckIn.id)).text == "I felt heard tonight"
    assert text(SAM, "SHARE") == texts.shared("Alex", "I felt heard tonight")


@pytest.mark.parametrize("body, mood", [("MOOD 4", 4), ("mood five", 5), ("Mood: 1", 1)])
def test_mood_is_kept(text, db, body, mood):
    assert text(ALEX, body) == texts.mood_saved(mood)
    assert db.scalar(select(CheckIn.mood)) == mood


@pytest.mark.parametrize("body", ["MOOD 9", "MOOD 0", "MOOD", "MOOD 3.5"])
def test_mood_out_of_range_asks_gently(text, db, body):
    assert text(ALEX, body) == texts.MOOD_HOW
    assert count(db, CheckIn) == 0


def test_share_waits_for_both_and_fits_an_emoji_answer(text):
    assert text(SAM, "SHARE") == texts.share_waiting_you("Alex")
    text(SAM, "ok, I felt seen today")
    assert text(SAM, "SHARE") == texts.share_waiting_partner("Alex")
    text(ALEX, "\U0001F49C" * 30 + " thank you for tonight " * 10)

    shared = text(SAM, "SHARE")

    assert shared.startswith("Alex said: \U0001F49C") and shared.endswith(segments.UCS2_ELLIPSIS)
    assert segments.cost(shared) <= segments.UCS2_LIMIT


def test_summary_is_the_weekly_text(text):
    text(ALEX, "an answer")

    summary = text(ALEX, "SUMMARY")
    assert summary.startswith("Together you answered on 1 day this week.")
    assert "Sam" not in summary  # the couple together, never one partner's numbers beside the other's


def test_help_lists_commands(text):
    reply = text(ALEX, "HELP")

    assert "STOP" in reply and "PROMISE" in reply
    for command in ("SKIP", "TELL", "ROLE", "THINKING OFF", "PAUSE", "QUIET"):
        assert command in reply


def test_promise_confirms_the_exact_time_and_queues_reminders(text, db):
    reply = text(ALEX, "PROMISE to call mom tomorrow at 6pm")

    promise = db.scalar(select(Promise))
    assert reply == "OK: call mom, tomorrow at 6 PM. I'll text you a reminder at 5:30 PM."
    assert promise.due_at == datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # 6 PM Tuesday in LA
    assert sorted(db.scalars(select(OutboundMessage.kind).where(OutboundMessage.promise_id == promise.id))) == [
        "promise_followup", "promise_reminder"]


def test_promise_reminder_names_its_day_when_not_the_due_day(text):
    assert text(ALEX, "PROMISE plan a date friday 8am") == (
        "OK: plan a date, Friday at 8 AM. I'll text you a reminder at 7:30 AM.")
    assert text(ALEX, "PROMISE call mom tomorrow at 12:15am") == (
        "OK: call mom, tomorrow at 12:15 AM. I'll text you a reminder today at 11:45 PM.")


@pytest.mark.parametrize("body, expected", [
    ("PROMISE", texts.PROMISE_HOW),
    ("PROMISE call mom", texts.promise_when("call mom")),
    ("PROMISE call mom today 8am", texts.problem("past_due", None)),  # it is 9 AM
    ("PROMISE tomorrow 6pm", texts.problem("empty_promise", None)),
])
def test_promise_that_cannot_be_understood_asks_again(text, db, body, expected):
    assert text(ALEX, body) == expected
    assert count(db, Promise) == 0 and count(db, OutboundMessage, OutboundMessage.kind.not_in(ONBOARDING)) == 0


def test_promises_list_kept_and_missed_by_number(text, db):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    text(ALEX, "PROMISE wash the car friday 10am")

    listing = text(ALEX, "PROMISES")
    missed = text(ALEX, "MISSED 2")
    kept = text(ALEX, "kept #1")

    assert listing == ("Your open promises: 1) call mom, tomorrow at 6 PM; 2) wash the car, Friday at 10 AM. "
                       "Reply KEPT 1 or MISSED 1.")
    assert missed == texts.missed("wash the car") and kept == texts.kept("call mom", "Sam")
    assert "Reply TELL to let Sam know." in kept
    assert not any(word in missed.lower() for word in ("fail", "should", "disappoint", "again?"))
    assert dict(db.execute(select(Promise.text, Promise.state)).all()) == {"call mom": "kept", "wash the car": "missed"}
    assert count(db, OutboundMessage, OutboundMessage.state == "queued", OutboundMessage.kind.not_in(ONBOARDING)) == 0


def test_kept_without_promises_or_with_a_wrong_number(text):
    assert text(ALEX, "KEPT") == texts.NO_PROMISES
    assert text(ALEX, "PROMISES") == texts.NO_PROMISES
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    assert text(ALEX, "KEPT 3") == texts.problem("bad_number", None)
    assert text(SAM, "MISSED") == texts.NO_PROMISES  # Sam cannot settle Alex's promise


def test_thinking_and_hearts_go_to_the_partner_up_to_the_daily_cap(text, db, settings, clock):
    sent = []
    for body in ("THINKING", "\u2764\ufe0f", "<3"):
        sent.append(text(ALEX, body))
        assert text(ALEX, "THINKING") == texts.problem("thinking_too_soon", "Sam")  # one an hour
        clock.advance(hours=1)
    capped = text(ALEX, "thinking of you")

    assert sent == [texts.thinking_sent("Sam", None)] * settings.thinking_daily_cap
    assert capped == texts.problem("capped", "Sam") and "won't go" in capped
    assert count(db, OutboundMessage, OutboundMessage.kind == "thinking",
                 OutboundMessage.to_phone_digest == phone_digest(SAM)) == 3


def test_thinking_in_quiet_hours_says_it_waits_for_morning(text, clock):
    clock.advance(hours=13)  # 10 PM in Los Angeles

    reply = text(ALEX, "THINKING")
    assert reply == texts.thinking_sent("Sam", "tomorrow at 8 AM")
    assert "waits until tomorrow at 8 AM" in reply
    clock.advance(hours=1)  # an hour later it is still quiet hours: one waiting is enough
    assert text(ALEX, "<3") == texts.problem("thinking_waiting", "Sam")


def test_thinking_is_honest_when_the_partner_cannot_get_texts(text, db):
    sam = db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(SAM)))
    sam.consent = "invited"
    db.commit()

    assert text(ALEX, "THINKING") == "Sam hasn't turned on texts yet, so I can't send it."
    assert count(db, OutboundMessage, OutboundMessage.kind == "thinking") == 0


@pytest.mark.parametrize("body, minute", [("TIME 19:30", 19 * 60 + 30), ("time 7am", 7 * 60)])
def test_time_moves_the_question(text, db, body, minute):
    assert text(ALEX, body) == texts.told_other(texts.time_set(minute), "Sam")
    assert couple_row(db).question_minute == minute
    [told] = db.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == "setting_changed",
                                                           OutboundMessage.to_phone_digest == phone_digest(SAM))).all()
    assert told == texts.question_time_changed("Alex", minute)


@pytest.mark.parametrize("body", ["TIME 25:00", "TIME"])
def test_bad_time_explains_the_format(text, db, body):
    assert text(ALEX, body) == texts.TIME_HOW
    assert couple_row(db).question_minute == 19 * 60


def test_quiet_hours(text, db):
    assert text(ALEX, "QUIET 22-7") == texts.quiet_set(22, 7)
    assert text(ALEX, "QUIET 9-late") == texts.QUIET_HOW
    assert text(ALEX, "QUIET 8-8") == texts.QUIET_SAME  # never silently "off"
    alex, sam = partner_row(db, ALEX), partner_row(db, SAM)
    assert (alex.quiet_start, alex.quiet_end) == (22, 7)
    assert (sam.quiet_start, sam.quiet_end) == (21, 8)  # Sam's own hours are untouched
    assert count(db, OutboundMessage, OutboundMessage.kind == "setting_changed") == 0  # nothing to tell


@pytest.mark.parametrize("body, zone", [("TZ America/Chicago", "America/Chicago"),
                                        ("timezone denver", "America/Denver")])
def test_time_zone_by_name_or_city(text, db, body, zone):
    reply = text(ALEX, body)
    assert reply.startswith(f"Time zone set to {zone}. It's ") and reply.endswith("Sam will get a text saying so.")
    assert couple_row(db).timezone == zone
    [told] = db.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == "setting_changed")).all()
    assert told.startswith(f"Alex set your shared time zone to {zone}")


@pytest.mark.parametrize("body, expected", [("TZ Narnia", texts.TZ_UNKNOWN), ("TZ", texts.TZ_HOW)])
def test_unknown_time_zone_changes_nothing(text, db, body, expected):
    assert text(ALEX, body) == expected
    assert couple_row(db).timezone == "America/Los_Angeles"


def test_pause_and_resume(text, db):
    assert text(ALEX, "PAUSE") == texts.PAUSED and partner_row(db, ALEX).paused
    assert not partner_row(db, SAM).paused  # Sam's texts go on
    assert text(ALEX, "RESUME") == texts.resumed(19 * 60) and not partner_row(db, ALEX).paused


def test_link_with_a_real_code_and_a_wrong_one(text, db, clock):
    code = linking.start_link(db, "amzn1.ask.account.TEST", None, clock())
    db.commit()

    assert text(ALEX, "LINK 000000") == texts.problem("bad_code", None)
    assert text(ALEX, "LINK") == texts.LINK_HOW
    assert text(ALEX, f"LINK {code}") == texts.LINKED
    db.expire_all()
    linked = db.scalar(select(Partner).where(Partner.alexa_user_id == "amzn1.ask.account.TEST"))
    assert linked.phone == ALEX and linked.alexa_user_id == keyed(ALEXA_USER, "amzn1.ask.account.TEST")
