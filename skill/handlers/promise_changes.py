"""Changing a promise by voice: kept, missed, cancelled, moved. When two open promises share the words said,
each is named by its day and time and a yes or no picks it; an hour that could be morning or evening is
checked before a promise is saved."""
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from core import local_time
from core.errors import InvalidInput, NotFound
from core.models import Promise, PromiseState
from core.services import promise_intake, promises
from core.words.times import describe_local
from skill import speech
from skill.handlers import echo as echo_handlers, slots
from core.words.tasks import for_author
from skill.handlers.promises import device_zone, elicit, kept_reply, listing, make
from skill.interceptors import session_attributes, turn
from skill.speech import reply

#: Intent -> what it does to the promise ("move" needs a time too).
ACTIONS = {"KeptPromiseIntent": PromiseState.KEPT, "MissedPromiseIntent": PromiseState.MISSED,
           "CancelPromiseIntent": PromiseState.CANCELLED, "MovePromiseIntent": "move"}


class ChangePromiseIntentHandler(AbstractRequestHandler):
    """"I kept it", "I missed my promise", "cancel my promise to call Sam", "move it to nine PM"."""

    def can_handle(self, handler_input):
        return any(is_intent_name(name)(handler_input) for name in ACTIONS)

    def handle(self, handler_input):
        action = ACTIONS[handler_input.request_envelope.request.intent.name]
        current, words = turn(handler_input), slots.slot_value(handler_input, "task")
        replayed = promises.settled_by(current.db, current.partner, current.source_id)
        if replayed is not None:  # Alexa sent this request twice: the same answer, nothing settled again
            if replayed.state == PromiseState.KEPT:
                return kept_reply(handler_input, current, replayed)
            return reply(handler_input, speech.marked(replayed.state, for_author(replayed.text)))
        when = None
        if action == "move":
            when = _new_time(handler_input)
            if when is None:
                return elicit(handler_input, "time", speech.ASK_NEW_TIME)
        try:
            promise = promises.pick_promise(current.db, current.partner, current.now, words=words)
        except promises.SeveralMatch as several:
            return ask_which(handler_input, action, [p.id for p in several.choices], 0, when)
        except NotFound as error:
            if error.reason == "no_promises":
                return reply(handler_input, speech.NO_OPEN_PROMISES)
            open_ones = promises.open_promises(current.db, current.partner)
            question = speech.WHICH_ONE[action]
            return reply(handler_input, f"I couldn't find a promise like that. {listing(open_ones, current.now)} "
                                        f"{question}", question)
        return apply(handler_input, action, promise, when)


def _new_time(handler_input: HandlerInput) -> dict | None:
    """The day and minute a promise moves to, as said (no time: None, so the handler asks)."""
    minute = slots.minute_of_day(slots.slot_value(handler_input, "time"))
    if minute is None:
        return None
    said_day = slots.slot_value(handler_input, "date")
    zone = device_zone(handler_input, turn(handler_input))
    day = slots.local_day(said_day, local_time.local_date(turn(handler_input).now, zone)) if said_day else None
    spoken = promise_intake.read_spoken("", day, minute, zone, turn(handler_input).now)
    return {"day": spoken.day.isoformat() if spoken.day else None, "minute": spoken.minute, "zone": zone}


def apply(handler_input: HandlerInput, action: str, promise: Promise, when: dict | None) -> Response:
    """Settle or move the chosen promise and say so."""
    current = turn(handler_input)
    if action != "move":
        promises.settle(current.db, current.partner, promise, action, current.now, current.source_id)
        if action == PromiseState.KEPT:  # well done, and the offer to let the partner know (TELL)
            return kept_reply(handler_input, current, promise)
        return reply(handler_input, speech.marked(action, for_author(promise.text)))
    day = date.fromisoformat(when["day"]) if when.get("day") else None
    try:
        intake = promise_intake.move_spoken(current.db, current.partner, promise, day, when["minute"],
                                            when["zone"], current.now)
    except InvalidInput as error:
        if error.reason not in speech.TIME_PROBLEMS:
            raise
        return elicit(handler_input, "time", speech.TIME_PROBLEMS[error.reason] + speech.ASK_NEW_TIME)
    return reply(handler_input, echo_handlers.moved_words(handler_input, intake))


