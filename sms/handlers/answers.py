"""The day's answer by text, read in context (core.services.answers): saved only when it reads as one,
asked about when unclear, held private when it reads as danger; UNDO, PRIVATE, and a plain yes or no to a
promise follow-up."""
from core.models import Channel, PromiseState
from core.services import answers, promises
from core.services.replies_in_context import followup_waiting, yes_or_no
from core.words import texts
from sms.handlers.safety import lines_for
from sms.handlers.promises import settled_reply
from sms.turn import Turn

NOT_STORED = {"ack": texts.NOT_AN_ANSWER, "command": texts.COMMAND_UNCLEAR, "question": texts.QUESTION_TO_US,
              "unclear": texts.ASK_SAVE}


def answer(turn: Turn, command) -> str:
    """A text no command claimed: today's answer when it reads as one ("my answer is ..." always does)."""
    explicit = command.name == "answer" and command.get("text") != turn.text.body.strip()
    said = command.get("text") if command.name == "answer" else turn.text.body
    taken = answers.take_answer(turn.session, turn.partner, said, Channel.SMS, turn.text.sid, turn.now,
                                explicit=explicit)
    return said_back(turn, taken)


def said_back(turn: Turn, taken: answers.Taken) -> str:
    """The reply for what became of an offered answer."""
    if taken.status in NOT_STORED:
        return NOT_STORED[taken.status]
    if taken.status == "dropped":
        return texts.NOT_SAVED
    if taken.status == "held":
        return texts.answer_held(turn.other_name, lines_for(turn))
    if taken.status == "gentle":
        return texts.GENTLE_KEPT
    reveal = taken.reveal
    if reveal.status == "partner_away":
        return texts.answer_saved_partner_away(reveal.partner_name)
    return texts.answer_saved(reveal.status, reveal.partner_name, replaced=taken.status == "replaced")


def confirm_pending(turn: Turn, command) -> str | None:
    """The reply to "Was that your answer? Reply YES": YES saves it, NO drops it; anything else drops it
    and is handled as a new text (None tells the router to go on)."""
    verdict = yes_or_no(turn.text.body)
    taken = answers.confirm_pending(turn.session, turn.partner, verdict is True, turn.now)
    if verdict is None:
        return None
    return said_back(turn, taken) if taken else texts.NOT_SAVED


def followup(turn: Turn, command) -> str:
    """yes/yep/I did/done or no/not yet/I didn't right after "Did you keep your promise...?"."""
    promise = followup_waiting(turn.session, turn.partner, turn.now)
    kept = yes_or_no(turn.text.body)
    settled = promises.settle(turn.session, turn.partner, promise,
                              PromiseState.KEPT if kept else PromiseState.MISSED, turn.now)
    return settled_reply(turn, settled)


def undo(turn: Turn, command) -> str:
    """UNDO: today's answer taken back within 15 minutes, before the partner saw it."""
    return {"removed": texts.UNDONE, "seen": texts.UNDO_SEEN, "too_late": texts.UNDO_TOO_LATE,
            "nothing": texts.UNDO_NOTHING}[answers.undo(turn.session, turn.partner, turn.now)]


def private(turn: Turn, command) -> str:
    """PRIVATE <text>: a reflection for the writer only."""
    if not command.get("text"):
        return texts.PRIVATE_HOW
    kept = answers.keep_private(turn.session, turn.partner, command.get("text"), Channel.SMS, turn.text.sid,
                                turn.now)
    return texts.private_kept(lines_for(turn) if kept.signal else None)

