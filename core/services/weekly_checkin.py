"""The weekly check-in, the same by text and by voice: three questions in a caring order (one appreciation,
one moment that felt steady or hard, one thing to focus on next week), at a time the couple chooses.

Like the daily question, what one partner said is shown to the other only once both have answered all
three; an answer that reads as danger (core.safety) is `held`: its writer's alone, and to the partner it
looks exactly like no answer. The focus can become a promise through core.services.promise_intake. One
pact agreement may be revisited at the end: the caller passes a `revisit` source (see `pact_revisit`).
Nothing here commits.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput
from core.models import Awaiting, Couple, Partner, QuestionHeard, TextKind, Visibility, WeeklyAnswer, WeeklyCheckIn
from core.safety import DangerSignal, reads_as_danger
from core.services import checkins, outbox, promise_intake, small_wins
from core.services.couples import clear_awaited, expect_reply, other_partner
from core.services.replies_in_context import is_acknowledgement
from core.words import texts

STEPS = 3
REPLY_WINDOW = timedelta(hours=6)  # a plain text answers the weekly question asked this recently
MAX_TEXT = 1000
#: The three questions, in their caring order; {name} is the partner's first name.
QUESTIONS = ("What's one thing {name} did this week that you appreciated?",
             "What's one moment this week that felt steady, or hard?",
             "What's one thing you'd like to focus on next week?")
ALONE = "What's one thing from this week that you appreciated?"
#: A source of the pact agreement to revisit: (session, couple, now) -> its words, or None.
Revisit = Callable[[Session, Couple, datetime], str | None]


@dataclass(frozen=True)
class Question:
    """One of the three questions, as this partner hears it."""

    step: int
    words: str


@dataclass(frozen=True)
class WeekReveal:
    """What the partner said this week, only once both answered all three: status is
    both | waiting_you | waiting_partner | no_partner | invited | partner_away."""

    status: str
    partner_name: str | None = None
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answered:
    """What became of a weekly answer. status: saved | held | ack (not kept) | done (nothing left to answer).
    `next` is the next question (None once all three are answered: then `finished`)."""

    status: str
    step: int = 0
    next: Question | None = None
    reveal: WeekReveal | None = None
    revisit: str | None = None
    signal: DangerSignal | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("saved", "held") and self.next is None


def pact_revisit(session: Session, couple: Couple, now: datetime) -> str | None:
    """The seam for the trust pact (issue 13, item 1): its `agreement_to_revisit(session, couple, now)`, once
    core.services.pact offers one; None until then."""
    try:
        from core.services import pact
    except ImportError:
        return None
    choose = getattr(pact, "agreement_to_revisit", None)
    return choose(session, couple, now) if choose else None


def next_weekly(after: datetime, weekday: int, minute: int, tz: str) -> datetime:
    """The first instant strictly after `after` when it is `weekday` (0 = Monday) at `minute`, local time."""
    today = local_time.local_date(after, tz)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    at = local_time.at_minute(day, minute, tz)
    return at if at > after else local_time.at_minute(day + timedelta(days=7), minute, tz)


def week_of(couple: Couple, now: datetime) -> date:
    """The local day of the couple's latest weekly check-in time at or before `now` (its week runs to the next)."""
    today = local_time.local_date(now, couple.timezone)
    day = today - timedelta(days=(today.weekday() - couple.weekly_day) % 7)
    if local_time.at_minute(day, couple.weekly_minute, couple.timezone) > now:
        day -= timedelta(days=7)
    return day


def open_week(session: Session, couple: Couple, now: datetime, revisit: Revisit | None = None) -> WeeklyCheckIn:
    """This week's check-in, opened on first use (once, whoever asks first); `revisit` is asked only then."""
    day = week_of(couple, now)
    found = _week(session, couple.id, day)
    if found is not None:
        return found
    check_in = WeeklyCheckIn(couple_id=couple.id, week_of=day, created_at=now,
                             revisit=revisit(session, couple, now) if revisit else None)
    try:
        with session.begin_nested():
            session.add(check_in)
    except IntegrityError:  # the other partner opened it at the same moment
        return _week(session, couple.id, day)
    return check_in


