""""Your partner answered" (issue 12, item 3): offered once by voice while waiting for the partner's answer,
opt-in per partner, sent by the scheduler's Alexa round as AMAZON.MessageAlert.Activated with a Login with
Amazon token (loopback fakes of both endpoints), at most once a day, never in quiet hours, and never with
anything of the answer in it."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text as sql

from core.models import AnswerNotice, Channel, EchoPreference
from core.services import answers, couples
from tests.conftest import ALEX, SAM
from devkit.fakes.alexa_api import TIMEOUT
from scheduler import jobs
from tests.skill.envelopes import USER_ID
from tests.skill.native import fake, lwa, messaging, rows, settings  # noqa: F401

UTC = timezone.utc


def sam_answers(tx, clock, words="the walk on sunday"):
    with tx() as s:
        answers.take_answer(s, couples.find_by_phone(s, SAM), words, Channel.SMS, f"sms:{words}:{clock()}", clock(), explicit=True)


@pytest.fixture
def opted_in(alexa, couple):
    said = alexa.intent("AnswerIntent", answer="I felt heard when you called")
    assert said.speech.endswith("Would you like this Echo to show a notification when Sam answers? It says only "
                                "that there's news.")
    return alexa.intent("AMAZON.YesIntent")


def test_the_offer_comes_once_and_yes_turns_it_on_with_a_permissions_card(opted_in, alexa, tx, look):
    assert opted_in.speech.startswith("Done. When your partner answers, this Echo will show a notification")
    card = opted_in.body["response"]["card"]
    assert card == {"type": "AskForPermissionsConsent", "permissions": ["alexa::devices:all:notifications:write"]}
    [choice] = rows(tx, EchoPreference)
    assert choice.notify_answered is True and choice.alexa_user_ref == USER_ID
    raw = look.execute(sql("SELECT alexa_user_ref FROM echo_preference")).scalar()
    assert USER_ID.encode() not in bytes(raw)  # the account id is kept encrypted
    again = alexa.intent("AnswerIntent", answer="and I liked the walk")
    assert "notification" not in again.speech


def test_no_turns_it_off_and_is_remembered(alexa, couple, tx):
    alexa.intent("AnswerIntent", answer="I felt heard when you called")
    assert alexa.intent("AMAZON.NoIntent").speech == "OK, no notifications when your partner answers."
    assert rows(tx, EchoPreference)[0].notify_answered is False


def test_the_partner_answering_sends_one_notification_a_day(opted_in, tx, clock, runtime, messaging, fake, lwa):
    sam_answers(tx, clock)
    [notice] = rows(tx, AnswerNotice)
    with tx() as s:
        assert notice.partner_id == couples.find_by_phone(s, ALEX).id and notice.state == "queued"
    assert jobs.alexa(runtime, messaging) == {"notices": 1, "woken": 0}
    [event] = fake.events
    body = event["body"]
    assert event["stage"] == "development"
    assert body["event"]["name"] == "AMAZON.MessageAlert.Activated"
    assert body["event"]["payload"]["messageGroup"] == {"creator": {"name": "Trust Builder"}, "count": 1}
    assert body["relevantAudience"] == {"type": "Unicast", "payload": {"user": USER_ID}}
    assert "walk" not in str(body)  # nothing of the answer
    assert [f["scope"] for f in lwa.forms] == ["alexa::proactive_events"]
    sam_answers(tx, clock, "and the dinner after")  # a second answer the same day
    assert len(rows(tx, AnswerNotice)) == 1 and jobs.alexa(runtime, messaging)["notices"] == 0
    assert len(fake.events) == 1


def test_nothing_goes_in_quiet_hours_it_waits_for_their_end(opted_in, tx, clock, runtime, messaging, fake):
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))  # Tuesday 7 AM in Los Angeles: quiet until 8
    sam_answers(tx, clock)
    jobs.alexa(runtime, messaging)
    assert fake.events == []
    clock.set(datetime(2026, 11, 24, 16, 1, tzinfo=UTC))
    assert jobs.alexa(runtime, messaging)["notices"] == 1 and len(fake.events) == 1


def test_an_answer_late_at_night_sends_nothing_the_news_would_be_stale(opted_in, tx, clock, runtime, messaging,
                                                                       fake):
    clock.set(datetime(2026, 11, 24, 6, 30, tzinfo=UTC))  # Monday 10:30 PM in Los Angeles
    sam_answers(tx, clock)
    assert rows(tx, AnswerNotice) == []
    clock.advance(hours=12)
    jobs.alexa(runtime, messaging)
    assert fake.events == []


@pytest.mark.parametrize("status, state, attempts", [(500, "queued", 1), (TIMEOUT, "queued", 1), (403, "failed", 1),
                                                     (400, "failed", 1)])
def test_the_events_api_failing_is_retried_or_given_up(opted_in, tx, clock, runtime, messaging, fake, status, state,
                                                       attempts):
    sam_answers(tx, clock)
    fake.script("events", status)
    assert jobs.alexa(runtime, messaging)["notices"] == 0
    [notice] = rows(tx, AnswerNotice)
    assert (notice.state, notice.attempts) == (state, attempts)
    if state == "queued":
        assert notice.send_after == clock() + timedelta(minutes=5)
        clock.advance(minutes=6)
        assert jobs.alexa(runtime, messaging)["notices"] == 1


def test_credentials_login_with_amazon_refuses_are_tried_three_times_at_most(opted_in, tx, clock, runtime, messaging,
                                                                            fake, lwa):
    sam_answers(tx, clock)
    lwa.script(401, 401, 401)
    for _ in range(3):
        jobs.alexa(runtime, messaging)
        clock.advance(minutes=6)
    [notice] = rows(tx, AnswerNotice)
    assert notice.state == "failed" and fake.events == [] and len(lwa.forms) == 3


def test_turning_it_off_drops_what_waits_and_forgets_the_account(opted_in, alexa, tx, clock, runtime, messaging,
                                                                 fake):
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    sam_answers(tx, clock)
    said = alexa.intent("AnswerNoticesIntent", setting="off")
    assert said.speech == "OK, no notifications when your partner answers."
    [choice] = rows(tx, EchoPreference)
    assert choice.notify_answered is False and choice.alexa_user_ref is None
    clock.advance(hours=2)
    jobs.alexa(runtime, messaging)
    assert fake.events == [] and rows(tx, AnswerNotice)[0].state == "dropped"


def test_not_offered_without_the_skills_messaging_credentials(alexa, couple, runtime):
    runtime.settings = runtime.settings.with_(alexa_client_id="", alexa_client_secret="")
    said = alexa.intent("AnswerIntent", answer="I felt heard when you called")
    assert "notification" not in said.speech


def test_without_credentials_the_scheduler_sends_nothing(settings):
    from skill.alexa_api import AlexaMessaging
    assert AlexaMessaging.from_settings(settings.with_(alexa_client_id="", alexa_client_secret="")) is None
    assert jobs.alexa(None, None) == {"notices": 0, "woken": 0}


def test_an_answer_to_ones_own_gentler_question_stays_private_and_tells_nobody(opted_in, tx, clock):
    from core.services import questions
    with tx() as s:
        assert questions.skip(s, couples.find_by_phone(s, SAM), clock()).kind == "gentle"
    sam_answers(tx, clock, "I needed a quiet evening")
    assert rows(tx, AnswerNotice) == []
