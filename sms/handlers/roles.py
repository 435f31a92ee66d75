"""ROLE by text: where a partner stands (mostly repairing trust, mostly hurt, both, rather not say)."""
from core.services import roles
from core.words import texts
from sms.turn import Turn


def role(turn: Turn, command) -> str:
    """ROLE <words>: store it; ROLE alone (or words we can't read) asks the question again."""
    said = command.get("said")
    if not said:
        return texts.ROLE_ASK
    return texts.role_set(roles.set_role_from_words(turn.session, turn.partner, said))
