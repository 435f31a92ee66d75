"""SAFETY and SHARE IT by text: the lines for the person's country at once, in every state, and sharing an
answer that was held private because it read as danger."""
from core.safety import as_text, resources_for
from core.services import answers, weekly_checkin
from core.words import texts
from sms.turn import Turn


def lines_for(turn: Turn) -> str:
    """The safety lines for the country of the texting phone (core.safety picks it from the number)."""
    return as_text(resources_for(turn.text.phone))


def safety(turn: Turn, command) -> str:
    """SAFETY (or "I don't feel safe"): the lines, before anything else, from anyone."""
    return texts.safety(lines_for(turn))


def share_it(turn: Turn, command) -> str:
    """SHARE IT: today's held answer is shared after all; else this week's held weekly answers."""
    reveal = answers.share_held(turn.session, turn.partner, turn.now)
    if reveal is not None:
        return texts.held_shared(reveal.status, reveal.partner_name)
    week = weekly_checkin.share_held(turn.session, turn.partner, turn.now)
    if week is not None:
        return texts.weekly_held_shared(week.status, week.partner_name)
    return texts.NOTHING_HELD
