"""Changing a promise by text: CANCEL n and MOVE n <when>, and their natural forms ("cancel my promise to
call mom", "move it to 9pm"). Two promises with the same words are told apart by number, day and time."""
from core.errors import NotFound
from core.models import Promise, PromiseState
from core.services import promise_intake, promises
from core.words import texts
from core.words.times import describe_local
from sms.turn import Turn


def cancel(turn: Turn, command) -> str:
    """CANCEL n / "cancel my promise to ...": called off, with its reminders."""
    chosen = _pick(turn, command.get("number"), command.get("words"), "CANCEL")
    if isinstance(chosen, str):
        return chosen
    promises.settle(turn.session, turn.partner, chosen, PromiseState.CANCELLED, turn.now)
    return texts.cancelled(chosen.text)


def move(turn: Turn, command) -> str:
    """MOVE n <when>: the new time is read like a promise's and confirmed exactly."""
    if not command.get("when") and command.get("number") is None and not command.get("words"):
        return texts.MOVE_HOW
    chosen = _pick(turn, command.get("number"), command.get("words"), "MOVE")
    if isinstance(chosen, str):
        return chosen
    if not command.get("when"):
        return texts.move_when(_number(turn, chosen))
    intake = promise_intake.move_texted(turn.session, turn.partner, chosen, command.get("when"), turn.tz, turn.now)
    if intake.promise is None:
        return texts.move_when(_number(turn, chosen))
    return texts.moved(intake.task, intake.due_words, intake.reminder_words)


def _pick(turn: Turn, number: int | None, words: str | None, keyword: str) -> Promise | str:
    """The promise meant, or the reply to give instead (the ones that fit, numbered, for `keyword`)."""
    try:
        return promises.pick_promise(turn.session, turn.partner, turn.now, number=number, words=words)
    except promises.SeveralMatch as several:
        numbered = {p.id: n for n, p in enumerate(promises.open_promises(turn.session, turn.partner), start=1)}
        items = [(numbered[p.id], p.text, describe_local(p.due_at, p.timezone, turn.now)) for p in several.choices]
        return texts.several_match(keyword, items)
    except NotFound as error:
        if error.reason == "no_promises":
            raise
        return (texts.CANCEL_HOW if keyword == "CANCEL" else texts.MOVE_HOW) if number is None \
            else texts.problem("bad_number", None)


def _number(turn: Turn, promise: Promise) -> int:
    ids = [p.id for p in promises.open_promises(turn.session, turn.partner)]
    return ids.index(promise.id) + 1
