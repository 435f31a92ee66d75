"""Today's question: one per couple per local date, the same for both partners, chosen once and stored."""
from datetime import date, datetime

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.models import Couple, DailyPrompt, Partner, QuestionHeard
from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question

# Built once with bound parameters: rebuilding a select per call costs more than running it.
STORED_PROMPT = select(DailyPrompt).where(DailyPrompt.couple_id == bindparam("couple_id"),
                                          DailyPrompt.local_date == bindparam("day"))
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


def _choose(session: Session, couple: Couple, day: date, bank: QuestionBank) -> Question:
    """The rule applied to the couple's history before `day`."""
    history = session.scalars(select(DailyPrompt.question_id).where(
        DailyPrompt.couple_id == couple.id, DailyPrompt.local_date < day).order_by(DailyPrompt.local_date)).all()
    return choose_question(bank, history, f"{couple.id}:{day.isoformat()}")


def mark_heard(session: Session, partner: Partner, channel: str, now: datetime) -> bool:
    """Record that `partner` got today's question (so the text fallback skips them); False if already."""
    day = local_time.local_date(now, partner.couple.timezone)
    if has_heard(session, partner, day):
        return False
    try:
        with session.begin_nested():
            session.add(QuestionHeard(partner_id=partner.id, local_date=day, channel=channel, at=now))
    except IntegrityError:
        return False
    return True


def has_heard(session: Session, partner: Partner, day: date) -> bool:
    """True when `partner` heard or was sent the question of `day`."""
    return session.scalar(HEARD, {"partner_id": partner.id, "day": day}) is not None
