"""Promises: small commitments with a reminder before and a "did you keep it?" after (to the promiser only).
A kept promise may be told to the partner when the promiser asks (TELL), and the partner may send THANKS:
appreciation both ways, never a partner's verdict on whether it was kept."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import Awaiting, OutboundMessage, Partner, Promise, PromiseState, TextKind, TextState
from core.services import echo_reminders, outbox
from core.services.couples import other_partner
from core.words import texts
from core.words.tasks import for_author, for_partner
from core.words.times import describe_local

MAX_TEXT = 200
MIN_NOTICE = timedelta(minutes=5)
FOLLOW_UP_AFTER = timedelta(minutes=30)
FOLLOW_UP_STALE = timedelta(hours=36)
STATES = set(PromiseState) - {PromiseState.OPEN}  # what settling may mark
MAX_AHEAD = timedelta(days=366)


def make_promise(session: Session, promiser: Partner, text: str, due_at: datetime, tz: str, now: datetime,
                 lead_minutes: int = 30, source_id: str | None = None) -> Promise:
    """Store a promise and queue its reminder and follow-up texts (when the promiser takes texts)."""
    if source_id and (existing := session.scalar(select(Promise).where(Promise.source_id == source_id))):
        return existing  # a retried request, even one arriving after the due time
    text = " ".join((text or "").split())[:MAX_TEXT]
    if not text:
        raise InvalidInput("what is the promise?", "empty_promise")
    if due_at <= now:
        raise InvalidInput("that time has already passed", "past_due")
    if due_at - now > MAX_AHEAD:
        raise InvalidInput("promises are for the coming year", "too_far")
    other = other_partner(promiser)
    promise = Promise(promiser_id=promiser.id, partner_id=other.id if other else None, text=text, due_at=due_at,
                      timezone=tz, lead_minutes=lead_minutes, state=PromiseState.OPEN, source_id=source_id, created_at=now)
    session.add(promise)
    session.flush()
    _queue_reminders(session, promiser, promise, now)
    return promise


def reminder_time(promise: Promise, now: datetime) -> datetime | None:
    """`due - lead`, never in the past; None when the promise is too close to remind usefully."""
    at = promise.due_at - timedelta(minutes=promise.lead_minutes)
    if at >= now:
        return at
    return now if promise.due_at - now >= MIN_NOTICE else None


def _queue_reminders(session: Session, promiser: Partner, promise: Promise, now: datetime, revision: str = "") -> None:
    """The reminder goes at the asked time even in quiet hours; the follow-up waits for morning. When another
    open promise has the same words, the follow-up names this one's day and time."""
    if not promiser.can_text:
        return
    remind_at = reminder_time(promise, now)
    if remind_at is not None:
        outbox.queue(session, promiser, outbox.Draft(
            texts.promise_reminder(for_author(promise.text),
                                   describe_local(promise.due_at, promise.timezone, remind_at)),
            TextKind.PROMISE_REMINDER,
            f"promise-reminder:{promise.id}{revision}", send_after=remind_at, expires_at=promise.due_at,
            respect_quiet=False, promise_id=promise.id), now)
    twins = [p for p in open_promises(session, promiser) if p.id != promise.id and _words(p.text) == _words(promise.text)]
    when = describe_local(promise.due_at, promise.timezone, promise.due_at + FOLLOW_UP_AFTER) if twins else None
    for twin in twins:  # their follow-ups, still waiting, now name their own day and time too
        for message in session.scalars(select(OutboundMessage).where(
                OutboundMessage.promise_id == twin.id, OutboundMessage.kind == TextKind.PROMISE_FOLLOWUP,
                OutboundMessage.state == TextState.QUEUED)):
            message.body = texts.promise_followup(
                for_author(twin.text), describe_local(twin.due_at, twin.timezone, twin.due_at + FOLLOW_UP_AFTER))
    outbox.queue(session, promiser, outbox.Draft(
        texts.promise_followup(for_author(promise.text), when),
        TextKind.PROMISE_FOLLOWUP, f"promise-followup:{promise.id}{revision}",
        send_after=promise.due_at + FOLLOW_UP_AFTER,
        expires_at=promise.due_at + FOLLOW_UP_STALE, promise_id=promise.id), now)


def open_promises(session: Session, partner: Partner) -> list[Promise]:
    """The partner's open promises, soonest first (the order PROMISES numbers them in)."""
    return list(session.scalars(select(Promise).where(
        Promise.promiser_id == partner.id, Promise.state == PromiseState.OPEN).order_by(Promise.due_at, Promise.id)))


def pick_promise(session: Session, partner: Partner, now: datetime, number: int | None = None,
                 words: str | None = None) -> Promise:
    """Which open promise a person means: by list number, by words in it, else the one most recently due."""
    promises = open_promises(session, partner)
    if not promises:
        raise NotFound("no open promises", "no_promises")
    if number is not None:
        if not 1 <= number <= len(promises):
            raise InvalidInput(f"there are {len(promises)} open promises", "bad_number")
        return promises[number - 1]
    if words:
        return _best_match(promises, words)
    overdue = [p for p in promises if p.due_at <= now]
    return overdue[-1] if overdue else promises[0]


class SeveralMatch(Conflict):
    """More than one open promise fits the words said: `choices` (soonest first) to tell apart by day and time."""

    def __init__(self, choices: list[Promise]):
        super().__init__("more than one promise like that", "several_match")
        self.choices = choices


