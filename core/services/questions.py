"""Today's question: one topic per couple per local date, the same for both partners, chosen once and stored,
by the couple's age in days (stage) and both partners' roles; each partner hears the wording for their role.
SKIP (`skip`) swaps the topic while neither has answered, or gives the asker a gentler personal question.

What a turn learns here about a partner's day (the stored topic, their gentle question, whether they heard
the question) is read in one statement and remembered on the session until it commits or rolls back
(`_known`): one request often asks two or three times (an answer, then who has answered, then the tip)."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, event, exists, select
from sqlalchemy.orm import Session

from core import local_time
from core.db import among, insert_new
from core.locks import lock_couple
from core.models import (CheckIn, Couple, DailyPrompt, GentleQuestion, Partner, QuestionHeard, Role, TextKind,
                         Visibility)
from core.services import outbox
from core.words import texts
from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question, gentle_question, skip_question, wording_for

#: What counts as having answered: for the writer, a shared answer or one held private after it read as
#: danger; for the partner's eyes, only a shared one (a held answer looks exactly like no answer).
OWN_ANSWER = (Visibility.SHARED, Visibility.HELD)
SHARED_ANSWER = (Visibility.SHARED,)
#: Answers to a gentle question (SKIP after the partner answered) are the asker's own: never shown to the
#: partner, and not an answer to the couple's topic.
GENTLE_IDS = tuple(q.id for q in load_bank().gentle)


def answered_exists(partner_param: str, visible=OWN_ANSWER):
    """EXISTS an answer to the couple's topic by the partner bound to `partner_param` on the date bound to "day"."""
    return exists().where(CheckIn.partner_id == bindparam(partner_param), CheckIn.local_date == bindparam("day"),
                          CheckIn.text.is_not(None), among(CheckIn.visibility, visible),
                          among(CheckIn.question_id, GENTLE_IDS, negate=True))


# Built once with bound parameters: rebuilding a select per call costs more than running it.
STORED_PROMPT = select(DailyPrompt).where(DailyPrompt.couple_id == bindparam("couple_id"),
                                          DailyPrompt.local_date == bindparam("day"))
_TOPIC = (select(DailyPrompt.question_id).where(DailyPrompt.couple_id == bindparam("couple_id"),
                                                DailyPrompt.local_date == bindparam("day")).scalar_subquery())
_GENTLE = (select(GentleQuestion.question_id).where(GentleQuestion.partner_id == bindparam("partner_id"),
                                                    GentleQuestion.local_date == bindparam("day")).scalar_subquery())
_HEARD = exists().where(QuestionHeard.partner_id == bindparam("partner_id"),
                        QuestionHeard.local_date == bindparam("day"))
#: A partner's day in one statement: the couple's stored topic (or NULL), the partner's gentle question (or
#: NULL), whether they heard the question; with ANSWERED_TOO also whether they answered it.
DAY_OF = select(_TOPIC, _GENTLE, _HEARD)
DAY_OF_ANSWERED_TOO = select(_TOPIC, _GENTLE, _HEARD, answered_exists("partner_id"))
TOPIC_OF = select(_TOPIC)
HEARD = select(_HEARD)


def _known(session: Session) -> dict:
    """What this transaction has read or written of partners' days: ("topic", couple id, day) -> question id
    or None, ("gentle", partner id, day) -> question id or None, ("heard", partner id, day) -> bool."""
    return session.info.setdefault("days_known", {})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_days(session: Session, *_transaction) -> None:
    """After a commit another process may change a day; after a rollback (a savepoint's too) what was
    written may be gone: read again."""
    session.info.pop("days_known", None)


@dataclass(frozen=True)
class Today:
    """What `partner` is asked today (`question`, in `words`), and whether they heard it and answered it."""

    day: date
    question: Question
    words: str
    heard: bool
    answered: bool


def today_for(session: Session, partner: Partner, now: datetime, bank: QuestionBank | None = None) -> Today:
    """The partner's question today and where they stand with it, in one statement when the topic is stored."""
    bank = bank or load_bank()
    day = local_time.local_date(now, partner.couple.timezone)
    answered = _read_day(session, partner, day, answered_too=True)
    day, question, words = personal_question(session, partner, now, bank)
    return Today(day, question, words, _known(session)["heard", partner.id, day], answered)


