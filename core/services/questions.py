"""Today's question: one topic per couple per local date, the same for both partners, chosen once and stored,
by the couple's age in days (stage) and both partners' roles; each partner hears the wording for their role.
SKIP (`skip`) swaps the topic while neither has answered, or gives the asker a gentler personal question."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.db import insert_new
from core.locks import lock_couple
from core.models import CheckIn, Couple, DailyPrompt, GentleQuestion, Partner, QuestionHeard, Role, TextKind
from core.services import outbox
from core.words import texts
from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question, gentle_question, skip_question, wording_for

# Built once with bound parameters: rebuilding a select per call costs more than running it.
STORED_PROMPT = select(DailyPrompt).where(DailyPrompt.couple_id == bindparam("couple_id"),
                                          DailyPrompt.local_date == bindparam("day"))
GENTLE_OF = select(GentleQuestion).where(GentleQuestion.partner_id == bindparam("partner_id"),
                                         GentleQuestion.local_date == bindparam("day"))
HEARD = select(QuestionHeard.id).where(QuestionHeard.partner_id == bindparam("partner_id"),
                                       QuestionHeard.local_date == bindparam("day"))


def todays_question(session: Session, couple: Couple, now: datetime,
                    bank: QuestionBank | None = None) -> tuple[date, Question]:
    """The couple's question for its local date at `now`; chosen and stored on first ask."""
    bank = bank or load_bank()
    day = local_time.local_date(now, couple.timezone)
    prompt = _stored_prompt(session, couple.id, day)
    if prompt is None:
        prompt = _choose_and_store(session, couple, day, now, bank)
    if prompt.question_id not in bank:  # the bank changed since the day's question was stored
        prompt.question_id = _choose(session, couple, day, bank).id
    return day, bank.by_id(prompt.question_id)


def _stored_prompt(session: Session, couple_id: int, day: date) -> DailyPrompt | None:
    """The stored prompt; remembered on the session because one request often asks twice (an answer, then
    the day's tip). A prompt whose savepoint was rolled back is no longer persistent and is looked up again."""
    prompt = session.info.get(_prompt_key(couple_id, day))
    if prompt is not None and inspect(prompt).persistent:
        return prompt
    prompt = session.scalar(STORED_PROMPT, {"couple_id": couple_id, "day": day})
    session.info[_prompt_key(couple_id, day)] = prompt
    return prompt


def _prompt_key(couple_id: int, day: date) -> tuple:
    """Where _stored_prompt remembers a couple's prompt of `day` in `session.info`."""
    return "daily_prompt", couple_id, day


def _choose_and_store(session, couple, day, now, bank) -> DailyPrompt:
    """Pick by the rule and store it; if another server stored one first, theirs stands."""
    prompt = DailyPrompt(couple_id=couple.id, local_date=day, question_id=_choose(session, couple, day, bank).id,
                         created_at=now)
    try:
        with session.begin_nested():
            session.add(prompt)
    except IntegrityError:
        return _stored_prompt(session, couple.id, day)
    session.info[_prompt_key(couple.id, day)] = prompt
    return prompt


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
    day, topic = todays_question(session, partner.couple, now, bank)
    gentle = _gentle_of(session, partner, day)
    if gentle is not None and gentle.question_id in bank:
        question = bank.by_id(gentle.question_id)
        return day, question, question.text
    return day, topic, wording(topic, partner)


def _gentle_of(session: Session, partner: Partner, day: date) -> GentleQuestion | None:
    """The gentle question `partner` got on SKIP today, if any; remembered on the session like the day's
    prompt, because a check-in asks twice (the question it answers, then the tip)."""
    key = ("gentle_question", partner.id, day)
    if key in session.info and (session.info[key] is None or inspect(session.info[key]).persistent):
        return session.info[key]
    gentle = session.info[key] = session.scalar(GENTLE_OF, {"partner_id": partner.id, "day": day})
    return gentle


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
    session.info.pop(_prompt_key(couple.id, local_time.local_date(now, couple.timezone)), None)
    day, topic = todays_question(session, couple, now, bank)
    if _anyone_answered(session, couple, day):
        return _gentle(session, partner, day, topic, now, bank)
    prompt = _stored_prompt(session, couple.id, day)
    skipped = set(prompt.skipped.split())
    if len(skipped) >= MAX_SKIPS:  # enough new topics for one day (and daily_prompt.skipped stays short)
        return Skipped("same", topic, wording(topic, partner))
    new = skip_question(bank, _history(session, couple, day), f"{couple.id}:{day.isoformat()}:skip{len(skipped)}",
                        topic, age_days=age_days(couple, day), roles=roles_of(couple), skipped=skipped)
    if new.id == topic.id:
        return Skipped("same", topic, wording(topic, partner))
    prompt.skipped, prompt.question_id = " ".join(sorted(skipped | {topic.id})), new.id
    session.flush()
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
    existing = _gentle_of(session, partner, day)
    if existing is not None and existing.question_id in bank:
        question = bank.by_id(existing.question_id)
        return Skipped("gentle", question, question.text)
    used = session.scalars(select(GentleQuestion.question_id).where(GentleQuestion.partner_id == partner.id))
    question = gentle_question(bank, topic, f"{partner.id}:{day.isoformat()}", used=list(used))
    gentle = GentleQuestion(partner_id=partner.id, local_date=day, question_id=question.id, created_at=now)
    session.add(gentle)
    session.flush()
    session.info["gentle_question", partner.id, day] = gentle
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
    return marked is not None  # (RETURNING, not rowcount: psycopg reports -1 for a skipped insert)


def has_heard(session: Session, partner: Partner, day: date) -> bool:
    """True when `partner` heard or was sent the question of `day`."""
    return session.scalar(HEARD, {"partner_id": partner.id, "day": day}) is not None
