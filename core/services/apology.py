"""A guided, specific apology, the same by text and by voice: three short steps (what I did, how I think it
affected you, what I will do differently), each of which can be redone, read back whole, and sent only
when its author says SEND. The partner receives it with nothing asked of them; they may reply THANK YOU or
NOT READY, which is passed to the author gently, once. Forgiveness is never asked for.

After the read-back (or the sending), the third step can become a promise (core.services.promise_intake
reads its time) or a pact proposal (core.services.pact) with one word. Steps that read as danger stay in
the author's draft; SEND holds such an apology once and offers the safety lines. At most MAX_SENT_PER_DAY
apologies are sent a day. Nothing here commits.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from core import local_time
from core.errors import InvalidInput, NotAllowed, NotFound
from core.locks import lock_partner
from core.models import (AWAITING_APOLOGY_DONE, AWAITING_APOLOGY_STEP, Apology, ApologyState, Consent, PactAction,
                         PactKind, Partner)
from core.safety import DangerSignal, reads_as_danger
from core.services import outbox, pact, promise_intake
from core.services.couples import clear_awaited, expect_reply, other_partner
from core.words import texts

STEPS = ("what_i_did", "how_it_affected_you", "what_i_will_change")
MAX_STEP = 160
MAX_SENT_PER_DAY = 2
STEP_MINUTES = 30  # how long a text is read as the step just asked for
DONE_MINUTES = 60  # how long PROMISE / PACT alone turn the third step into one
REPLY_WITHIN = timedelta(days=7)  # how long THANK YOU / NOT READY still reach the author
NOTE_AFTER = timedelta(seconds=5)  # the "no reply needed" note follows the apology itself
RESPONSES = ("thank_you", "not_ready")


@dataclass(frozen=True)
class Written:
    """A step written: the apology, the step that comes next (0: all three are written) and any danger."""

    apology: Apology
    next_step: int
    signal: DangerSignal | None = None


@dataclass(frozen=True)
class Sent:
    """SEND: status sent | held (words of danger: not sent, the lines offered) | incomplete (a step is
    missing: `apology.step` says which); `delivery` says whether the partner was texted."""

    status: str
    apology: Apology
    delivery: pact.Delivery | None = None
    signal: DangerSignal | None = None


@dataclass(frozen=True)
class Became:
    """The third step turned into a promise (`intake`; no promise yet when it has no time) or a pact proposal."""

    into: str
    intake: promise_intake.Intake | None = None
    proposed: pact.Proposed | None = None


def steps_of(apology: Apology) -> list[str | None]:
    """The three steps' words, in order."""
    return [getattr(apology, name) for name in STEPS]


def draft_of(session: Session, author: Partner) -> Apology | None:
    """The author's apology still being written, if any (one at a time)."""
    return session.scalar(select(Apology).where(Apology.author_id == author.id, Apology.state == ApologyState.DRAFT)
                          .order_by(Apology.id.desc()).limit(1))


def start(session: Session, author: Partner, now: datetime, by_text: bool = False) -> Apology:
    """APOLOGY / "help me apologise": the draft to go on with (at its next step), or a new one. `by_text`:
    the author's next text is read as that step."""
    recipient = other_partner(author)
    if recipient is None:
        raise NotFound("no partner yet", "no_partner")
    apology = draft_of(session, author)
    if apology is None:
        apology = Apology(author_id=author.id, recipient_id=recipient.id, state=ApologyState.DRAFT, step=1,
                          created_at=now, updated_at=now)
        session.add(apology)
        session.flush()
    if by_text:
        _await_step(author, apology, now)
    return apology


def _await_step(author: Partner, apology: Apology, now: datetime) -> None:
    """By text, the next message is the step asked for; once all three are written nothing is awaited (PACT
    or PROMISE alone keep their own meaning until the author has sent it)."""
    if apology.step:
        expect_reply(author, AWAITING_APOLOGY_STEP, now, ref=apology.id, minutes=STEP_MINUTES)
    elif author.awaiting == AWAITING_APOLOGY_STEP:
        clear_awaited(author)


def write_step(session: Session, author: Partner, words: str | None, now: datetime, by_text: bool = False,
               step: int | None = None) -> Written:
    """Keep `words` as the step being written (or `step`), and move on to the first step still empty."""
    apology = _draft(session, author)
    step = step or apology.step or 1
    if step not in (1, 2, 3):
        raise InvalidInput("steps are 1, 2 and 3", "apology_bad_step")
    text = clean_step(words)
    steps = steps_of(apology)
    steps[step - 1] = text
    if not texts.apology_fits(author.display_name, _recipient_name(author), steps):
        raise InvalidInput("the whole apology must fit one text", "apology_too_long")
    setattr(apology, STEPS[step - 1], text)
    apology.step = next((n for n, said in enumerate(steps, start=1) if not said), 0)
    apology.held_at, apology.updated_at = None, now
    session.flush()
    if by_text:
        _await_step(author, apology, now)
    return Written(apology, apology.step, reads_as_danger(text))


