"""The SMS conversation: who is texting, what they asked, which handler does it, and the reply kept once.

`respond` is idempotent on Twilio's MessageSid: the InboundMessage row (sid, partner, reply) is written in
the same transaction as the command's effect, so a retried webhook changes nothing and gets the same reply.
"""
import logging
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import DomainError
from core.models import Awaiting, Consent, InboundMessage, Partner
from core.phones import mask_phone
from core.services import couples
from core.words import segments, texts
from sms.commands import Command, parse_command
from sms.forms import InboundText
from sms.handlers import account, daily, preferences, promise_changes, promises, roles, voice_link
from sms.turn import Turn

log = logging.getLogger(__name__)
BY_SID = select(InboundMessage).where(InboundMessage.message_sid == bindparam("sid"))  # built once: every text runs it
HANDLERS = {
    "join": account.already_joined, "invite": account.invite, "question": daily.question, "mood": daily.mood,
    "promise": promises.promise, "promises": promises.open_list, "kept": promises.kept,
    "missed": promises.missed, "cancel": promise_changes.cancel, "move": promise_changes.move,
    "thinking": daily.thinking, "share": daily.share, "summary": daily.weekly,
    "time": preferences.question_time, "quiet": preferences.quiet_hours, "tz": preferences.time_zone,
    "pause": preferences.pause, "resume": preferences.resume, "link": preferences.link,
    "help": account.show_help, "stop": account.stop, "start": account.start, "delete": account.delete,
    "empty": daily.empty, "answer": daily.answer, "thinking_texts": preferences.thinking_texts,
    "role": roles.role, "skip": daily.skip, "tell": promises.tell, "thanks": promises.thanks,
    # A short reply that answers nothing waiting is simply an answer to the day's question.
    "yes": daily.answer, "no": daily.answer, "number": daily.answer,
}
#: Unknown numbers may only join; nothing else is kept or revealed.
STRANGER = {"join": account.join, "stop": account.silent}
#: Invited but not yet YES: only consent, help and erasure; other texts get the invitation again.
INVITEE = {"yes": account.accept, "start": account.start, "stop": account.stop, "help": account.show_help,
           "delete": account.delete}
#: What a partner was asked (couples.awaited) -> (which short replies answer it, the handler).
AWAITED = {
    Awaiting.DELETE: (lambda c: c.name in ("yes", "no", "delete"), account.confirm_delete),
    Awaiting.NUDGE_OFFER: (lambda c: c.name in ("yes", "no") or c.name == "number" and c.get("value") == 1,
                    daily.nudge_offer),
}


def respond(session: Session, settings: Settings, text: InboundText, now: datetime) -> str | None:
    """The reply to one inbound text (None: no reply); the stored one when Twilio retries a MessageSid."""
    partner = couples.find_by_phone(session, text.phone)
    stored = session.scalar(BY_SID, {"sid": text.sid})
    if stored is not None:
        return _replayed(stored, partner)
    turn, command = Turn(session, settings, now, text, partner), parse_command(text.body)
    log.info("text %s from %s: %s", text.sid, mask_phone(text.phone), command.name)  # never the words
    reply = segments.fit(_handled(turn, command))
    session.add(InboundMessage(message_sid=text.sid, partner_id=turn.partner.id if turn.partner else None,
                               reply=reply, created_at=now))
    session.flush()
    return reply


def _replayed(stored: InboundMessage, partner: Partner | None) -> str | None:
    """A retried webhook: the same reply, but only ever to the person it was first given to."""
    return stored.reply if stored.partner_id == (partner.id if partner else None) else None


def _handled(turn: Turn, command: Command) -> str | None:
    """Run the handler in a savepoint: a refusal undoes its writes and becomes a friendly reply."""
    try:
        with turn.session.begin_nested():
            return route(turn, command)(turn, command)
    except DomainError as error:
        turn.session.expire_all()  # objects loaded inside the savepoint may still show what was undone
        return texts.problem(error.reason, turn.other_name)


def route(turn: Turn, command: Command):
    """Pick the handler: strangers, opted-out people and invitees get a narrow set; a short reply goes to
    whatever the partner was last asked."""
    partner, name = turn.partner, command.name
    if name == "yes" and not (partner and partner.opted_out) and voice_link.waiting(turn):
        return voice_link.accept  # YES to the text a voice set-up sent just now
    if partner is None:
        return STRANGER.get(name, account.stranger)
    if partner.opted_out:
        return account.start if name == "start" else account.silent
    accepts, handler = AWAITED.get(couples.awaited(partner, turn.now), (None, None))
    if accepts and accepts(command):
        return handler
    if partner.consent != Consent.GRANTED:
        return INVITEE.get(name, account.invitation_waiting)
    return HANDLERS.get(name, daily.answer)