def _week(session: Session, couple_id: int, day: date) -> WeeklyCheckIn | None:
    return session.scalar(select(WeeklyCheckIn).where(WeeklyCheckIn.couple_id == couple_id,
                                                      WeeklyCheckIn.week_of == day))


def _answers(session: Session, check_in: WeeklyCheckIn, partner: Partner | None) -> list[WeeklyAnswer]:
    if partner is None:
        return []
    return list(session.scalars(select(WeeklyAnswer).where(
        WeeklyAnswer.check_in_id == check_in.id, WeeklyAnswer.partner_id == partner.id).order_by(WeeklyAnswer.step)))


def question(partner: Partner, step: int) -> Question:
    """Question `step` (1-3) worded for `partner`."""
    other = other_partner(partner)
    if step == 1 and other is None:
        return Question(1, ALONE)
    return Question(step, QUESTIONS[step - 1].format(name=other.display_name if other else ""))


def next_question(session: Session, partner: Partner, now: datetime, revisit: Revisit | None = None
                  ) -> Question | None:
    """The first of this week's questions the partner has not answered yet (None: all three are answered)."""
    done = len(_answers(session, open_week(session, partner.couple, now, revisit), partner))
    return question(partner, done + 1) if done < STEPS else None


def ask_by_text(session: Session, partner: Partner, now: datetime, asked_at: datetime | None = None,
                revisit: Revisit | None = None) -> Question | None:
    """The next question, and a plain reply from this partner now answers it (for REPLY_WINDOW after
    `asked_at`, when the text goes; default now)."""
    step = next_question(session, partner, now, revisit)
    if step is None:
        return None
    check_in = open_week(session, partner.couple, now)
    expect_reply(partner, Awaiting.WEEKLY, asked_at or now, ref=check_in.id,
                 minutes=int(REPLY_WINDOW / timedelta(minutes=1)))
    return step


def reply_expected(session: Session, partner: Partner, now: datetime) -> bool:
    """True when a plain text from this partner answers the weekly question: one was asked within the
    window, and the day's question did not reach them after it (the last question asked is answered)."""
    if partner.awaiting != Awaiting.WEEKLY or not partner.awaiting_until or partner.awaiting_until <= now:
        return False
    asked_at = partner.awaiting_until - REPLY_WINDOW
    heard = session.scalar(select(QuestionHeard.at).where(
        QuestionHeard.partner_id == partner.id,
        QuestionHeard.local_date == local_time.local_date(now, partner.couple.timezone)))
    return heard is None or not asked_at < heard <= now


def answer(session: Session, partner: Partner, text: str | None, channel: str, source_id: str,
           now: datetime, by_text: bool = False) -> Answered:
    """Keep `text` as the partner's answer to their next weekly question (once per source id). By text, the
    next plain reply then answers the next question."""
    cleaned = "".join(ch for ch in (text or "") if ch.isprintable() or ch in "\n\t").strip()[:MAX_TEXT]
    if not cleaned:
        raise InvalidInput("an answer cannot be empty", "empty_answer")
    repeated = session.scalar(select(WeeklyAnswer).where(WeeklyAnswer.source_id == source_id))
    if repeated is not None:  # a retried request: what it did, nothing more
        return _outcome(session, partner, repeated, now, notify=False)
    if is_acknowledgement(cleaned):
        return Answered("ack")
    check_in = open_week(session, partner.couple, now)
    signal = reads_as_danger(cleaned)
    kept = _store(session, check_in, partner, cleaned, Visibility.HELD if signal else Visibility.SHARED, source_id,
                  now)
    if kept is None:
        return Answered("done", reveal=reveal(session, partner, now, mark_seen=False))
    outcome = _outcome(session, partner, kept, now, notify=True)
    if by_text and outcome.next is not None:
        expect_reply(partner, Awaiting.WEEKLY, now, ref=check_in.id, minutes=int(REPLY_WINDOW / timedelta(minutes=1)))
    elif partner.awaiting == Awaiting.WEEKLY:
        clear_awaited(partner)
    return outcome


