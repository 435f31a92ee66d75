"""The bench's data: linked couples made through the core services, and their check-ins counted afterwards."""
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from core.config import Settings
from core.db import transaction
from core.errors import InvalidInput
from core.models import CheckIn, Partner
from core.phones import normalize_phone
from core.runtime import Runtime, open_runtime
from devkit.seeding import seed_couple
from sms.gateway import OutboxGateway

AREA_CODES = ("201", "202", "206", "212", "213", "303", "305", "312", "404", "415",
              "503", "512", "602", "615", "617", "650", "702", "713", "718", "919")


@dataclass(frozen=True)
class Couple:
    """Who the bench plays: the texting partner's number and the speaking partner's Alexa user id."""

    couple_id: int
    texting_phone: str
    alexa_user_id: str


def open_database(settings: Settings) -> Runtime:
    """Migrate the bench database (before gunicorn starts) and open it; nothing is ever sent from here."""
    return open_runtime(settings, OutboxGateway())


def seed_couples(runtime: Runtime, count: int, alexa_user_prefix: str) -> list[Couple]:
    """`count` couples: Alex joins and invites Sam, Sam says YES and links Alexa; Alex texts, Sam speaks."""
    now, zone = runtime.clock(), runtime.settings.default_timezone
    with transaction(runtime.sessions) as session:
        phones = free_phones(session, 2 * count)
        made = []
        for pair in zip(phones[::2], phones[1::2]):
            alex, sam = seed_couple(session, now, zone, pair)
            user_id = f"{alexa_user_prefix}.{uuid.uuid4().hex[:12]}"
            sam.alexa_user_id = user_id  # what `LINK <code>` stores (as its keyed digest)
            made.append(Couple(alex.couple_id, alex.phone, user_id))
        session.flush()
        return made


def free_phones(session, count: int) -> list[str]:
    """`count` distinct numbers from 555-01XX blocks (reserved for fiction; 2,000 of them) not yet taken."""
    taken = set(session.scalars(select(Partner.phone).where(Partner.phone.is_not(None))))
    pool = [p for p in (f"+1{area}55501{n:02d}" for area in AREA_CODES for n in range(100))
            if p not in taken and _valid(p)]
    if len(pool) < count:
        raise RuntimeError(f"only {len(pool)} fictional numbers are free: use at most {len(pool) // 2} couples")
    return random.sample(pool, count)


def _valid(phone: str) -> bool:
    try:
        return normalize_phone(phone) == phone
    except InvalidInput:
        return False


def count_check_ins(runtime: Runtime, couple_ids: list[int]) -> dict[str, int]:
    """Stored check-ins of these couples per channel ("voice", "sms")."""
    with runtime.sessions() as session:
        rows = session.execute(select(CheckIn.channel, func.count()).where(CheckIn.couple_id.in_(couple_ids))
                               .group_by(CheckIn.channel))
        return {channel: count for channel, count in rows}


def stored_source_ids(runtime: Runtime, couple_ids: list[int]) -> set[str]:
    """The source ids (alexa:<requestId>, Twilio MessageSid) of these couples' stored check-ins."""
    with runtime.sessions() as session:
        return set(session.scalars(select(CheckIn.source_id).where(CheckIn.couple_id.in_(couple_ids))))
