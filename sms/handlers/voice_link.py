"""YES to the text a voice set-up sent ("Reply YES to link this Echo"): link the Echo, join if new."""
from core.services import roles, voice_setup
from core.words import texts
from sms.turn import Turn


def waiting(turn: Turn) -> bool:
    """True when a YES from this number answers a voice set-up (core keeps that state)."""
    return voice_setup.pending_for(turn.session, turn.text.phone, turn.now) is not None


def accept(turn: Turn, command) -> str:
    """Link the Echo that asked; a new number has joined with this YES."""
    linked = voice_setup.accept(turn.session, turn.settings, turn.text.phone, turn.now)
    turn.partner = linked.partner
    if linked.new:  # joined with this YES: the same optional ROLE question as after JOIN
        roles.ask_role(turn.session, turn.partner, turn.now)
    return texts.linked_by_voice(linked.partner.display_name, linked.partner.couple.question_minute, linked.new,
                                 linked.invited)
