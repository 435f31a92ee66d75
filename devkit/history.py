"""A couple's past, made through the core services day by day (answers, a private note now and then, moods,
promises kept or missed), so pages, benches and screenshots show a lived-in history. Deterministic: the same
seed makes the same year."""
import random
from datetime import datetime, timedelta

from core.clock import SettableClock
from core.db import transaction
from core.models import Channel, Partner
from core.services import answers, checkins, promises

ANSWERS = (
    "When you asked how my day went and really listened.", "The walk after dinner; it felt easy again.",
    "I'd like us to plan one evening a week without phones.", "I noticed you texted when you were running late.",
    "Honestly, I'm still nervous about money talks, but less than before.", "You made coffee without being asked.",
    "I felt proud of us for talking the argument through calmly.", "I want to hear more about your work worries.",
    "Laughing together at the film on Friday.", "I'd like a hug when I get home, before anything else.",
    "You kept your word about calling my mom.", "Being patient with me when I was short with you.",
)
PROMISES = ("call my mom", "take out the trash tonight", "book the restaurant", "pick up groceries",
            "text when I leave work", "fix the leaky faucet")


def seed_history(runtime, clock: SettableClock, alex_id: int, sam_id: int, days: int, seed: int = 7,
                 end: datetime | None = None) -> None:
    """`days` days ending the day before `end` (default: the clock's now), then the clock is put back."""
    rng, back = random.Random(seed), clock()
    start = (end or back) - timedelta(days=days)
    for n in range(days):
        clock.set(start + timedelta(days=n))
        with transaction(runtime.sessions) as session:
            alex, sam = session.get(Partner, alex_id), session.get(Partner, sam_id)
            _day(session, rng, clock(), alex, sam, n)
    clock.set(back)


def _day(session, rng, now, alex, sam, n) -> None:
    for person in (alex, sam):
        key = f"seed:{person.id}:{n}"
        if rng.random() < 0.8:
            answers.take_answer(session, person, rng.choice(ANSWERS), Channel.SMS, key, now, explicit=True)
        if rng.random() < 0.5:
            checkins.record_mood(session, person, rng.randint(2, 5), Channel.SMS, key + ":mood", now)
        if rng.random() < 0.05:
            answers.keep_private(session, person, "A note just for me about a hard moment.", Channel.SMS,
                                 key + ":private", now)
    if n % 3 == 0:
        who = alex if n % 2 else sam
        promise = promises.make_promise(session, who, rng.choice(PROMISES), now + timedelta(hours=3),
                                        who.couple.timezone, now, source_id=f"seed:promise:{n}")
        promises.settle(session, who, promise, "kept" if rng.random() < 0.75 else "missed",
                        now + timedelta(hours=4))