def _store(session: Session, check_in: WeeklyCheckIn, partner: Partner, text: str, visibility: str,
           source_id: str, now: datetime) -> WeeklyAnswer | None:
    """Keep the answer as the partner's next step (a unique step decides between two texts at once; the
    later one takes the step after); None when all three are answered."""
    for _ in range(STEPS):
        step = len(_answers(session, check_in, partner)) + 1
        if step > STEPS:
            return None
        kept = WeeklyAnswer(check_in_id=check_in.id, partner_id=partner.id, step=step, text=text,
                            visibility=visibility, source_id=source_id, created_at=now)
        try:
            with session.begin_nested():
                session.add(kept)
            return kept
        except IntegrityError:
            session.expire_all()
    return None


def _outcome(session: Session, partner: Partner, kept: WeeklyAnswer, now: datetime, notify: bool) -> Answered:
    """The Answered for a stored answer: the next question, or (after the third) the reveal and revisit."""
    status = "held" if kept.visibility == Visibility.HELD else "saved"
    signal = reads_as_danger(kept.text) if status == "held" else None
    if kept.step < STEPS:
        return Answered(status, kept.step, question(partner, kept.step + 1), signal=signal)
    check_in = session.get(WeeklyCheckIn, kept.check_in_id)
    shown = reveal(session, partner, now, mark_seen=False)
    if notify and shown.status == "both":
        _both_done(session, partner, check_in, now)
    return Answered(status, kept.step, None, shown, check_in.revisit, signal)


def _both_done(session: Session, partner: Partner, check_in: WeeklyCheckIn, now: datetime) -> None:
    """The second to finish: the first hears (by text) that the answers can be read, and the couple gets
    the small win of a check-in made together."""
    other = other_partner(partner)
    if other is not None and other.can_text and _finished(session, check_in, partner, Visibility.SHARED):
        outbox.queue(session, other, outbox.Draft(
            texts.weekly_both_answered(partner.display_name), TextKind.WEEKLY_CHECKIN,
            f"weekly-both:{other.id}:{check_in.id}", expires_at=now + timedelta(days=2)), now)
    small_wins.celebrate(session, partner.couple, small_wins.weekly_together(check_in.id), now)


def _finished(session: Session, check_in: WeeklyCheckIn, partner: Partner, *visible: str) -> bool:
    """All three answered, counting only answers of the given visibilities."""
    return len([a for a in _answers(session, check_in, partner) if a.visibility in visible]) == STEPS


def has_held(session: Session, partner: Partner, now: datetime) -> bool:
    """True when an answer of this partner's this week is held (it read as danger): theirs alone until they
    say SHARE IT."""
    check_in = _week(session, partner.couple_id, week_of(partner.couple, now))
    return check_in is not None and any(a.visibility == Visibility.HELD for a in _answers(session, check_in, partner))


def share_held(session: Session, partner: Partner, now: datetime) -> WeekReveal | None:
    """SHARE IT for the weekly check-in: this week's held answers of `partner` are shared after all, as if
    they had been shared when written (if that completes the week for both, the other partner hears the
    answers can be read, and the couple gets its small win). None when nothing of theirs is held."""
    check_in = _week(session, partner.couple_id, week_of(partner.couple, now))
    held = [a for a in _answers(session, check_in, partner) if a.visibility == Visibility.HELD] if check_in else []
    if not held:
        return None
    for answer in held:
        answer.visibility = Visibility.SHARED
    session.flush()
    shown = reveal(session, partner, now, mark_seen=False)
    if shown.status == "both":
        _both_done(session, partner, check_in, now)
    return shown