def _read_day(session: Session, partner: Partner, day: date, answered_too: bool = False) -> bool | None:
    """Read the partner's day into `_known` (what is known already stands); returns answered with `answered_too`."""
    row = session.execute(DAY_OF_ANSWERED_TOO if answered_too else DAY_OF,
                          {"couple_id": partner.couple_id, "partner_id": partner.id, "day": day}).one()
    known = _known(session)
    known.setdefault(("topic", partner.couple_id, day), row[0])
    known.setdefault(("gentle", partner.id, day), row[1])
    known.setdefault(("heard", partner.id, day), bool(row[2]))
    return bool(row[3]) if answered_too else None


def todays_question(session: Session, couple: Couple, now: datetime,
                    bank: QuestionBank | None = None) -> tuple[date, Question]:
    """The couple's question for its local date at `now`; chosen and stored on first ask."""
    bank = bank or load_bank()
    day = local_time.local_date(now, couple.timezone)
    known, key = _known(session), ("topic", couple.id, day)
    if key not in known:
        known[key] = session.scalar(TOPIC_OF, {"couple_id": couple.id, "day": day})
    if known[key] is None:
        known[key] = _choose_and_store(session, couple, day, now, bank)
    if known[key] not in bank:  # the bank changed since the day's question was stored
        prompt = session.scalar(STORED_PROMPT, {"couple_id": couple.id, "day": day})
        prompt.question_id = known[key] = _choose(session, couple, day, bank).id
        session.flush()
    return day, bank.by_id(known[key])


def _choose_and_store(session, couple, day, now, bank) -> str:
    """Pick by the rule and store it; if another server stored one first, theirs stands. Returns its id."""
    chosen = _choose(session, couple, day, bank).id
    stored = session.scalar(insert_new(session, DailyPrompt, returning="id"), {
        "couple_id": couple.id, "local_date": day, "question_id": chosen, "skipped": "", "created_at": now})
    return chosen if stored is not None else session.scalar(TOPIC_OF, {"couple_id": couple.id, "day": day})


def _history(session: Session, couple: Couple, day: date) -> list[str]:
    return list(session.scalars(select(DailyPrompt.question_id).where(
        DailyPrompt.couple_id == couple.id, DailyPrompt.local_date < day).order_by(DailyPrompt.local_date)))


def age_days(couple: Couple, day: date) -> int:
    """The couple's stage: whole days since it joined, 0 on its first local day."""
    return max(0, (day - local_time.local_date(couple.created_at, couple.timezone)).days)


def roles_of(couple: Couple) -> list[str]:
    """Each partner's role (erased partners, who have no phone, no longer count)."""
    return [p.role or Role.UNSAID for p in couple.partners if p.phone]


def _choose(session: Session, couple: Couple, day: date, bank: QuestionBank) -> Question:
    """The rule applied to the couple's history before `day`, its age and both partners' roles."""
    return choose_question(bank, _history(session, couple, day), f"{couple.id}:{day.isoformat()}",
                           age_days=age_days(couple, day), roles=roles_of(couple))


def wording(question: Question, partner: Partner) -> str:
    """The words `partner` hears for `question`: their role's wording where the roles differ."""
    return wording_for(question, partner.role or None)


def personal_question(session: Session, partner: Partner, now: datetime,
                      bank: QuestionBank | None = None) -> tuple[date, Question, str]:
    """(day, question, words) that `partner` is asked today: the couple's topic in their role's words, or the
    gentler question they got on SKIP."""
    bank = bank or load_bank()
    day = local_time.local_date(now, partner.couple.timezone)
    if ("gentle", partner.id, day) not in _known(session):
        _read_day(session, partner, day)
    day, topic = todays_question(session, partner.couple, now, bank)
    gentle = _known(session)["gentle", partner.id, day]
    if gentle is not None and gentle in bank:
        question = bank.by_id(gentle)
        return day, question, question.text
    return day, topic, wording(topic, partner)


MAX_SKIPS = 10  # topics a couple may skip in one day; then today's stands


@dataclass(frozen=True)
class Skipped:
    """What SKIP did: `kind` is "topic" (the couple's topic changed), "gentle" (a personal question for the
    asker) or "same" (nothing else is open today); `words` are what the asker now hears."""

    kind: str
    question: Question
    words: str
    tell_partner: Partner | None = None  # the partner who already got the old topic by text


