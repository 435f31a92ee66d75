"""Check-ins: a partner's answer to the day's question (and mood), stored once per source message."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core import local_time
from core.db import insert_new
from core.errors import InvalidInput
from core.models import Channel, CheckIn, Consent, Partner, Visibility
from core.services.couples import other_partner
from core.services import invitations
from core.services.erasure import former_partner
from core.services.questions import GENTLE_IDS, SHARED_ANSWER, answered_exists, personal_question

MAX_TEXT = 2000
CHANNELS = set(Channel)
MOODS = range(1, 6)  # a day's mood: 1 (a rough day) to 5 (a great one)


# Built once: the hot statements of every check-in request. Building a select and its cache key costs more
# than running it on an indexed row, so these take bound parameters instead of being rebuilt per call.
BY_SOURCE = select(CheckIn).where(CheckIn.source_id == bindparam("source_id"))
ANSWERED = select(answered_exists("partner_id"))
BOTH_ANSWERED = select(answered_exists("mine"), answered_exists("theirs", SHARED_ANSWER))


@dataclass(frozen=True)
class Reveal:
    """What "what did my partner say" may answer: `status` is both|waiting_you|waiting_partner|no_partner."""

    status: str  # ... or partner_away (the partner erased their data), invited (not joined yet)
    partner_name: str | None = None
    text: str | None = None


def record_check_in(session: Session, partner: Partner, text: str | None, channel: str, source_id: str,
                    now: datetime, mood: int | None = None, visibility: str = Visibility.SHARED) -> tuple[CheckIn, bool]:
    """Store today's answer (and/or mood); a repeated `source_id` stores nothing and returns the first (and
    False): a retried request (Alexa or Twilio trying again, also while the first one runs) is found by
    the unique key of the insert itself, so nobody needs to look for it first."""
    text = _clean_text(text)
    _check(channel, source_id, text, mood)
    day, question, _ = personal_question(session, partner, now)  # the topic, or their gentle question
    check_in = session.scalar(insert_new(session, CheckIn, returning="row"), [dict(
        partner_id=partner.id, couple_id=partner.couple_id, local_date=day, question_id=question.id,
        channel=channel, text=text, mood=mood, visibility=visibility, seen_at=None, source_id=source_id,
        created_at=now)])
    if check_in is None:
        return _by_source(session, source_id), False
    return check_in, True


def record_mood(session: Session, partner: Partner, mood: int, channel: str, source_id: str,
                now: datetime) -> tuple[CheckIn, bool]:
    """A 1-5 rating of the day, kept as a check-in without text."""
    return record_check_in(session, partner, None, channel, source_id, now, mood=mood)


def _clean_text(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    return cleaned[:MAX_TEXT] or None


def _check(channel: str, source_id: str, text: str | None, mood: int | None) -> None:
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}", "bad_channel")
    if not source_id:
        raise InvalidInput("a source id is needed for idempotency", "missing_source")
    if mood is not None and not is_mood(mood):
        raise InvalidInput("mood goes from 1 to 5", "bad_mood")
    if text is None and mood is None:
        raise InvalidInput("an answer cannot be empty", "empty_answer")


def is_mood(value: object) -> bool:
    """True for a whole number in MOODS (a bool is not a mood)."""
    return type(value) is int and value in MOODS


def _by_source(session: Session, source_id: str) -> CheckIn | None:
    return session.scalar(BY_SOURCE, {"source_id": source_id})


def answered_on(session: Session, partner: Partner, day: date, visible=SHARED_ANSWER) -> list[CheckIn]:
    """The partner's answers to the couple's topic on local `day` that `visible` allows, oldest first (answers to
    a gentle question are the asker's own)."""
    return list(session.scalars(select(CheckIn).where(
        CheckIn.partner_id == partner.id, CheckIn.local_date == day, CheckIn.text.is_not(None),
        CheckIn.visibility.in_(visible), CheckIn.question_id.not_in(GENTLE_IDS))
        .order_by(CheckIn.created_at, CheckIn.id)))


def has_answered(session: Session, partner: Partner, day: date) -> bool:
    """True when the partner gave a text answer on local `day` (one indexed EXISTS; nothing decrypted)."""
    return session.scalar(ANSWERED, {"partner_id": partner.id, "day": day})


def answer_status(session: Session, partner: Partner, now: datetime) -> Reveal:
    """Who has answered today, as a Reveal without text: nothing is read or decrypted, so replies that only
    say "saved" stay cheap however many check-ins the day holds. One statement for both partners."""
    other = other_partner(partner)
    if other is None or other.consent == Consent.INVITED:
        # Invited, whether or not a text could go (a registered or do-not-contact number gets none): the
        # same words either way, so nobody learns through us who uses Trust Builder.
        invited = invitations.pending_name(session, partner.couple_id, now)
        if invited or other is not None:
            return Reveal("invited", invited or other.display_name)
    if other is None or other.consent == Consent.REVOKED and not other.phone:
        away = former_partner(partner)
        return Reveal("partner_away", away.display_name) if away else Reveal("no_partner")
    day = local_time.local_date(now, partner.couple.timezone)
    mine, theirs = session.execute(BOTH_ANSWERED, {"mine": partner.id, "theirs": other.id, "day": day}).one()
    if not mine:
        return Reveal("waiting_you", other.display_name)
    if not theirs:
        return Reveal("waiting_partner", other.display_name)
    return Reveal("both", other.display_name)


def reveal_partner_answer(session: Session, partner: Partner, now: datetime, with_text: bool = True) -> Reveal:
    """The partner's answer today, only once both have answered (so nobody answers to please).
    `with_text=False` gives only who has answered (answer_status), for replies that never quote it."""
    reveal = answer_status(session, partner, now)
    if reveal.status != "both" or not with_text:
        return reveal
    other, day = other_partner(partner), local_time.local_date(now, partner.couple.timezone)
    answers = answered_on(session, other, day)
    for answer in answers:
        answer.seen_at = answer.seen_at or now  # seen: UNDO can no longer take it back
    session.flush()
    return Reveal("both", other.display_name, " ".join(c.text for c in answers))
