"""Promises by text: make one with a time, list them, say kept or missed, confirm a partner's."""
from core import local_time, time_phrases, zone_names
from core.words.times import describe_local
from core.errors import NotFound
from core.models import Promise
from core.services import couples, promises
from sms import replies
from sms.turn import Turn


def promise(turn: Turn, command) -> str:
    """PROMISE <what> <when>: confirm the exact time understood, or ask again when there is none."""
    if not command.get("rest"):
        return replies.PROMISE_HOW
    task, due = time_phrases.split_task_and_time(command.get("rest"), turn.tz, turn.now)
    if due is None:
        return replies.promise_when(task)
    made = promises.make_promise(turn.session, turn.partner, task, due, turn.tz, turn.now,
                                 source_id=turn.text.sid)
    return replies.promise_made(made.text, describe_local(made.due_at, made.timezone, turn.now),
                                _reminder_words(turn, made))


def _reminder_words(turn: Turn, made: Promise) -> str | None:
    """"at 5:30 PM" on the day it is due, else "Friday at 8:30 PM"; None when no reminder will go."""
    at = promises.reminder_time(made, turn.now) if turn.partner.can_text else None
    if at is None:
        return None
    words = describe_local(at, made.timezone, turn.now)
    same_day = local_time.local_date(at, made.timezone) == local_time.local_date(made.due_at, made.timezone)
    return "at " + words.rsplit(" at ", 1)[-1] if same_day else words


def open_list(turn: Turn, command) -> str:
    """PROMISES: the open ones, numbered the way KEPT n and MISSED n count them."""
    items = promises.open_promises(turn.session, turn.partner)
    if not items:
        return replies.NO_PROMISES
    return replies.promise_list([(p.text, describe_local(p.due_at, p.timezone, turn.now)) for p in items])


def kept(turn: Turn, command) -> str:
    """KEPT / DONE [n]."""
    return replies.kept(_settle(turn, command, "kept").text)


def missed(turn: Turn, command) -> str:
    """MISSED [n]: honesty is thanked, never scolded."""
    return replies.missed(_settle(turn, command, "missed").text)


def _settle(turn: Turn, command, state: str) -> Promise:
    chosen = promises.pick_promise(turn.session, turn.partner, turn.now, number=command.get("number"))
    return promises.settle(turn.session, turn.partner, chosen, state, turn.now)


def confirm(turn: Turn, command) -> str:
    """Y or N after "Sam says they kept their promise... Did they?"."""
    promise_id = turn.partner.awaiting_ref
    couples.expect_reply(turn.partner, None, turn.now)
    try:
        promises.confirm_kept(turn.session, turn.partner, promise_id, command.name == "yes")
    except NotFound as error:  # the promise was erased meanwhile: the question is simply over
        return replies.problem(error.reason, turn.other_name)
    return replies.confirmed(command.name == "yes")
