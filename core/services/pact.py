"""The trust pact: a couple's short list of agreements ("We check in every evening"), the same by text and
by voice. An agreement counts only when the OTHER partner agrees: one proposes (a new agreement, new words
for one, or retiring one), the other agrees (AGREE n, or "yes" to the spoken proposal) or drops it. Every
version is kept (who proposed it and when, who agreed and when, what changed). A proposal is texted to the
other partner (unless they paused, cannot be texted, or it waits for their quiet hours) and told to them by
voice once, the next time they open the skill.

Limits: at most MAX_PENDING proposals waiting per couple, MAX_AGREEMENTS in the pact, MAX_TEXT characters
an agreement; a proposal nobody agreed to lapses after LAPSE. Words that read as danger are not stored or
shown to anyone: the proposer is offered the safety lines instead. Nothing here commits.
"""
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.locks import lock_couple
from core.models import (Consent, PactAction, PactAgreement, PactKind, PactVersion, Partner, ProposalState)
from core.safety import DangerSignal, reads_as_danger
from core.services import outbox, small_wins
from core.services.couples import other_partner
from core.words import texts
from core.words.times import describe_local

MAX_TEXT = 140
MAX_PENDING = 3
MAX_AGREEMENTS = 12
LAPSE = timedelta(days=14)
SUGGESTIONS = Path(__file__).resolve().parents[2] / "prompts" / "pact_suggestions.yaml"


@dataclass(frozen=True)
class Entry:
    """One live agreement as the couple sees it: its list number, its agreed words (None while only
    proposed), when it was agreed, and the proposal waiting on it, if any."""

    number: int
    agreement: PactAgreement
    text: str | None
    agreed_at: datetime | None
    pending: PactVersion | None

    def waits_for(self, partner: Partner) -> bool:
        """True when its pending proposal waits for `partner` (the other partner proposed it)."""
        return self.pending is not None and self.pending.proposed_by_id != partner.id


@dataclass(frozen=True)
class Delivery:
    """Whether the other partner was texted: `refusal` None when a text was queued (`after`: it waits for
    their quiet hours to end), else why not (paused, no_consent, opted_out, phone_invalid, no_phone)."""

    refusal: str | None = None
    after: datetime | None = None


@dataclass(frozen=True)
class Proposed:
    """A proposal made (or, with `held`, not made because its words read as danger)."""

    action: str
    text: str | None
    number: int | None = None
    version: PactVersion | None = None
    delivery: Delivery | None = None
    held: DangerSignal | None = None


@dataclass(frozen=True)
class Decided:
    """A proposal agreed or dropped, and by whom it was proposed."""

    version: PactVersion
    number: int
    text: str | None  # the words agreed (for a retirement: the words retired)
    proposer: Partner | None


@functools.lru_cache(maxsize=1)
def suggestions() -> tuple[str, ...]:
    """Our own short list of starting agreements (prompts/pact_suggestions.yaml): ideas, never added alone."""
    return tuple(yaml.safe_load(SUGGESTIONS.read_text(encoding="utf-8")))


def entries(session: Session, couple_id: int, now: datetime) -> list[Entry]:
    """The couple's live agreements, agreed or proposed, numbered in the order they were first proposed. Only
    reads: a proposal older than LAPSE is no longer pending (the write paths mark it lapsed)."""
    found = []
    for agreement in session.scalars(select(PactAgreement).where(
            PactAgreement.couple_id == couple_id, PactAgreement.retired_at.is_(None)).order_by(PactAgreement.id)):
        agreed = [v for v in agreement.versions if v.state == ProposalState.AGREED and v.action != PactAction.RETIRE]
        pending = next((v for v in agreement.versions
                        if v.state == ProposalState.PENDING and v.proposed_at >= now - LAPSE), None)
        if agreed or pending is not None:
            last = agreed[-1] if agreed else None
            found.append(Entry(len(found) + 1, agreement, last.text if last else None,
                               last.decided_at if last else None, pending))
    return found


