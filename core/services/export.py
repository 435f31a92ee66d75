"""Taking one's data away: "download my data" for the signed-in partner, and a report for the couple's
therapist that needs both partners' yes.

My data: everything of this person's own (their profile and settings, every check-in they wrote, private
ones too, their moods and promises) and the metadata of texts sent to them; never a word of their partner's.

The report covers the last 4 weeks (28 days up to yesterday). Each partner says yes to the parts they are
willing to share (SECTIONS, described before anything is made); the report holds only the parts BOTH said
yes to, while both yeses stand (14 days, or until one withdraws). Private reflections, held answers,
answers to gentle questions, moods and missed promises are never in it.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput, NotAllowed
from core.models import CheckIn, OutboundMessage, Partner, Promise, ReportConsent, Visibility
from core.services import history, progress
from core.services.couples import other_partner
from prompts.bank import load_bank

REPORT_DAYS = 28
CONSENT_LASTS = timedelta(days=14)
#: What a report can hold, in the words the page shows before anyone says yes.
SECTIONS = {
    "answers": "The day's question and both of your answers, on the days you both answered and shared them.",
    "rhythm": "For each week: on how many days you both answered, and how many promises you kept together.",
}
NEVER = ("Never in it: private reflections, answers kept private, answers to a gentler question, moods, "
         "promises that were not kept, texts, phone numbers, and anything older than 4 weeks.")
VISIBILITY_WORDS = {Visibility.SHARED: "shared once both answered", Visibility.PRIVATE: "private reflection",
                    Visibility.HELD: "kept private (not shared)", Visibility.PENDING: "not confirmed as an answer",
                    Visibility.REPLACED: "replaced by a later answer"}


def my_data(session: Session, partner: Partner, now: datetime) -> dict:
    """This partner's own data, as plain JSON-ready values."""
    couple, bank = partner.couple, load_bank()
    return {
        "exported_at": now.isoformat(),
        "you": {"first_name": partner.display_name, "phone": partner.phone, "role": partner.role,
                "joined": partner.created_at.isoformat(), "paused": partner.paused,
                "quiet_hours": f"{partner.quiet_start:02d}:00-{partner.quiet_end:02d}:00",
                "thinking_texts": partner.takes_thinking},
        "shared_settings": {"time_zone": couple.timezone,
                            "question_time": f"{couple.question_minute // 60:02d}:{couple.question_minute % 60:02d}"},
        "check_ins": [_check_in(c, bank) for c in session.scalars(select(CheckIn).where(
            CheckIn.partner_id == partner.id).order_by(CheckIn.local_date, CheckIn.created_at, CheckIn.id))],
        "promises": [_promise(p) for p in session.scalars(select(Promise).where(
            Promise.promiser_id == partner.id).order_by(Promise.due_at, Promise.id))],
        "texts_to_you": [{"kind": kind, "state": state, "at": (sent or made).isoformat()}
                         for kind, state, sent, made in session.execute(select(
                             OutboundMessage.kind, OutboundMessage.state, OutboundMessage.sent_at,
                             OutboundMessage.created_at).where(OutboundMessage.partner_id == partner.id)
                             .order_by(OutboundMessage.created_at, OutboundMessage.id))],
    }


def _check_in(check_in: CheckIn, bank) -> dict:
    question = bank.by_id(check_in.question_id).text if check_in.question_id in bank else None
    return {"date": check_in.local_date.isoformat(), "question": question, "answer": check_in.text,
            "mood": check_in.mood, "kept_as": VISIBILITY_WORDS.get(check_in.visibility, check_in.visibility),
            "channel": check_in.channel, "at": check_in.created_at.isoformat()}


def _promise(promise: Promise) -> dict:
    return {"promise": promise.text, "due": promise.due_at.isoformat(), "time_zone": promise.timezone,
            "state": promise.state, "settled": promise.resolved_at.isoformat() if promise.resolved_at else None,
            "told_partner": promise.wants_thanks}


@dataclass(frozen=True)
class ReportState:
    """Where the report stands for `partner`: their own yes (the sections), their partner's, and what a
    report made now would hold (both yeses' common sections; empty until both said yes)."""

    mine: frozenset[str]
    theirs: frozenset[str]
    partner_name: str | None

    @property
    def agreed(self) -> frozenset[str]:
        return self.mine & self.theirs


def consent(session: Session, partner: Partner, sections, now: datetime) -> None:
    """This partner says yes to a report holding `sections` (replacing an earlier yes)."""
    chosen = {s for s in sections or () if s in SECTIONS}
    if not chosen or len(chosen) != len(set(sections)):
        raise InvalidInput("choose at least one part of the report", "no_sections")
    if other_partner(partner) is None:
        raise NotAllowed("a report for a therapist needs both partners", "no_partner")
    withdraw(session, partner)
    session.add(ReportConsent(couple_id=partner.couple_id, partner_id=partner.id, sections=" ".join(sorted(chosen)),
                              agreed_at=now, expires_at=now + CONSENT_LASTS))
    session.flush()


def withdraw(session: Session, partner: Partner) -> None:
    """This partner takes their yes back: no report can be made until they say yes again."""
    session.execute(delete(ReportConsent).where(ReportConsent.partner_id == partner.id))
    session.flush()


def report_state(session: Session, partner: Partner, now: datetime) -> ReportState:
    """Both partners' standing yeses (an expired one counts as none)."""
    other = other_partner(partner)
    yeses = {c.partner_id: frozenset(c.sections.split()) for c in session.scalars(select(ReportConsent).where(
        ReportConsent.couple_id == partner.couple_id, ReportConsent.expires_at > now))}
    return ReportState(yeses.get(partner.id, frozenset()), yeses.get(other.id, frozenset()) if other else frozenset(),
                       other.display_name if other else None)


@dataclass(frozen=True)
class ReportDay:
    day: date
    question: str | None
    answers: list[tuple[str, str]]  # (first name, their shared answer), this partner first


@dataclass(frozen=True)
class Report:
    """The report as made: the period, the names, and only the agreed sections (None when left out)."""

    start: date
    end: date  # the last day it covers
    names: tuple[str, str]
    sections: frozenset[str]
    days: list[ReportDay] | None
    weeks: list[progress.WeekPoint] | None
    made_at: datetime


def build_report(session: Session, partner: Partner, now: datetime) -> Report:
    """The report of the last 4 weeks with the sections both said yes to; NotAllowed until both did."""
    state, other = report_state(session, partner, now), other_partner(partner)
    if other is None or not state.agreed:
        raise NotAllowed("both partners need to say yes to the same parts first", "needs_both")
    today = local_time.local_date(now, partner.couple.timezone)
    start = today - timedelta(days=REPORT_DAYS)
    days = _shared_days(session, partner, other, start, today, now) if "answers" in state.agreed else None
    weeks = [w for w in progress.weekly(session, partner, now, weeks=5) if w.start < today] \
        if "rhythm" in state.agreed else None
    return Report(start, today - timedelta(days=1), (partner.display_name, other.display_name), state.agreed,
                  days, weeks, now)


def _shared_days(session, partner, other, start, end, now) -> list[ReportDay]:
    """Days both answered and shared, with each one's shared answers only (history's rules, for both)."""
    out = []
    for day in sorted(history.days_between(session, partner, start, end, end, now).values(), key=lambda d: d.day):
        mine = [e.text for e in day.mine if e.kind == "answer" and not e.gentle]
        if day.both and mine and day.theirs:
            out.append(ReportDay(day.day, day.question, [(partner.display_name, " ".join(mine)),
                                                         (other.display_name, " ".join(day.theirs))]))
    return out
