"""Who is speaking: on a device two partners share, a voice profile, a name said, or the only one linked.

Alexa-free: callers pass plain ids. Nothing here commits.
"""
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.models import Partner
from core.services import couples, echo_reminders, linking

# Every Alexa turn: the partners of this account, with their couple, and whether an Echo reminder change
# waits for the account (the turn's last step asks), in one statement.
ACCOUNT = linking.BY_ALEXA_USER.add_columns(echo_reminders.ACCOUNT_HAS_PENDING)


@dataclass(frozen=True)
class Speaker:
    """The partner speaking (None when unknown) among those this Alexa account could be."""

    partner: Partner | None = None
    candidates: tuple[Partner, ...] = ()
    by_voice: bool = False  # recognised by an Alexa voice profile, not by name or by being the only one
    voice_kept: tuple[Partner, ...] = ()  # partners of this account served only to their own voice, not this one

    @property
    def linked(self) -> bool:
        """True when at least one partner is linked to this account and could be speaking."""
        return bool(self.candidates)

    @property
    def unrecognised(self) -> bool:
        """True when this account has partners, but each is kept for a voice that is not this one."""
        return not self.candidates and bool(self.voice_kept)

    @property
    def ambiguous(self) -> bool:
        """True when two partners share the device and we cannot tell which one this is."""
        return self.partner is None and len(self.candidates) > 1


def resolve_speaker(session: Session, user_id: str, person_id: str | None, chosen_id: int | None) -> Speaker:
    """The voice profile decides; else the partner chosen this session; else the only one linked. A partner
    linked with a voice profile is served only to that voice: an unrecognised voice (no person id, or
    another person's) never gets them, not even by saying their name."""
    partners = _partners_of_account(session, user_id)
    if person_id:
        mine = [p for p in partners if p.is_person(person_id)]
        if mine:
            return Speaker(mine[0], tuple(mine), by_voice=True)
    kept = tuple(p for p in partners if p.alexa_person_id)
    partners = [p for p in partners if not p.alexa_person_id]
    chosen = next((p for p in partners if p.id == chosen_id), None)
    if chosen is None and len(partners) == 1:
        chosen = partners[0]
    return Speaker(chosen, tuple(partners), voice_kept=kept)


def _partners_of_account(session: Session, user_id: str) -> list[Partner]:
    """linking.partners_for_alexa, telling echo_reminders on the way whether anything waits for the account."""
    if not user_id:
        return []
    rows = session.execute(ACCOUNT, {"user_id": user_id}).all()
    if rows and not rows[0][1]:
        echo_reminders.none_pending(session, user_id)
    return linking.of_account(couples.gathered([partner for partner, _ in rows]), user_id)


def pick_by_name(candidates: tuple[Partner, ...], name: str | None) -> Partner | None:
    """The candidate whose display name (or its first word) is `name`, ignoring case."""
    wanted = " ".join((name or "").casefold().split())
    if not wanted:
        return None
    for partner in candidates:
        full = " ".join(partner.display_name.casefold().split())
        if wanted in (full, full.split(" ")[0]):
            return partner
    return None