def _lapse(session: Session, couple_id: int, now: datetime) -> None:
    """Proposals nobody agreed to within LAPSE are over (nothing is texted about it)."""
    ours = select(PactAgreement.id).where(PactAgreement.couple_id == couple_id)
    session.execute(update(PactVersion).where(
        PactVersion.agreement_id.in_(ours), PactVersion.state == ProposalState.PENDING,
        PactVersion.proposed_at < now - LAPSE).values(state=ProposalState.LAPSED, decided_at=now))


def clean_text(raw: str | None) -> str:
    """An agreement's words: printable, single-spaced, plain punctuation; InvalidInput when empty or long."""
    text = texts.plain_punctuation(" ".join("".join(ch for ch in (raw or "") if ch.isprintable()).split()))
    text = text.strip(" \"'")
    if not text:
        raise InvalidInput("what is the agreement?", "pact_empty")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters", "pact_too_long")
    return text[0].upper() + text[1:]


def propose(session: Session, partner: Partner, action: str, now: datetime, source_id: str | None = None,
            text: str | None = None, number: int | None = None) -> Proposed:
    """Propose a new agreement (ADD, with `text`), new words for agreement `number` (CHANGE) or retiring it
    (RETIRE); it waits for the other partner. A retried request (same `source_id`) proposes nothing more."""
    other = _other(partner)
    if source_id and (seen := session.scalar(select(PactVersion).where(PactVersion.source_id == source_id))):
        return Proposed(seen.action, seen.text, _number_of(session, partner, seen), seen)
    if action != PactAction.RETIRE:
        text = clean_text(text)
        if (signal := reads_as_danger(text)) is not None:
            return Proposed(action, None, held=signal)  # not stored, not shown: the lines instead
    lock_couple(session, partner.couple_id)  # the limits below count, then write
    _lapse(session, partner.couple_id, now)
    live = entries(session, partner.couple_id, now)
    if sum(e.pending is not None for e in live) >= MAX_PENDING:
        raise NotAllowed(f"at most {MAX_PENDING} proposals at once", "pact_pending_full")
    agreement = _agreement_for(session, partner, action, live, text, number, now)
    version = PactVersion(agreement_id=agreement.id, action=action, text=text, state=ProposalState.PENDING,
                          proposed_by_id=partner.id, proposed_at=now, source_id=source_id)
    session.add(version)
    session.flush()
    session.refresh(agreement, ["versions"])
    number = _number_of(session, partner, version)
    words = text if action != PactAction.RETIRE else _agreed_text(agreement)
    body = texts.pact_proposed(partner.display_name, action, words, number,
                               describe_local(now, partner.couple.timezone, now))
    delivery = text_partner(session, other, outbox.Draft(body, PactKind.PACT_PROPOSAL, f"pact-proposal:{version.id}"),
                            now)
    return Proposed(action, words, number, version, delivery)


def _other(partner: Partner) -> Partner:
    """The other partner, who must agree; NotFound/NotAllowed while there is none who joined."""
    other = other_partner(partner)
    if other is None:
        raise NotFound("no partner yet", "no_partner")
    if other.consent == Consent.INVITED:
        raise NotAllowed("the partner has not joined yet", "no_consent")
    return other


def _agreement_for(session, partner, action, live, text, number, now) -> PactAgreement:
    """The agreement a proposal is about: a new one for ADD, else live agreement `number`, agreed and free."""
    if action == PactAction.ADD:
        if len(live) >= MAX_AGREEMENTS:
            raise NotAllowed(f"at most {MAX_AGREEMENTS} agreements", "pact_full")
        if any(_same(text, e.text) or e.pending is not None and _same(text, e.pending.text) for e in live):
            raise Conflict("that agreement is already there", "pact_same")
        agreement = PactAgreement(couple_id=partner.couple_id, created_at=now)
        session.add(agreement)
        session.flush()
        return agreement
    entry = _entry(live, number)
    if entry.text is None:
        raise Conflict("only an agreed agreement can change", "pact_not_agreed")
    if entry.pending is not None:
        raise Conflict("a proposal already waits on it", "pact_already_proposed")
    if action == PactAction.CHANGE and _same(text, entry.text):
        raise Conflict("those are its words already", "pact_same")
    return entry.agreement


