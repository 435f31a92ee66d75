"""The SMS conversation: who is texting, what they asked, which handler does it, and the reply kept once.

`respond` is idempotent on Twilio's MessageSid: the InboundMessage row (sid, partner, reply) is written in
the same transaction as the command's effect, so a retried webhook changes nothing and gets the same reply.
"""
import logging
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from core.config import Settings
from core.crypto import phone_digest
from core.errors import DomainError
from core.models import Awaiting, Consent, InboundMessage, Partner
from core.phones import mask_phone
from core.services import couples, guards, invitations
from core.services.erasure import former_partner
from core.services.replies_in_context import followup_waiting, yes_or_no
from core.words import segments, texts
from sms.commands import Command, parse_command
from sms.forms import InboundText
from sms.handlers import (account, answers, daily, preferences, promise_changes, promises, roles, safety,
                          sign_in, trend, voice_link, weekly)
from sms.turn import Turn
from core.models import AWAITING_APOLOGY_DONE, AWAITING_APOLOGY_STEP  # issue 13 (see the end)
from sms.handlers import apology as apology_texts, pact as pact_texts

log = logging.getLogger(__name__)
BY_SID = select(InboundMessage).where(InboundMessage.message_sid == bindparam("sid"))  # built once: every text runs it
#: The sender by number (as couples.find_by_phone loads them) and, in the same statement, the id of the
#: InboundMessage already kept for this MessageSid: a registered number's text needs one lookup, not two.
SENDER = couples.BY_PHONE.add_columns(
    select(InboundMessage.id).where(InboundMessage.message_sid == bindparam("sid")).scalar_subquery())
KEEP = insert(InboundMessage.__table__)  # the reply kept, as a plain INSERT: nothing reads it back in this request
HANDLERS = {
    "join": account.already_joined, "invite": account.invite, "question": daily.question, "mood": daily.mood,
    "promise": promises.promise, "promises": promises.open_list, "kept": promises.kept,
    "missed": promises.missed, "cancel": promise_changes.cancel, "move": promise_changes.move,
    "thinking": daily.thinking, "share": daily.share, "summary": daily.weekly,
    "time": preferences.question_time, "quiet": preferences.quiet_hours, "tz": preferences.time_zone,
    "pause": preferences.pause, "resume": preferences.resume, "link": preferences.link,
    "help": account.show_help, "help_more": account.show_more_help, "stop": account.stop, "start": account.start, "delete": account.delete,
    "empty": daily.empty, "answer": answers.answer, "undo": answers.undo, "private": answers.private,
    "share_it": safety.share_it, "thinking_texts": preferences.thinking_texts,
    "role": roles.role, "skip": daily.skip, "tell": promises.tell, "thanks": promises.thanks,
    "login": sign_in.login,
    # A short reply that answers nothing waiting is offered as an answer, which keeps no bare yes/no/number.
    "yes": answers.answer, "no": answers.answer, "number": answers.answer,
    # Weekly ritual (issue 13)
    "weekly": weekly.weekly, "focus_promise": weekly.focus_promise, "rate": trend.rate, "trend": trend.trend,
    "hard_day": trend.hard_day,
}
#: Unknown numbers may only join; nothing else is kept or revealed.
STRANGER = {"join": account.join, "stop": account.silent, "delete": account.nothing_here}
#: After STOP nothing is answered (Twilio blocks replies); START turns texts on, DELETE MY DATA erases at once.
OPTED_OUT = {"start": account.start, "delete": account.erase_now}
#: Invited but not yet YES: only consent, help and erasure; other texts get the invitation again.
INVITEE = {"yes": account.accept, "start": account.start, "stop": account.stop, "help": account.show_help,
           "delete": account.delete}
#: Replies that never answer a waiting question: they keep their own meaning.
NEVER_AWAITED = ("stop", "start", "help", "help_more", "safety")
#: What a partner was asked (couples.awaited) -> (which short replies answer it, the handler).
AWAITED = {
    # After "reply DELETE MY DATA again (or YES)": yes confirms, anything else cancels.
    Awaiting.DELETE: (lambda c: c.name not in NEVER_AWAITED, account.confirm_delete),
    Awaiting.NUDGE_OFFER: (lambda c: c.name in ("yes", "no") or c.name == "number" and c.get("value") == 1,
                    daily.nudge_offer),
    Awaiting.SETBACK_PAUSE: (lambda c: c.name in ("yes", "no"), trend.setback_pause),  # after HARD DAY
}


def respond(session: Session, settings: Settings, text: InboundText, now: datetime) -> str | None:
    """The reply to one inbound text (None: no reply); the stored one when Twilio retries a MessageSid."""
    partner, stored = _sender(session, text)
    if stored is not None:
        return _replayed(stored, partner)
    command = parse_command(text.body)
    log.info("text %s from %s: %s", text.sid, mask_phone(text.phone), command.name)  # never the words
    turn = Turn(session, settings, now, text, partner)
    try:
        reply = _handled(turn, command)
    except DomainError as error:
        reply = _refused(turn, command, error)
    session.flush()  # a partner JOIN made has its id
    session.execute(KEEP, {"message_sid": text.sid, "partner_id": turn.partner.id if turn.partner else None,
                           "reply": reply, "created_at": now})
    return reply


