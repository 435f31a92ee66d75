"""Promises by text: make one with a time, list them, say kept or missed, TELL the partner about a kept one,
and THANKS from the partner who was told."""
from core.models import Promise, PromiseState
from core.services import promise_intake, promises
from core.words import texts
from core.words.tasks import for_author
from core.words.times import describe_local
from sms.turn import Turn


def promise(turn: Turn, command) -> str:
    """PROMISE <what> <when>: confirm the exact time understood, or ask again when there is none."""
    if not command.get("rest"):
        return texts.PROMISE_HOW
    intake = promise_intake.take_texted(turn.session, turn.partner, command.get("rest"), turn.tz, turn.now,
                                        source_id=turn.text.sid)
    if intake.promise is None:
        return texts.promise_when(intake.task)
    return texts.promise_made(for_author(intake.task), intake.due_words, intake.reminder_words)


def open_list(turn: Turn, command) -> str:
    """PROMISES: the open ones, numbered the way KEPT n and MISSED n count them."""
    items = promises.open_promises(turn.session, turn.partner)
    if not items:
        return texts.NO_PROMISES
    return texts.promise_list([(for_author(p.text), describe_local(p.due_at, p.timezone, turn.now)) for p in items])


def kept(turn: Turn, command) -> str:
    """KEPT / DONE [n]."""
    return settled_reply(turn, _settle(turn, command, PromiseState.KEPT))


def missed(turn: Turn, command) -> str:
    """MISSED [n]: honesty is thanked, never scolded."""
    return settled_reply(turn, _settle(turn, command, PromiseState.MISSED))


def settled_reply(turn: Turn, promise: Promise) -> str:
    """What the promiser hears when a promise is settled, however they said it (KEPT, or "yes" to the
    follow-up): a kept one may be told to the partner (TELL); a missed one is thanked for honesty."""
    if promise.state == PromiseState.KEPT:
        return texts.kept(for_author(promise.text), turn.other_name if turn.other and turn.other.can_text else None)
    return texts.missed(for_author(promise.text))


def _settle(turn: Turn, command, state: str) -> Promise:
    source_id = f"sms:{turn.text.sid}"
    replayed = promises.settled_by(turn.session, turn.partner, source_id)
    if replayed is not None:
        return replayed
    chosen = promises.pick_promise(turn.session, turn.partner, turn.now, number=command.get("number"))
    return promises.settle(turn.session, turn.partner, chosen, state, turn.now, source_id)


def tell(turn: Turn, command) -> str:
    """TELL after KEPT: the partner hears the good news and may reply THANKS (the promiser's choice)."""
    _, partner = promises.tell_partner_kept(turn.session, turn.partner, turn.now)
    return texts.told_partner(partner.display_name)


def thanks(turn: Turn, command) -> str:
    """THANKS: passed on to the partner who kept a promise and told us; otherwise just a warm reply."""
    promise = promises.thank(turn.session, turn.partner, turn.now)
    return texts.thanked(turn.other_name if turn.other and turn.other.id == promise.promiser_id else "them")