def _entry(live: list[Entry], number: int | None) -> Entry:
    if number is None or not 1 <= number <= len(live):
        raise NotFound("no such agreement", "pact_no_such")
    return live[number - 1]


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.casefold().strip(" .!").split()) == " ".join(b.casefold().strip(" .!").split())


def _agreed_text(agreement: PactAgreement) -> str | None:
    agreed = [v.text for v in agreement.versions if v.state == ProposalState.AGREED and v.text]
    return agreed[-1] if agreed else None


def _number_of(session: Session, partner: Partner, version: PactVersion) -> int | None:
    return next((e.number for e in entries(session, partner.couple_id, version.proposed_at)
                 if e.agreement.id == version.agreement_id), None)


def text_partner(session: Session, recipient: Partner, draft: outbox.Draft, now: datetime) -> Delivery:
    """Queue a text to the partner when they may be texted and have not paused (their own choice); say
    when it waits for their quiet hours. Used for pact proposals and apologies alike."""
    refusal = recipient.text_refusal() or ("partner_paused" if recipient.paused else None)
    if refusal:
        return Delivery(refusal)
    outbox.queue(session, recipient, draft, now)
    return Delivery(None, recipient.quiet_hours_end(now) if recipient.in_quiet_hours(now) else None)


def agree(session: Session, partner: Partner, number: int | None, now: datetime) -> Decided:
    """AGREE [n] / "yes" to a spoken proposal: the other partner's proposal now counts, and they are told.
    Without a number, the one proposal waiting for this partner (Conflict when several wait)."""
    lock_couple(session, partner.couple_id)
    entry = _waiting_entry(session, partner, number, now)
    version = entry.pending
    version.state, version.decided_by_id, version.decided_at = ProposalState.AGREED, partner.id, now
    words = version.text if version.action != PactAction.RETIRE else entry.text
    if version.action == PactAction.RETIRE:
        entry.agreement.retired_at = now
    session.flush()
    proposer = session.get(Partner, version.proposed_by_id) if version.proposed_by_id else None
    if proposer is not None and proposer.phone:
        text_partner(session, proposer, outbox.Draft(
            texts.pact_agreed_news(partner.display_name, version.action, words, entry.number,
                                   describe_local(now, partner.couple.timezone, now)),
            PactKind.PACT_AGREED, f"pact-agreed:{version.id}"), now)
    if version.action == PactAction.ADD:  # a new agreement, made together: a small win (at most one a day)
        small_wins.celebrate(session, partner.couple, small_wins.pact_agreement(entry.agreement.id), now)
    return Decided(version, entry.number, words, proposer)


def agreement_to_revisit(session: Session, couple, now: datetime) -> str | None:
    """The agreement the weekly check-in looks at again ("Does this one still work for you both?"): each
    week the next of the couple's agreed ones, in turn; None while nothing is agreed."""
    agreed = [entry.text for entry in entries(session, couple.id, now) if entry.text]
    if not agreed:
        return None
    week = now.isocalendar()
    return agreed[(week.year * 53 + week.week) % len(agreed)]


def drop(session: Session, partner: Partner, number: int | None, now: datetime) -> Decided:
    """PACT DROP n: the proposer withdraws their proposal, or the other partner gently declines it (the
    proposer hears so, without reasons asked). Nothing agreed changes."""
    lock_couple(session, partner.couple_id)
    entry = _entry(entries(session, partner.couple_id, now), number)
    version = entry.pending
    if version is None:
        raise NotFound("nothing is waiting on it", "pact_nothing_waiting")
    own = version.proposed_by_id == partner.id
    version.state = ProposalState.WITHDRAWN if own else ProposalState.DECLINED
    version.decided_by_id, version.decided_at = partner.id, now
    session.flush()
    proposer = session.get(Partner, version.proposed_by_id) if version.proposed_by_id else None
    words = version.text or entry.text
    if not own and proposer is not None and proposer.phone:
        text_partner(session, proposer, outbox.Draft(texts.pact_declined_news(partner.display_name, words),
                                                     PactKind.PACT_AGREED, f"pact-declined:{version.id}"), now)
    return Decided(version, entry.number, words, proposer)