def ask_which(handler_input: HandlerInput, action: str, ids: list[int], index: int, when: dict | None) -> Response:
    """"Do you mean call Sam, today at 6 PM?": yes picks it, no names the next one."""
    current = turn(handler_input)
    promise = current.db.get(Promise, ids[index])
    session_attributes(handler_input).update(offer="pick_promise", pick={
        "action": action, "ids": ids, "index": index, "when": when})
    question = speech.which_of(for_author(promise.text), describe_local(promise.due_at, promise.timezone, current.now))
    return reply(handler_input, question, question)


class PromiseAnswerHandler(AbstractRequestHandler):
    """Yes or no to "Just to check: ..., today at 9 PM?" or "Do you mean ...?"."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        offer = session_attributes(handler_input).get("offer")
        return yes_no and isinstance(offer, str) and offer in ("confirm_promise", "pick_promise")

    def handle(self, handler_input):
        attributes, yes = session_attributes(handler_input), is_intent_name("AMAZON.YesIntent")(handler_input)
        offer = attributes.pop("offer")
        if offer == "confirm_promise":
            pending = attributes.pop("promise_pending", None) or {}
            if not _well_formed_pending(pending):
                return reply(handler_input, speech.ANYTHING_ELSE, speech.SUGGEST)
            day = date.fromisoformat(pending["day"]) if pending["day"] else None
            minute = pending["minute"] if yes else pending["other"]
            return make(handler_input, pending["task"], day, minute, pending["zone"])
        pick = attributes.pop("pick", None) or {}
        if not _well_formed_pick(pick):
            return reply(handler_input, speech.ANYTHING_ELSE, speech.SUGGEST)
        current = turn(handler_input)
        mine = {p.id: p for p in promises.open_promises(current.db, current.partner)}
        ids = [i for i in pick["ids"] if i in mine]
        index = pick["index"]
        if yes and index < len(pick["ids"]) and pick["ids"][index] in mine:
            return apply(handler_input, pick["action"], mine[pick["ids"][index]], pick["when"])
        following = [i for i in pick["ids"][index + 1:] if i in mine]
        if not following:
            return reply(handler_input, speech.NONE_OF_THOSE)
        return ask_which(handler_input, pick["action"], ids, ids.index(following[0]), pick["when"])


def _well_formed_pending(pending: object) -> bool:
    """Session attributes come back from the device: only a well-formed pending promise is used."""
    return (isinstance(pending, dict) and isinstance(pending.get("task"), str)
            and all(isinstance(pending.get(k), int) for k in ("minute", "other"))
            and all(0 <= pending[k] < 24 * 60 for k in ("minute", "other"))
            and _is_zone(pending.get("zone")) and (pending.get("day") is None or _is_day(pending["day"])))


def _well_formed_pick(pick: object) -> bool:
    return (isinstance(pick, dict) and pick.get("action") in (*ACTIONS.values(),)
            and isinstance(pick.get("ids"), list) and all(isinstance(i, int) for i in pick["ids"])
            and isinstance(pick.get("index"), int) and 0 <= pick["index"] < len(pick["ids"])
            and (pick["action"] != "move" or _well_formed_when(pick.get("when"))))


def _well_formed_when(when: object) -> bool:
    return (isinstance(when, dict) and isinstance(when.get("minute"), int) and 0 <= when["minute"] < 24 * 60
            and _is_zone(when.get("zone")) and (when.get("day") is None or _is_day(when["day"])))


def _is_day(value: object) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_zone(value: object) -> bool:
    try:
        ZoneInfo(value)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        return False
    return True
