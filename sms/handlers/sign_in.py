"""LOGIN: a one-time link to the couple's page (web/), in the reply itself (core.services.sign_in)."""
from core.services import sign_in
from core.words import texts
from sms.turn import Turn


def login(turn: Turn, command) -> str:
    """LOGIN / "sign in" / "send me a link": the link works once, for 10 minutes."""
    url = sign_in.issue_link(turn.session, turn.partner, turn.settings.public_base_url, turn.now)
    return texts.sign_in_link(url)
