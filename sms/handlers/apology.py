"""The guided apology by text: APOLOGY walks three steps (the next texts are read as them), REDO n, the
read-back, SEND, CANCEL APOLOGY; after it PROMISE or PACT alone turn the third step into one; the partner's
optional THANK YOU or NOT READY."""
from core.services import apology
from core.words import texts
from core.words.tasks import for_author
from core.words.times import describe_local
from sms.handlers import promises
from sms.handlers.pact import proposal_reply
from sms.handlers.safety import lines_for
from sms.turn import Turn

#: While a step is asked for, only free words are taken as it (any keyword keeps its own meaning).
STEP_COMMANDS = ("answer", "promise")


def is_step(command) -> bool:
    """A text that is the step just asked for: free words, or words that begin like a promise."""
    return command.name in STEP_COMMANDS


def is_turn_word(command) -> bool:
    """PROMISE or PACT alone, just after an apology was sent by text (the SEND reply offers them)."""
    return (command.name == "promise" and not command.get("rest")) or \
        (command.name == "pact" and command.get("action") == "list")


def _partner(turn: Turn) -> str:
    return turn.other_name or "your partner"


def start(turn: Turn, command) -> str:
    """APOLOGY: a new draft at step 1, or the draft already begun at its next step."""
    draft = apology.start(turn.session, turn.partner, turn.now, by_text=True)
    if draft.step == 0:
        return texts.apology_readback(_partner(turn), apology.steps_of(draft))
    return texts.apology_step(draft.step, _partner(turn), first=True)


def step(turn: Turn, command) -> str:
    """The words of the step asked for; then the next step, or the whole apology read back."""
    written = apology.write_step(turn.session, turn.partner, turn.text.body, turn.now, by_text=True)
    ask = texts.apology_step(written.next_step, _partner(turn)) if written.next_step else \
        texts.apology_readback(_partner(turn), apology.steps_of(written.apology))
    return texts.apology_step_held(lines_for(turn), ask) if written.signal else ask


def redo(turn: Turn, command) -> str:
    """REDO n: that step is asked again, with its words now."""
    if command.get("number") not in (1, 2, 3):
        return texts.REDO_HOW
    draft = apology.redo(turn.session, turn.partner, command.get("number"), turn.now, by_text=True)
    return texts.apology_step(draft.step, _partner(turn), current=apology.steps_of(draft)[draft.step - 1])


def send(turn: Turn, command) -> str:
    """SEND: sent (and how it reaches them), held once for words of danger, or the step still missing."""
    sent = apology.send(turn.session, turn.partner, turn.now, by_text=True)
    if sent.status == "incomplete":
        return texts.apology_step(sent.apology.step, _partner(turn))
    if sent.status == "held":
        return texts.apology_held(lines_for(turn))
    after = describe_local(sent.delivery.after, turn.tz, turn.now) if sent.delivery.after else None
    return texts.apology_sent(_partner(turn), sent.delivery.refusal, after)


def cancel(turn: Turn, command) -> str:
    """CANCEL APOLOGY: the draft is gone, nothing sent."""
    apology.cancel(turn.session, turn.partner, turn.now)
    return texts.APOLOGY_CANCELLED


def third_step(turn: Turn, command) -> str:
    """PROMISE or PACT alone after the read-back or SEND: the third step becomes a promise or a proposal."""
    into = "pact" if command.name == "pact" else "promise"
    became = apology.become(turn.session, turn.partner, into, turn.now, source_id=turn.text.sid)
    if into == "pact":
        return proposal_reply(turn, became.proposed)
    intake = became.intake
    if intake.promise is None:
        return texts.promise_when(intake.task)
    return texts.promise_made(for_author(intake.task), intake.due_words, intake.reminder_words)


def thank_you(turn: Turn, command) -> str:
    """THANK YOU: to a received apology first (passed on gently); otherwise a kept promise's THANKS."""
    received = apology.respond(turn.session, turn.partner, "thank_you", turn.now)
    if received is None:
        return promises.thanks(turn, command)
    return texts.apology_response_thanks("thank_you", _partner(turn))


def not_ready(turn: Turn, command) -> str:
    """NOT READY: passed on gently; nothing more is asked of anyone."""
    received = apology.respond(turn.session, turn.partner, "not_ready", turn.now)
    return texts.apology_response_thanks("not_ready", _partner(turn)) if received else texts.NOT_READY_NOTHING