def _best_match(promises: list[Promise], words: str) -> Promise:
    """The promise sharing most words with what was said; NotFound when none shares any, SeveralMatch when
    two or more share as many."""
    wanted = _words(words) - {"to", "the", "a", "my", "i", "promise"}
    scored = [(len(wanted & _words(p.text)), p) for p in promises]
    best_score = max(score for score, _ in scored)
    if best_score == 0:
        raise NotFound("no promise like that", "no_match")
    best = [p for score, p in scored if score == best_score]
    if len(best) > 1:
        raise SeveralMatch(best)
    return best[0]


def move_promise(session: Session, partner: Partner, promise: Promise, due_at: datetime, now: datetime) -> Promise:
    """MOVE: a new due time for an open promise of one's own; its waiting texts go and new ones are planned."""
    if promise.promiser_id != partner.id:
        raise NotAllowed("only the person who promised can move it", "not_yours")
    if promise.state != PromiseState.OPEN:
        raise Conflict(f"already marked {promise.state}", "already_settled")
    if due_at <= now:
        raise InvalidInput("that time has already passed", "past_due")
    if due_at - now > MAX_AHEAD:
        raise InvalidInput("promises are for the coming year", "too_far")
    outbox.cancel_for_promise(session, promise.id, now)
    promise.due_at = due_at
    session.flush()
    moves = session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.promise_id == promise.id, OutboundMessage.kind == TextKind.PROMISE_FOLLOWUP))
    _queue_reminders(session, partner, promise, now, revision=f":moved-{moves}")
    echo_reminders.promise_changed(session, promise, now)
    session.flush()
    return promise


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def settled_by(session: Session, partner: Partner, source_id: str | None) -> Promise | None:
    """The promise this partner settled with request `source_id` before: a replayed request (Alexa and Twilio
    may deliver one twice) gets the same answer and settles nothing more."""
    if not source_id:
        return None
    return session.scalar(select(Promise).where(Promise.settled_source_id == source_id,
                                                Promise.promiser_id == partner.id))


def settle(session: Session, partner: Partner, promise: Promise, state: str, now: datetime,
           source_id: str | None = None) -> Promise:
    """Mark a promise kept, missed or cancelled (only its maker can), and drop its pending texts; `source_id`
    (the request) is remembered so that a replay of it is recognised (settled_by)."""
    if state not in STATES:
        raise InvalidInput(f"unknown state {state!r}", "bad_state")
    if promise.promiser_id != partner.id:
        raise NotAllowed("only the person who promised can settle it", "not_yours")
    if promise.state != PromiseState.OPEN:
        raise Conflict(f"already marked {promise.state}", "already_settled")
    promise.state, promise.resolved_at, promise.settled_source_id = state, now, source_id
    outbox.cancel_for_promise(session, promise.id, now)
    echo_reminders.promise_changed(session, promise, now)
    session.flush()
    return promise


TELL_WITHIN = timedelta(hours=24)  # TELL after KEPT: the promise kept in the last day
THANKS_WITHIN = timedelta(days=2)  # how long the partner's THANKS still reaches the promiser


def tell_partner_kept(session: Session, promiser: Partner, now: datetime) -> tuple[Promise, Partner]:
    """TELL after KEPT: the promiser asks that their partner hear about it, framed as appreciation ("Alex kept
    their promise to call you. Reply THANKS to let them know"). Opt-in and the promiser's own choice; never
    a question to the partner about whether it was kept. The most recently kept promise not yet told."""
    partner = other_partner(promiser)
    if partner is None:
        raise NotFound("no partner yet", "no_partner")
    promise = session.scalar(select(Promise).where(
        Promise.promiser_id == promiser.id, Promise.state == PromiseState.KEPT, Promise.wants_thanks.is_(False),
        Promise.resolved_at >= now - TELL_WITHIN).order_by(Promise.resolved_at.desc(), Promise.id.desc()).limit(1))
    if promise is None:
        raise NotFound("no kept promise to tell about", "nothing_to_tell")
    outbox.check_can_text(partner, TextKind.PROMISE_THANKS)
    promise.wants_thanks = True
    outbox.queue(session, partner, outbox.Draft(
        texts.promise_kept_news(promiser.display_name, for_partner(promise.text, partner.display_name)),
        TextKind.PROMISE_THANKS, f"promise-thanks:{promise.id}", promise_id=promise.id), now)
    session.flush()
    return promise, partner


def thank(session: Session, partner: Partner, now: datetime) -> Promise:
    """THANKS from the partner who was told of a kept promise: passed on to the promiser, once. NotFound
    ("nothing_to_thank") when no kept promise is waiting for their thanks."""
    promise = session.scalar(select(Promise).where(
        Promise.partner_id == partner.id, Promise.state == PromiseState.KEPT, Promise.wants_thanks.is_(True),
        Promise.thanked_at.is_(None), Promise.resolved_at >= now - THANKS_WITHIN)
        .order_by(Promise.resolved_at.desc(), Promise.id.desc()).limit(1))
    if promise is None:
        raise NotFound("no kept promise waiting for thanks", "nothing_to_thank")
    promise.thanked_at = now
    promiser = session.get(Partner, promise.promiser_id)
    if promiser is not None and promiser.can_text:
        outbox.queue(session, promiser, outbox.Draft(
            texts.thanks_passed_on(partner.display_name, for_author(promise.text)), TextKind.THANKS,
            f"thanks:{promise.id}", promise_id=promise.id), now)
    session.flush()
    return promise
