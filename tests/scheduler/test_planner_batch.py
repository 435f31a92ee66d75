"""The planner plans a batch of couples together (a few statements for all of them); the one-couple path
(_plan_question: questions.todays_question, outbox.queue, questions.mark_heard) is the rule as first written.
For a varied sample of couples both must choose the same questions and queue the same texts."""
import logging
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from core.models import Couple, DailyPrompt, OutboundMessage, Partner, QuestionHeard
from core.services import checkins, planner, questions
from prompts.bank import ROLES, load_bank

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 19:30 in Los Angeles, 22:30 in New York, 09:00 in Kolkata
ZONES = ("America/Los_Angeles", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Europe/London")
AREAS = ("201", "202", "206", "212", "213", "303", "305", "312")


def phones(n: int) -> tuple[str, str]:
    return f"+1{AREAS[n // 50]}55501{(2 * n) % 100:02d}", f"+1{AREAS[n // 50]}55501{(2 * n + 1) % 100:02d}"


def seed_sample(world, count: int) -> list[int]:
    """`count` couples of different ages in several zones and question times, each partner with their own
    quiet hours and role, with random histories; some already have today's question stored (an Alexa launch
    earlier), some partners heard it, answered it, never said YES, said STOP or paused."""
    rng, bank = random.Random(11), load_bank()
    ids = [q.id for q in bank]
    made = []
    for n in range(count):
        tz = ZONES[n % len(ZONES)]
        minute = rng.choice((19 * 60, 18 * 60 + 30, 9 * 60, 22 * 60, 8 * 60 + 45))
        world.clock.set(NOW - timedelta(days=rng.randrange(1, 90)))
        alex, sam = world.couple(tz, phones(n), question_minute=minute)
        made.append((alex, sam, tz))
    world.clock.set(NOW)
    with world.tx() as session:
        for n, (alex, sam, tz) in enumerate(made):
            couple = session.get(Partner, alex).couple
            today = questions.local_time.local_date(NOW, tz)
            history = rng.sample(ids, rng.randrange(0, len(ids))) + rng.sample(ids, rng.randrange(0, 20))
            for back, question_id in enumerate(reversed(history + ["retired-topic"] * (n % 7 == 0)), start=1):
                session.add(DailyPrompt(couple_id=couple.id, local_date=today - timedelta(days=back),
                                        question_id=question_id, created_at=NOW))
            if n % 5 == 1:
                questions.todays_question(session, couple, NOW)  # asked on an Echo this morning
            if n % 17 == 8:  # stored this morning, then the topic left the bank: replaced
                session.add(DailyPrompt(couple_id=couple.id, local_date=today, question_id="retired-topic",
                                        created_at=NOW))
            if n % 6 == 2:
                questions.mark_heard(session, session.get(Partner, alex), "voice", NOW)
            if n % 6 == 3:
                checkins.record_check_in(session, session.get(Partner, sam), "Listening more", "sms", f"SM{n}", NOW)
            if n % 9 == 4:
                session.get(Partner, sam).consent = "invited"
            if n % 11 == 5:
                session.get(Partner, alex).opted_out = True
            if n % 13 == 6:
                session.get(Partner, rng.choice((alex, sam))).paused = True
            for partner in couple.partners:
                partner.quiet_start, partner.quiet_end = rng.choice(((21, 8), (23, 7), (0, 0), (1, 7), (18, 9)))
                partner.role = rng.choice(ROLES)
        session.execute(update(Couple).values(next_question_at=NOW - timedelta(minutes=1)))
    return [couple_id for couple_id in range(1, count + 1)]


def outcome(session, couple_ids) -> dict:
    """Everything planning decides, for comparison."""
    prompts = {(p.couple_id, p.local_date): p.question_id for p in session.scalars(
        select(DailyPrompt).where(DailyPrompt.created_at == NOW + timedelta(seconds=1)))}
    texts = sorted((m.partner_id, m.idempotency_key, m.body, m.send_after, m.expires_at, m.respect_quiet, m.to_phone,
                    m.to_phone_digest, m.state, m.priority, m.kind)
                   for m in session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "daily_question")))
    heard = sorted((h.partner_id, h.local_date, h.channel) for h in session.scalars(
        select(QuestionHeard).where(QuestionHeard.channel == "sms")))
    next_at = {c: at for c, at in session.execute(select(Couple.id, Couple.next_question_at)
                                                  .where(Couple.id.in_(couple_ids)))}
    return {"prompts": prompts, "texts": texts, "heard": heard, "next_question_at": next_at}


def test_the_batched_planner_chooses_and_queues_exactly_what_the_one_couple_rule_does(make_world, caplog):
    world = make_world(NOW)
    couple_ids = seed_sample(world, 60)
    planned_at = NOW + timedelta(seconds=1)  # so the prompts stored here are told apart from the morning's

    with world.runtime.sessions() as session, session.begin(), caplog.at_level(logging.WARNING):
        assert planner.plan_questions(session, planned_at, limit=100) == len(couple_ids)
        together = outcome(session, couple_ids)
        session.rollback()
    with world.runtime.sessions() as session, session.begin():
        bank = load_bank()
        alone = {couple.id: planner._plan_question(session, couple, planned_at, bank)
                 for couple in planner._couples(session, couple_ids)}
        planner.planning_rows.set_next_question_at(session, alone)
        one_by_one = outcome(session, couple_ids)
        session.rollback()

    assert len(together["prompts"]) > 10 and len(together["texts"]) > 30  # the sample is not empty
    assert len({body for _, _, body, *_ in together["texts"]}) > 10  # nor all one question
    assert "together failed" not in caplog.text  # the batch was planned together, not one by one
    assert together == one_by_one
