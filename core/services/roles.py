"""Roles: where a partner stands, said in their own words at joining (text and voice) and changed any time.

A role only chooses the wording of the day's question (and keeps a few paired topics for couples whose
roles fit them): it is never shown to the other partner, never scored and never compared.
"""
import re

from datetime import datetime

from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.models import Partner, Role, TextKind
from core.services import outbox
from core.words import texts

#: What people say, by voice or text, for each role (matched on whole words, after lower-casing).
SAID = {
    Role.REPAIRING: ("repairing", "repair", "rebuilding", "rebuild", "i hurt them", "i hurt him", "i hurt her",
                     "i broke", "i broke it", "i broke the trust", "i m repairing", "the one who hurt",
                     "i caused", "making amends", "i did it", "me repairing", "mostly repairing"),
    Role.HURT: ("hurt", "i was hurt", "i got hurt", "was hurt", "mostly hurt", "the one hurt", "they hurt me",
                "i am hurt", "i m hurt", "betrayed", "i was betrayed"),
    Role.BOTH: ("both", "a bit of both", "bit of both", "each", "both of those", "some of each", "mixed"),
    Role.UNSAID: ("rather not say", "rather not", "prefer not to say", "prefer not", "skip", "pass", "none",
                  "no answer", "not saying", "don t want to say", "i d rather not", "unsaid", "private"),
}


def parse_role(said: str | None) -> str | None:
    """The Role in what someone said ("mostly repairing", "I was hurt", "both", "rather not say"); None if
    it names none, or more than one (then we ask again rather than guess)."""
    words = " ".join(re.findall(r"[a-z]+", (said or "").casefold().replace("'", " ").replace("\u2019", " ")))
    if not words:
        return None
    found = set()
    for role in (Role.UNSAID, Role.BOTH, Role.REPAIRING, Role.HURT):  # "I hurt them" is repairing, not hurt
        for phrase in sorted(SAID[role], key=len, reverse=True):
            pattern = rf"\b{re.escape(phrase)}\b"
            if re.search(pattern, words):
                found.add(role)
                words = re.sub(pattern, " ", words)
    if Role.UNSAID in found and len(found) > 1:
        found = {Role.UNSAID}  # "I'd rather not say if I was hurt" is a choice not to say
    if {Role.REPAIRING, Role.HURT} <= found:
        found = (found - {Role.REPAIRING, Role.HURT}) | {Role.BOTH}
    return found.pop() if len(found) == 1 else None


def ask_role(session: Session, partner: Partner, now: datetime) -> bool:
    """Right after joining by text: one optional question, sent once (ROLE answers it). True if queued."""
    if not partner.can_text:
        return False
    _, created = outbox.queue(session, partner, outbox.Draft(texts.ROLE_ASK, TextKind.ROLE_QUESTION,
                                                             f"role-question:{partner.id}"), now)
    return created


def set_role(session: Session, partner: Partner, role: str) -> str:
    """Store the partner's role (a Role); InvalidInput("bad_role") for anything else."""
    if role not in set(Role):
        raise InvalidInput(f"unknown role {role!r}", "bad_role")
    partner.role = Role(role)
    session.flush()
    return partner.role


def set_role_from_words(session: Session, partner: Partner, said: str | None) -> str:
    """ROLE <words> / "change my role to ...": parse and store; InvalidInput("unclear_role") when unclear."""
    role = parse_role(said)
    if role is None:
        raise InvalidInput("say repairing, hurt, both or rather not say", "unclear_role")
    return set_role(session, partner, role)