def _waiting_entry(session: Session, partner: Partner, number: int | None, now: datetime) -> Entry:
    live = entries(session, partner.couple_id, now)
    if number is not None:
        entry = _entry(live, number)
        if entry.pending is None:
            raise NotFound("nothing is waiting on it", "pact_nothing_waiting")
        if not entry.waits_for(partner):
            raise NotAllowed("your own proposal waits for your partner", "pact_own_proposal")
        return entry
    waiting = [e for e in live if e.waits_for(partner)]
    if not waiting:
        raise NotFound("no proposal waits for you", "pact_nothing_to_agree")
    if len(waiting) > 1:
        raise Conflict("several proposals wait", "pact_which")
    return waiting[0]


def waiting_for(session: Session, partner: Partner, now: datetime) -> list[Entry]:
    """The proposals of the other partner that wait for this partner's agreement."""
    return [e for e in entries(session, partner.couple_id, now) if e.waits_for(partner)]


def next_untold(session: Session, partner: Partner, now: datetime) -> Entry | None:
    """The first proposal waiting for this partner that voice has not told them yet (told once)."""
    return next((e for e in waiting_for(session, partner, now) if e.pending.voice_told_at is None), None)


# A first look, true when a proposal of the other partner may wait to be told to a partner by voice: a
# recent pending version, not yet told, of a live agreement of their couple (bound: couple_id, partner_id and
# pact_since, LAPSE before now). `next_untold` decides; this is true whenever that finds one. Built once.
UNTOLD_MAY_WAIT = exists().where(
    PactVersion.agreement_id == PactAgreement.id, PactAgreement.couple_id == bindparam("couple_id"),
    PactAgreement.retired_at.is_(None), PactVersion.state == ProposalState.PENDING,
    PactVersion.proposed_at >= bindparam("pact_since"), PactVersion.voice_told_at.is_(None),
    or_(PactVersion.proposed_by_id != bindparam("partner_id"), PactVersion.proposed_by_id.is_(None)))


def mark_told(version: PactVersion, now: datetime) -> None:
    """Voice told the other partner about this proposal."""
    version.voice_told_at = version.voice_told_at or now


def find_pending(session: Session, partner: Partner, version_id: int, now: datetime) -> Entry | None:
    """The live entry whose pending proposal is `version_id` and waits for `partner` (a spoken "yes")."""
    return next((e for e in waiting_for(session, partner, now) if e.pending.id == version_id), None)


def history(agreement: PactAgreement) -> list[PactVersion]:
    """Every version of an agreement, oldest first (agreed, declined, lapsed and waiting alike)."""
    return list(agreement.versions)


def _proposed_by(partner: Partner):
    return select(PactVersion.agreement_id).where(PactVersion.proposed_by_id == partner.id)


def words_of(session: Session, partner: Partner) -> list[str]:
    """The words of every agreement this person proposed any version of (for erasure's blanking)."""
    return [t for t in session.scalars(select(PactVersion.text).where(
        PactVersion.agreement_id.in_(_proposed_by(partner)), PactVersion.text.is_not(None))) if t]


def erase(session: Session, partner: Partner) -> None:
    """DELETE MY DATA: the agreements this person proposed any version of go entirely, with every version
    (their words are in them); their agreement to the other's words is forgotten (SET NULL)."""
    for agreement in session.scalars(select(PactAgreement).where(PactAgreement.id.in_(_proposed_by(partner)))):
        session.delete(agreement)
    session.execute(update(PactVersion).where(PactVersion.decided_by_id == partner.id).values(decided_by_id=None))
    session.flush()