def _sender(session: Session, text: InboundText) -> tuple[Partner | None, InboundMessage | None]:
    """Who is texting, and the InboundMessage already kept for this MessageSid (a retried webhook)."""
    digest = phone_digest(text.phone)
    rows = session.execute(SENDER, {"digest": digest, "sid": text.sid}).all()
    if not rows:  # not a registered number: the replay check on its own
        return None, session.scalar(BY_SID, {"sid": text.sid})
    partner = next(p for p in couples.gathered([p for p, _ in rows]) if p.phone_digest == digest)
    replayed_id = rows[0][1]
    return partner, session.get(InboundMessage, replayed_id) if replayed_id is not None else None


def _handled(turn: Turn, command: Command) -> str | None:
    """Count the reply against the number's budget, then run the handler: its reply, or none over the
    budget (the text still does what it asks: an answer is kept, STOP stops, but a flood cannot run up
    the bill)."""
    may_reply = guards.spend_reply(turn.session, turn.text.phone, turn.now, safety=command.name == "safety",
                                   per_hour=turn.settings.sms_replies_per_hour)
    reply = route(turn, command)(turn, command)
    return segments.fit(reply) if may_reply or command.name == "stop" else None


def _refused(turn: Turn, command: Command, error: DomainError) -> str | None:
    """A handler refused: undo everything it wrote by rolling the whole transaction back (cheaper than a
    SAVEPOINT around every handler, as refusals are rare and nothing before the handler but the reply
    budget writes), then count the reply again and answer with the refusal's friendly words."""
    session = turn.session
    session.rollback()
    turn.partner, _ = _sender(session, turn.text)  # as stored: a partner the handler made is gone
    may_reply = guards.spend_reply(session, turn.text.phone, turn.now, safety=command.name == "safety",
                                   per_hour=turn.settings.sms_replies_per_hour)
    if not (may_reply or command.name == "stop"):
        return None
    away = former_partner(turn.partner) if turn.partner else None
    invited = invitations.pending_name(session, turn.partner.couple_id, turn.now) if turn.partner else None
    return segments.fit(texts.problem(error.reason, turn.other_name, away.display_name if away else None, invited))


def _replayed(stored: InboundMessage, partner: Partner | None) -> str | None:
    """A retried webhook: the same reply, but only ever to the person it was first given to."""
    return stored.reply if stored.partner_id == (partner.id if partner else None) else None


def route(turn: Turn, command: Command):
    """Pick the handler: strangers, opted-out people and invitees get a narrow set; a short reply goes to
    whatever the partner was last asked."""
    partner, name = turn.partner, command.name
    if name == "safety":
        return safety.safety  # at once, from anyone, in every state
    if name == "yes" and not (partner and partner.opted_out) and voice_link.waiting(turn):
        return voice_link.accept  # YES to the text a voice set-up sent just now
    if partner is None:
        return STRANGER.get(name, account.stranger)
    if partner.opted_out:
        return OPTED_OUT.get(name, account.silent)
    waiting = couples.awaited(partner, turn.now)
    if waiting == Awaiting.SAVE_ANSWER and name not in NEVER_AWAITED:
        return _pending_answer
    accepts, handler = AWAITED.get(waiting, (None, None))
    if accepts and accepts(command):
        return handler
    if waiting == Awaiting.WEEKLY:  # a weekly question was asked: a plain reply answers it, Q moves on
        if weekly.reply_expected(turn, command):
            return weekly.weekly_answer
        if name in ("question", "skip"):
            couples.clear_awaited(partner)
    if partner.consent != Consent.GRANTED:
        return INVITEE.get(name, account.invitation_waiting)
    if name in ("yes", "no", "answer") and yes_or_no(turn.text.body) is not None \
            and followup_waiting(turn.session, partner, turn.now) is not None:
        return answers.followup  # "yes", "not yet", "I didn't" after "Did you keep your promise...?"
    return HANDLERS.get(name, answers.answer)


def _pending_answer(turn: Turn, command: Command) -> str | None:
    """We asked "Was that your answer?": YES saves it, NO drops it, anything else drops it and is read anew."""
    reply = answers.confirm_pending(turn, command)
    return reply if reply is not None else route(turn, command)(turn, command)


# --- Pact and apology (issue 13) -------------------------------------------------------------------------
HANDLERS.update({
    "pact": pact_texts.pact_command, "agree": pact_texts.agree, "apology": apology_texts.start,
    "apology_send": apology_texts.send, "apology_redo": apology_texts.redo, "apology_cancel": apology_texts.cancel,
    "not_ready": apology_texts.not_ready, "thanks": apology_texts.thank_you,  # a received apology first
})
AWAITED.update({
    # After "Step 2 of 3: ...": free words are that step; any keyword keeps its meaning.
    AWAITING_APOLOGY_STEP: (apology_texts.is_step, apology_texts.step),
    # After the read-back or SEND: PROMISE or PACT alone turn the third step into one.
    AWAITING_APOLOGY_DONE: (apology_texts.is_turn_word, apology_texts.third_step),
})