def skip(session: Session, partner: Partner, now: datetime, bank: QuestionBank | None = None) -> Skipped:
    """SKIP: another topic for the couple if neither has answered today, else a gentler question for the asker."""
    bank = bank or load_bank()
    couple = partner.couple
    lock_couple(session, couple.id)  # both partners may SKIP at once: one swap, then the other sees it
    session.refresh(couple)
    day = local_time.local_date(now, couple.timezone)
    for key in (("topic", couple.id, day), ("gentle", partner.id, day)):  # read again, under the lock
        _known(session).pop(key, None)
    day, topic = todays_question(session, couple, now, bank)
    if _anyone_answered(session, couple, day):
        return _gentle(session, partner, day, topic, now, bank)
    prompt = session.scalar(STORED_PROMPT, {"couple_id": couple.id, "day": day})
    skipped = set(prompt.skipped.split())
    if len(skipped) >= MAX_SKIPS:  # enough new topics for one day (and daily_prompt.skipped stays short)
        return Skipped("same", topic, wording(topic, partner))
    new = skip_question(bank, _history(session, couple, day), f"{couple.id}:{day.isoformat()}:skip{len(skipped)}",
                        topic, age_days=age_days(couple, day), roles=roles_of(couple), skipped=skipped)
    if new.id == topic.id:
        return Skipped("same", topic, wording(topic, partner))
    prompt.skipped, prompt.question_id = " ".join(sorted(skipped | {topic.id})), new.id
    session.flush()
    _known(session)["topic", couple.id, day] = new.id
    other = next((p for p in couple.partners if p.id != partner.id and p.phone), None)
    told = other if other is not None and has_heard(session, other, day) and other.can_text else None
    if told is not None:  # they were given the old question: one line with the new one
        outbox.queue(session, told, outbox.Draft(
            texts.question_swapped(partner.display_name, wording(new, told)), TextKind.DAILY_QUESTION,
            f"daily-question:{told.id}:{day.isoformat()}:{new.id}"), now)
    return Skipped("topic", new, wording(new, partner), told)


def _anyone_answered(session: Session, couple: Couple, day: date) -> bool:
    return session.scalar(select(CheckIn.id).where(CheckIn.couple_id == couple.id, CheckIn.local_date == day,
                                                   CheckIn.text.is_not(None)).limit(1)) is not None


def _gentle(session: Session, partner: Partner, day: date, topic: Question, now: datetime,
            bank: QuestionBank) -> Skipped:
    """One gentle question per person and day; asking again gives the same one."""
    existing = session.scalar(select(_GENTLE), {"partner_id": partner.id, "day": day})
    if existing is not None and existing in bank:
        question = bank.by_id(existing)
        _known(session)["gentle", partner.id, day] = existing
        return Skipped("gentle", question, question.text)
    used = session.scalars(select(GentleQuestion.question_id).where(GentleQuestion.partner_id == partner.id))
    question = gentle_question(bank, topic, f"{partner.id}:{day.isoformat()}", used=list(used))
    gentle = GentleQuestion(partner_id=partner.id, local_date=day, question_id=question.id, created_at=now)
    session.add(gentle)
    session.flush()
    _known(session)["gentle", partner.id, day] = question.id
    return Skipped("gentle", question, question.text)


def mark_heard(session: Session, partner: Partner, channel: str, now: datetime) -> bool:
    """Record that `partner` got today's question (so the text fallback skips them); False if already.
    The insert finds a mark already there (its unique day), also another server's; it is tried only when a
    read finds none, so hearing the question again writes nothing (on SQLite a turn that only reads never
    waits for the write lock)."""
    day = local_time.local_date(now, partner.couple.timezone)
    if has_heard(session, partner, day):
        return False
    marked = session.scalar(insert_new(session, QuestionHeard, returning="id"),
                            {"partner_id": partner.id, "local_date": day, "channel": channel, "at": now})
    _known(session)["heard", partner.id, day] = True
    return marked is not None  # (RETURNING, not rowcount: psycopg reports -1 for a skipped insert)


def has_heard(session: Session, partner: Partner, day: date) -> bool:
    """True when `partner` heard or was sent the question of `day`."""
    known, key = _known(session), ("heard", partner.id, day)
    if key not in known:
        known[key] = bool(session.scalar(HEARD, {"partner_id": partner.id, "day": day}))
    return known[key]
