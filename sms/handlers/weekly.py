"""The weekly check-in by text (core.services.weekly_checkin): WEEKLY starts or continues it (and, once both
have answered, shows the partner's answers), a plain reply answers the question just asked, WEEKLY sun 6pm
chooses its time, PROMISE IT <when> turns this week's focus into a promise."""
from core.models import Channel
from core.services import weekly_checkin
from core.words import texts
from sms.handlers.preferences import minute_of_day
from core.words.tasks import for_author
from sms.handlers.safety import lines_for
from sms.turn import Turn

#: Replies to a weekly question that are kept as its answer (everything else keeps its own meaning).
ANSWERS = ("answer", "number", "yes", "no")


def reply_expected(turn: Turn, command) -> bool:
    """True when this text answers the weekly question just asked (conversation.route asks)."""
    return command.name in ANSWERS and weekly_checkin.reply_expected(turn.session, turn.partner, turn.now)


def weekly(turn: Turn, command) -> str:
    """WEEKLY: the next question; once done, the partner's answers or who is still to answer. With a day and a
    time, the couple's weekly time."""
    if command.get("said"):
        return _set_time(turn, command)
    asked = weekly_checkin.ask_by_text(turn.session, turn.partner, turn.now)
    if asked is not None:
        return texts.weekly_question(asked.step, asked.words)
    return _revealed(turn)


def _set_time(turn: Turn, command) -> str:
    if command.get("day") is None:
        return texts.WEEKLY_HOW
    day, minute = command.get("day"), minute_of_day(command.get("time"))
    told = weekly_checkin.set_time(turn.session, turn.partner, day, minute, turn.now)
    return texts.told_other(texts.weekly_time_set(day, minute), turn.other_name if told else None)


def _revealed(turn: Turn) -> str:
    """All three answered: what the partner said, only once they have answered too."""
    shown = weekly_checkin.reveal(turn.session, turn.partner, turn.now)
    if shown.status == "both":
        return texts.weekly_reveal(shown.partner_name, shown.answers)
    if shown.status == "waiting_partner":
        return texts.weekly_waiting_partner(shown.partner_name)
    if shown.status == "partner_away":
        return texts.partner_away(shown.partner_name)
    if shown.status == "invited":
        return texts.partner_invited(shown.partner_name)
    return texts.weekly_finished("alone", None, None)


def weekly_answer(turn: Turn, command) -> str:
    """A plain reply to the weekly question just asked."""
    said = command.get("text") if command.name == "answer" else turn.text.body
    done = weekly_checkin.answer(turn.session, turn.partner, said, Channel.SMS, turn.text.sid, turn.now,
                                 by_text=True)
    if done.status == "ack":
        return texts.WEEKLY_ACK
    if done.status == "done":
        return _revealed(turn)
    if done.status == "held":
        words = done.next.words if done.next else None
        return texts.weekly_held(turn.other_name, lines_for(turn), words, done.step + 1)
    if done.next is not None:
        return texts.weekly_next(done.next.words, done.next.step)
    return texts.weekly_finished(done.reveal.status, done.reveal.partner_name, done.revisit)


def focus_promise(turn: Turn, command) -> str:
    """PROMISE IT <when>: this week's focus as a promise, confirmed like any other (or asked when)."""
    intake = weekly_checkin.focus_promise(turn.session, turn.partner, command.get("when"), turn.now,
                                          source_id=turn.text.sid)
    if intake is None:
        return texts.FOCUS_NONE
    if intake.promise is None:
        return texts.focus_when(intake.task)
    return texts.promise_made(for_author(intake.task), intake.due_words, intake.reminder_words)