def _recipient_name(author: Partner) -> str | None:
    other = other_partner(author)
    return other.display_name if other else None


def clean_step(words: str | None) -> str:
    """A step's words: printable, single-spaced, plain punctuation, a capital first letter; InvalidInput when
    empty or longer than MAX_STEP."""
    text = texts.plain_punctuation(" ".join("".join(ch for ch in (words or "") if ch.isprintable()).split()))
    if not text.strip(" .,!?"):
        raise InvalidInput("a step needs a few words", "apology_empty")
    if len(text) > MAX_STEP:
        raise InvalidInput(f"at most {MAX_STEP} characters a step", "apology_too_long")
    return text[0].upper() + text[1:]


def redo(session: Session, author: Partner, step: int | None, now: datetime, by_text: bool = False) -> Apology:
    """REDO n / "redo step two": that step is asked again (its words stay until new ones come)."""
    apology = _draft(session, author)
    if step not in (1, 2, 3):
        raise InvalidInput("steps are 1, 2 and 3", "apology_bad_step")
    apology.step, apology.updated_at = step, now
    session.flush()
    if by_text:
        _await_step(author, apology, now)
    return apology


def _draft(session: Session, author: Partner) -> Apology:
    apology = draft_of(session, author)
    if apology is None:
        raise NotFound("no apology being written", "no_apology")
    return apology


def cancel(session: Session, author: Partner, now: datetime) -> None:
    """CANCEL APOLOGY: the draft's words are gone; nothing was sent."""
    apology = _draft(session, author)
    for name in STEPS:
        setattr(apology, name, None)
    apology.state, apology.updated_at = ApologyState.CANCELLED, now
    clear_awaited(author)
    session.flush()


def send(session: Session, author: Partner, now: datetime, by_text: bool = False) -> Sent:
    """SEND: the draft goes to the partner (texted when they may be texted; by voice when they next open
    the skill). Words of danger hold it once, with the lines; SEND again sends it. `by_text`: the reply
    offers PROMISE or PACT alone for the third step, so for DONE_MINUTES those words mean that."""
    apology = _draft(session, author)
    if apology.step:
        return Sent("incomplete", apology)
    signal = next(filter(None, map(reads_as_danger, steps_of(apology))), None)
    if signal is not None and apology.held_at is None:
        apology.held_at = now
        session.flush()
        return Sent("held", apology, signal=signal)
    recipient = other_partner(author)
    if recipient is None:
        raise NotFound("no partner yet", "no_partner")
    if recipient.consent == Consent.INVITED:
        raise NotAllowed("the partner has not joined yet", "no_consent")
    lock_partner(session, author.id)  # the daily limit counts, then writes
    if sent_today(session, author, now) >= MAX_SENT_PER_DAY:
        raise NotAllowed(f"at most {MAX_SENT_PER_DAY} a day", "apology_limit")
    apology.state, apology.sent_at, apology.recipient_id, apology.updated_at = ApologyState.SENT, now, recipient.id, now
    session.flush()
    if by_text:
        expect_reply(author, AWAITING_APOLOGY_DONE, now, ref=apology.id, minutes=DONE_MINUTES)
    return Sent("sent", apology, _deliver(session, author, recipient, apology, now))


def _deliver(session: Session, author: Partner, recipient: Partner, apology: Apology, now: datetime) -> pact.Delivery:
    """The apology, then a short note that nothing is asked of them (two texts, each within two segments)."""
    body = texts.apology_for_partner(author.display_name, steps_of(apology))
    delivery = pact.text_partner(session, recipient, outbox.Draft(body, PactKind.APOLOGY, f"apology:{apology.id}"), now)
    if delivery.refusal is None:
        outbox.queue(session, recipient, outbox.Draft(
            texts.apology_note(author.display_name), PactKind.APOLOGY_NOTE, f"apology-note:{apology.id}",
            send_after=now + NOTE_AFTER), now)
    return delivery


def sent_today(session: Session, author: Partner, now: datetime) -> int:
    """How many apologies the author sent in their local day so far."""
    start = local_time.at_minute(local_time.local_date(now, author.couple.timezone), 0, author.couple.timezone)
    return session.scalar(select(func.count(Apology.id)).where(
        Apology.author_id == author.id, Apology.state == ApologyState.SENT, Apology.sent_at >= start))


