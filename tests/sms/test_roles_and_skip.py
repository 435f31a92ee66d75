"""Roles and stage by signed texts: ROLE is asked at joining and changed any time; the day's topic follows
the couple's age (no looking back in the first 14 days) and each partner hears their role's wording; SKIP
swaps the couple's topic while neither has answered, and gives the asker a gentler one of their own after."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import CheckIn, DailyPrompt, GentleQuestion, OutboundMessage, Partner
from core.services import questions, roles
from core.words import texts
from prompts.bank import load_bank
from tests.sms.conftest import ALEX, SAM, count

BANK = load_bank()
PAIRED = next(q for q in BANK if dict(q.variants).get("repairing") and dict(q.variants).get("hurt"))


def partner(db, phone) -> Partner:
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def todays_prompt(db) -> DailyPrompt:
    db.expire_all()
    return db.scalar(select(DailyPrompt).order_by(DailyPrompt.local_date.desc()))


@pytest.mark.parametrize("said, role", [
    ("ROLE repairing", "repairing"), ("role: mostly repairing trust", "repairing"), ("ROLE I hurt them", "repairing"),
    ("ROLE hurt", "hurt"), ("role I was mostly hurt", "hurt"), ("ROLE both", "both"),
    ("role a bit of both", "both"), ("ROLE SKIP", "unsaid"), ("role I'd rather not say", "unsaid"),
])
def test_role_is_stored_for_that_partner_only(text, couple, db, said, role):
    assert text(ALEX, said) == texts.role_set(role)
    assert (partner(db, ALEX).role, partner(db, SAM).role) == (role, "unsaid")
    assert count(db, CheckIn) == 0  # never taken as the day's answer
    assert count(db, OutboundMessage, OutboundMessage.to_phone_digest == phone_digest(SAM),
                 OutboundMessage.kind.not_in(("invitation", "role_question"))) == 0  # Sam is never told


@pytest.mark.parametrize("said", ["ROLE", "ROLE banana", "change my role"])
def test_an_unclear_role_asks_again_and_changes_nothing(text, couple, db, said):
    text(ALEX, "ROLE hurt")
    assert text(ALEX, said) == texts.ROLE_ASK
    assert partner(db, ALEX).role == "hurt"


def test_both_partners_are_asked_at_joining(text, couple, db):
    asked = db.scalars(select(OutboundMessage.to_phone).where(OutboundMessage.kind == "role_question")).all()
    assert sorted(asked) == sorted([ALEX, SAM])


def test_each_partner_hears_the_wording_for_their_role(text, couple, db, clock):
    text(ALEX, "ROLE repairing")
    text(SAM, "ROLE hurt")
    prompt = todays_prompt(db) or (text(ALEX, "Q") and todays_prompt(db))
    prompt.question_id = PAIRED.id  # a paired topic today, to see both wordings
    db.commit()
    assert text(ALEX, "Q") == texts.question(PAIRED.wording("repairing"))
    assert text(SAM, "Q") == texts.question(PAIRED.wording("hurt"))
    assert PAIRED.wording("repairing") != PAIRED.wording("hurt")
    text(ALEX, "ROLE rather not say")
    assert text(ALEX, "Q") == texts.question(PAIRED.text)


def test_no_looking_back_in_the_first_fourteen_days(text, couple, db, clock):
    given = []
    for _ in range(20):
        text(ALEX, "Q")
        given.append((todays_prompt(db).local_date, BANK.by_id(todays_prompt(db).question_id)))
        clock.advance(days=1)
    joined = given[0][0]
    assert all(not q.looks_back for day, q in given if (day - joined).days < 14)
    assert all((day - joined).days >= q.earliest_day for day, q in given)


def test_skip_before_anyone_answered_changes_the_couples_topic(text, couple, db, dispatcher, gateway):
    first = text(SAM, "Q")  # Sam got today's question
    old = todays_prompt(db).question_id
    reply = text(ALEX, "SKIP")
    new = todays_prompt(db)
    assert new.question_id != old and old in new.skipped.split()
    assert BANK.by_id(new.question_id).theme != BANK.by_id(old).theme
    assert reply == texts.skipped_topic(BANK.by_id(new.question_id).text)
    assert text(SAM, "Q") == texts.question(BANK.by_id(new.question_id).text) != first  # the same for both
    dispatcher.run_until_idle()
    assert gateway.bodies_to(SAM)[-1] == texts.question_swapped("Alex", BANK.by_id(new.question_id).text)
    text(SAM, "my answer")
    assert db.scalar(select(CheckIn.question_id)) == new.question_id


def test_repeated_skips_never_bring_a_skipped_topic_back(text, couple, db):
    seen = {todays_prompt(db).question_id if todays_prompt(db) else None}
    text(ALEX, "Q")
    seen = {todays_prompt(db).question_id}
    for _ in range(5):
        text(ALEX, "a different question")
        assert todays_prompt(db).question_id not in seen
        seen.add(todays_prompt(db).question_id)


def test_skip_after_the_partner_answered_gives_a_gentle_question_just_for_the_asker(text, couple, db):
    text(ALEX, "Q")
    topic = todays_prompt(db).question_id
    text(SAM, "we talked for an hour")
    reply = text(ALEX, "SKIP")
    [gentle] = db.scalars(select(GentleQuestion)).all()
    question = BANK.by_id(gentle.question_id)
    assert question.kind == "gentle" and gentle.partner_id == partner(db, ALEX).id
    assert reply == texts.skipped_gentle(question.text)
    assert todays_prompt(db).question_id == topic  # Sam's answer still answers the couple's topic
    assert text(ALEX, "SKIP") == reply  # the same gentle one again, not a new one
    assert text(ALEX, "Q") == texts.question(question.text)
    assert text(SAM, "Q") == texts.question(BANK.by_id(topic).text)
    assert text(ALEX, "a quiet walk") == texts.GENTLE_KEPT  # not "kept for when your partner answers"
    assert db.scalar(select(CheckIn.question_id).where(CheckIn.partner_id == partner(db, ALEX).id)) == question.id
    assert text(SAM, "SHARE") == texts.share_waiting_partner("Alex")  # a gentle answer stays Alex's own
    assert "quiet walk" not in text(SAM, "SHARE")


def test_a_gentle_answer_never_replaces_the_answer_to_the_couple_s_topic(text, couple, db):
    text(SAM, "we talked for an hour")
    assert text(ALEX, "my answer is I noticed you waited up for me").startswith("Thank you for sharing.")
    text(ALEX, "SKIP")  # Alex has answered too: a gentler question of their own

    assert text(ALEX, "my answer is a long bath") == texts.GENTLE_KEPT
    assert text(SAM, "SHARE") == texts.shared("Alex", "I noticed you waited up for me")


def test_parse_role_from_many_phrasings():
    assert roles.parse_role("I'm the one who hurt them, mostly repairing") == "repairing"
    assert roles.parse_role("they hurt me") == "hurt"
    assert roles.parse_role("I was hurt and I hurt them too") == "both"
    assert roles.parse_role("I'd rather not say if I was hurt") == "unsaid"
    assert roles.parse_role("") is None and roles.parse_role("pizza") is None


def test_the_stage_is_the_couples_age_in_local_days(session, clock):
    from core.services import couples
    alex = couples.create_couple(session, "Alex", "+14155550100", clock(), "America/Los_Angeles")
    today = questions.local_time.local_date(clock(), "America/Los_Angeles")
    assert questions.age_days(alex.couple, today) == 0
    assert questions.age_days(alex.couple, today + timedelta(days=14)) == 14


def test_erasure_forgets_the_role_and_the_gentle_questions(text, couple, db):
    text(ALEX, "ROLE hurt")
    text(SAM, "an answer")
    text(ALEX, "SKIP")
    alex_id = partner(db, ALEX).id
    text(ALEX, "DELETE MY DATA")
    text(ALEX, "YES")
    db.expire_all()
    assert db.get(Partner, alex_id).role == "unsaid"
    assert count(db, GentleQuestion) == 0


def test_skips_end_after_ten_in_a_day_with_todays_topic_standing(text, couple, db):
    text(ALEX, "Q")
    for _ in range(questions.MAX_SKIPS):
        assert text(ALEX, "SKIP").startswith("Here's a different question for you both")
    standing = BANK.by_id(todays_prompt(db).question_id)
    assert text(ALEX, "SKIP") == texts.skip_none(standing.text)
    assert len(todays_prompt(db).skipped.split()) == questions.MAX_SKIPS