def reveal(session: Session, partner: Partner, now: datetime, mark_seen: bool = True) -> WeekReveal:
    """The partner's three answers this week, only once both have answered all three (a held answer of
    theirs looks like no answer); marks them seen when shown."""
    base = checkins.answer_status(session, partner, now)
    if base.status in ("no_partner", "invited", "partner_away"):
        return WeekReveal(base.status, base.partner_name)
    other = other_partner(partner)
    check_in = open_week(session, partner.couple, now)
    if not _finished(session, check_in, partner, Visibility.SHARED, Visibility.HELD):
        return WeekReveal("waiting_you", other.display_name)
    if not _finished(session, check_in, other, Visibility.SHARED):
        return WeekReveal("waiting_partner", other.display_name)
    theirs = _answers(session, check_in, other)
    if mark_seen:
        for one in theirs:
            one.seen_at = one.seen_at or now
        session.flush()
    return WeekReveal("both", other.display_name, tuple(a.text for a in theirs))


#: -ing words whose plain form keeps an e ("making" -> "make") or is irregular ("being" -> "be").
_E_KEPT = set("mak tak giv hav com leav shar car lov mov driv writ serv us smil sav plac chang bak hop stor "
              "argu continu rescu valu includ invit prepar declar compar".split())


def as_task(focus: str) -> str:
    """The focus as a promise's words: "Listening before I answer" -> "listen before I answer" (a leading
    -ing word becomes its plain form, so "I promise to ..." reads well); anything else is kept as said."""
    first, _, rest = focus.strip().partition(" ")
    word = first.lower()
    if word == "being":
        plain = "be"
    elif len(word) > 5 and word.endswith("ing") and word.isalpha():
        stem = word[:-3]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
            stem = stem[:-1]
        plain = stem + "e" if stem in _E_KEPT else stem
    else:
        return focus.strip()
    return f"{plain} {rest}".strip()


def focus_of(session: Session, partner: Partner, now: datetime) -> str | None:
    """This week's answer to "what to focus on next week" as a promise's words, when the partner gave one."""
    answers = _answers(session, open_week(session, partner.couple, now), partner)
    return as_task(answers[-1].text) if len(answers) == STEPS else None


def focus_promise(session: Session, partner: Partner, when: str | None, now: datetime,
                  source_id: str | None = None) -> promise_intake.Intake | None:
    """PROMISE IT <when>: this week's focus becomes a promise (promise_intake reads the time; without one
    only the task comes back). None when there is no focus yet."""
    focus = focus_of(session, partner, now)
    if focus is None:
        return None
    words = f"{focus} {when or ''}".strip()
    return promise_intake.take_texted(session, partner, words, partner.couple.timezone, now, source_id=source_id)


def set_time(session: Session, partner: Partner, weekday: int, minute: int, now: datetime) -> bool:
    """WEEKLY sun 6pm: the couple's weekly check-in time (shared; the other partner is told in one line, and
    True is returned when they were). A time inside the chooser's own quiet hours is refused."""
    if not (0 <= weekday <= 6 and 0 <= minute < 24 * 60):
        raise InvalidInput("a weekday and a time of day", "bad_weekly_time")
    couple = partner.couple
    at = next_weekly(now, weekday, minute, couple.timezone)
    if partner.in_quiet_hours(at):
        raise InvalidInput("that time is in your quiet hours", "weekly_in_quiet")
    couple.weekly_day, couple.weekly_minute, couple.next_summary_at = weekday, minute, at
    other = other_partner(partner)
    if other is None or not other.can_text:
        return False
    outbox.queue(session, other, outbox.Draft(
        texts.weekly_time_changed(partner.display_name, weekday, minute), TextKind.SETTING_CHANGED,
        f"setting:{other.id}:weekly:{weekday}:{minute}:{now.isoformat()}"), now)
    return True