def received(session: Session, partner: Partner, now: datetime) -> Apology | None:
    """The latest apology sent to this partner in the last REPLY_WITHIN that they have not replied to."""
    return session.scalar(select(Apology).where(
        Apology.recipient_id == partner.id, Apology.state == ApologyState.SENT, Apology.response.is_(None),
        Apology.sent_at >= now - REPLY_WITHIN).order_by(Apology.sent_at.desc(), Apology.id.desc()).limit(1))


def unheard(session: Session, partner: Partner, now: datetime) -> Apology | None:
    """An apology sent to this partner that voice has not read to them yet (offered once at launch)."""
    apology = received(session, partner, now)
    return apology if apology is not None and apology.heard_at is None else None


# An apology sent to the partner (bound: partner_id, apology_since) that voice has not read to them yet.
UNHEARD_MAY_WAIT = exists().where(
    Apology.recipient_id == bindparam("partner_id"), Apology.state == ApologyState.SENT, Apology.response.is_(None),
    Apology.sent_at >= bindparam("apology_since"), Apology.heard_at.is_(None))
NEWS_MAY_WAIT = select(or_(pact.UNTOLD_MAY_WAIT, UNHEARD_MAY_WAIT))


def news_may_wait(session: Session, partner: Partner, now: datetime) -> bool:
    """One quick statement before a launch looks further: False means neither a pact proposal to tell
    (`pact.next_untold`) nor an apology not yet heard (`unheard`) waits for `partner`; True means one may
    (those two decide). Most launches have neither, and this saves them loading either."""
    return bool(session.scalar(NEWS_MAY_WAIT, {"couple_id": partner.couple_id, "partner_id": partner.id,
                                               "pact_since": now - pact.LAPSE, "apology_since": now - REPLY_WITHIN}))


def mark_heard(apology: Apology, now: datetime) -> None:
    """Voice offered (and, if wanted, read) the apology to its recipient."""
    apology.heard_at = apology.heard_at or now


def respond(session: Session, partner: Partner, response: str, now: datetime) -> Apology | None:
    """THANK YOU / NOT READY from the partner who received an apology: passed on to the author once, gently.
    None when no apology waits for a reply (the caller gives the word its usual meaning)."""
    if response not in RESPONSES:
        raise InvalidInput("thank_you or not_ready", "bad_response")
    apology = received(session, partner, now)
    if apology is None:
        return None
    apology.response, apology.responded_at = response, now
    author = session.get(Partner, apology.author_id)
    if author is not None and author.phone:
        pact.text_partner(session, author, outbox.Draft(
            texts.apology_response_news(partner.display_name, response), PactKind.APOLOGY_REPLY,
            f"apology-reply:{apology.id}"), now)
    session.flush()
    return apology


def latest_written(session: Session, author: Partner, now: datetime) -> Apology | None:
    """The author's most recent apology with all three steps (a finished draft, or sent in the last day)
    whose third step has not yet become a promise or a pact proposal."""
    apology = session.scalar(select(Apology).where(
        Apology.author_id == author.id, Apology.state.in_((ApologyState.DRAFT, ApologyState.SENT)),
        Apology.step == 0, Apology.became.is_(None), Apology.updated_at >= now - timedelta(days=1))
        .order_by(Apology.id.desc()).limit(1))
    return apology


def become(session: Session, author: Partner, into: str, now: datetime, source_id: str | None = None) -> Became:
    """PROMISE / PACT right after the read-back or the sending: the third step becomes a promise (its time
    read by promise_intake; without one, the task comes back to ask when) or a pact proposal."""
    apology = latest_written(session, author, now)
    if apology is None:
        raise NotFound("no apology to take it from", "no_apology")
    change = apology.what_i_will_change
    if into == "pact":
        proposed = pact.propose(session, author, PactAction.ADD, now, source_id, text=change)
        if proposed.held is None:
            apology.became = "pact"
        clear_awaited(author)
        return Became("pact", proposed=proposed)
    intake = promise_intake.take_texted(session, author, texts.as_promise_task(change), author.couple.timezone,
                                        now, source_id=source_id)
    if intake.promise is not None:
        apology.became = "promise"
        clear_awaited(author)
    return Became("promise", intake=intake)


def words_of(session: Session, partner: Partner) -> list[str]:
    """Every step this person wrote (for erasure: stored replies quoting them are blanked)."""
    rows = session.execute(select(*(getattr(Apology, name) for name in STEPS)).where(Apology.author_id == partner.id))
    return [said for row in rows for said in row if said]


def erase(session: Session, partner: Partner) -> None:
    """DELETE MY DATA: the apologies this person wrote go; those written to them stay their author's (the
    recipient is forgotten: SET NULL)."""
    session.execute(delete(Apology).where(Apology.author_id == partner.id))
    session.execute(update(Apology).where(Apology.recipient_id == partner.id).values(recipient_id=None))
    session.flush()
