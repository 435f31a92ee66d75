"""Today's question: one per couple per local date, the same for both partners, chosen once and stored."""
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import timezones
from core.models import Couple, DailyPrompt, Partner, QuestionHeard
from prompts.bank import Question, QuestionBank, load_bank
from prompts.daily import choose_question


def todays_question(session: Session, couple: Couple, now: datetime,
                    bank: QuestionBank | None = None) -> tuple[date, Question]:
    """The couple's question for its local date at `now`; chosen and stored on first ask."""
    bank = bank or load_bank()
    day = timezones.local_date(now, couple.timezone)
    prompt = _stored_prompt(session, couple.id, day)
    if prompt is None:
        prompt = _choose_and_store(session, couple, day, now, bank)
    if prompt.question_id not in bank:  # the bank changed since the day's question was stored
        prompt.question_id = _choose(session, couple, day, bank).id
    return day, bank.by_id(prompt.question_id)


def _stored_prompt(session: Session, couple_id: int, day: date) -> DailyPrompt | None:
    return session.scalar(select(DailyPrompt).where(DailyPrompt.couple_id == couple_id,
                                                    DailyPrompt.local_date == day))


def _choose_and_store(session, couple, day, now, bank) -> DailyPrompt:
    """Pick by the rule and store it; if another server stored one first, theirs stands."""
    prompt = DailyPrompt(couple_id=couple.id, local_date=day, question_id=_choose(session, couple, day, bank).id,
                         created_at=now)
    try:
        with session.begin_nested():
            session.add(prompt)
    except IntegrityError:
        return _stored_prompt(session, couple.id, day)
    return prompt


def _choose(session: Session, couple: Couple, day: date, bank: QuestionBank) -> Question:
    """The rule applied to the couple's history before `day`."""
    history = session.scalars(select(DailyPrompt.question_id).where(
        DailyPrompt.couple_id == couple.id, DailyPrompt.local_date < day).order_by(DailyPrompt.local_date)).all()
    return choose_question(bank, history, f"{couple.id}:{day.isoformat()}")


def mark_heard(session: Session, partner: Partner, channel: str, now: datetime) -> bool:
    """Record that `partner` got today's question (so the text fallback skips them); False if already."""
    day = timezones.local_date(now, partner.couple.timezone)
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
    return session.scalar(select(QuestionHeard.id).where(QuestionHeard.partner_id == partner.id,
                                                         QuestionHeard.local_date == day)) is not None
