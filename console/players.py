"""Who can play at the console: Alex and Sam (one shared Echo, a phone each), a stranger (a phone nobody
invited, a voice the Echo has no profile for), anyone the database knows by name, and new players who are
given a phone (`as jo +1 415 555 0103`), e.g. to be invited or to start a couple of their own."""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.errors import InvalidInput
from core.models import Partner
from core.phones import normalize_phone


@dataclass(frozen=True)
class Player:
    """Someone at the console: their name, phone and Alexa voice profile (None: a voice without one)."""

    name: str
    phone: str
    person_id: str | None


def voice_of(name: str) -> str:
    """The fixed person id of `name`'s voice profile, so a reopened console database still knows the voice."""
    return "amzn1.ask.person.CONSOLE-" + re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


PLAYERS = {player.name.lower(): player for player in (
    Player("Alex", "+14155550101", voice_of("Alex")),
    Player("Sam", "+14155550102", voice_of("Sam")),
    Player("Stranger", "+14155550109", None),
)}


class UnknownPlayer(Exception):
    """`as <name>` named nobody the console knows; the message says what to type."""


class Cast:
    """The players of one console run: the built-in ones, the ones given a phone, and the database's partners."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions, self.known = sessions, dict(PLAYERS)

    def find(self, spec: str) -> Player:
        """`name` or `name phone`: the player (remembered for this run); UnknownPlayer or InvalidInput."""
        name, _, phone = spec.strip().partition(" ")
        if not name:
            raise UnknownPlayer(f"'as' needs a name: {self.hint('jo')}")
        player = self._new(name, phone) if phone.strip() else self.known.get(name.lower()) or self._stored(name)
        if player is None:
            raise UnknownPlayer(f"Unknown partner {name!r}: {self.hint(name.lower())}")
        self.known[name.lower()] = player
        return player

    def hint(self, name: str) -> str:
        """Who can be played, and how to add someone."""
        return (f"try {', '.join(self.known)} or anyone the database knows by name, "
                f"or give a new player a phone: 'as {name} +1 415 555 0103'.")

    def _new(self, name: str, phone: str) -> Player:
        """A player with their own phone (InvalidInput when it is not a phone number)."""
        return Player(name[:1].upper() + name[1:], normalize_phone(phone), voice_of(name))

    def _stored(self, name: str) -> Player | None:
        """A partner with a phone stored under `name` (the first one, by age); a known player when the
        phone is theirs, so the same person keeps the same voice profile."""
        query = select(Partner.display_name, Partner.phone).where(Partner.phone.is_not(None)).order_by(Partner.id)
        with self.sessions() as session:
            found = next((row for row in session.execute(query) if row[0].lower() == name.lower()), None)
        if found is None:
            return None
        same = next((player for player in self.known.values() if player.phone == found[1]), None)
        return same or Player(found[0], found[1], voice_of(found[0]))

