"""The console's own Trust Builder: development settings over its own SQLite file, a settable clock, the
local outbox instead of Twilio, and the real app built with create_app()."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select

from app import create_app
from core.clock import SettableClock
from core.config import Settings, load_settings
from core.models import CheckIn, InboundMessage, OutboundMessage, Promise
from core.runtime import Runtime, open_runtime
from core.services.dispatch import Dispatcher
from devkit.certs import AlexaSigner
from scheduler.__main__ import STATUS_PATH
from skill.alexa_api import SettingsApi
from sms.gateway import OutboxGateway

DEFAULT_DB = Path("var") / "console.db"
SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-00000c0e501e"
PUBLIC_URL = "http://localhost:5000"
NUMBER = "+14155550100"  # the pretend Trust Builder number (555-01xx numbers are reserved for fiction)
API_TOKEN = "console-api-access-token"  # the Echo's apiAccessToken; the local Settings API wants it
#: Alexa requests are signed by the console's own test CA, whose chain the app "downloads" from this URL.
CERT_URL = "https://s3.amazonaws.com/echo.api/console.pem"
ROOT_NAME = "Trust Builder Console Root CA"
#: No Twilio account, whatever .env says, so every text goes to the outbox; the number is only read out by Alexa.
NO_TWILIO = dict(twilio_account_sid="", twilio_auth_token="", twilio_from_number=NUMBER,
                 twilio_messaging_service_sid="", twilio_api_url="")


@dataclass
class World:
    """Everything one console run works with."""

    settings: Settings
    runtime: Runtime
    clock: SettableClock
    app: Flask
    signer: AlexaSigner
    dispatcher: Dispatcher
    tidied: datetime  # when the scheduler's hourly housekeeping last ran (simulated time)

    def close(self) -> None:
        """Release the dispatcher and the database."""
        self.dispatcher.close()
        self.runtime.close()


def console_settings(db_path: Path, environ: dict | None = None) -> Settings:
    """Development settings: our database and skill id, verification on, no Twilio; the rest from
    `environ` or else the environment and .env (time zone, quiet hours, question time, encryption key)."""
    env_file = ".env" if environ is None else None  # an explicit environment (tests) is the whole truth
    return load_settings(environ, env_file, app_env="development", database_url=f"sqlite:///{db_path.resolve()}",
                         var_dir=str(db_path.resolve().parent), alexa_skill_id=SKILL_ID, alexa_verify="true",
                         public_base_url=PUBLIC_URL, **NO_TWILIO)


def parse_start(text: str) -> tuple[date | None, time | None]:
    """ "2026-11-23 09:00", "2026-11-23" or "09:00" as (day, clock); ValueError names the expected form."""
    day, clock = None, None
    for part in text.replace("T", " ").split():
        try:
            if "-" in part and day is None:
                day = date.fromisoformat(part)
            elif ":" in part and clock is None:
                clock = time.fromisoformat(part)
            else:
                raise ValueError(part)
        except ValueError:
            raise ValueError(f"expected 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD' or 'HH:MM', got {text!r}") from None
    return day, clock


def start_time(settings: Settings, start: str | None) -> datetime:
    """`start` as local time in the default zone; what it leaves out is today and 09:00."""
    zone = ZoneInfo(settings.default_timezone)
    day, clock = parse_start(start) if start else (None, None)
    return datetime.combine(day or datetime.now(zone).date(), clock or time(9, 0), tzinfo=zone)


def last_activity(runtime: Runtime) -> datetime | None:
    """The latest moment the database remembers, so a reopened console carries on from there."""
    columns = (OutboundMessage.updated_at, InboundMessage.created_at, CheckIn.created_at, Promise.created_at)
    with runtime.sessions() as session:
        times = [session.scalar(select(func.max(column))) for column in columns]
    return max((t for t in times if t is not None), default=None)


def open_world(db_path: Path = DEFAULT_DB, fresh: bool = False, start: str | None = None,
               environ: dict | None = None) -> World:
    """Build the app in-process over `db_path` (emptied first with `fresh`); the clock starts at `start`,
    else where the database left off, else today 09:00."""
    settings = console_settings(Path(db_path), environ)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    clock = SettableClock(start_time(settings, start))
    runtime = open_runtime(settings, OutboxGateway(), clock=clock)
    latest = None if start else last_activity(runtime)
    if latest is not None and latest >= clock():
        clock.set(latest + timedelta(minutes=1))
    signer = console_signer(clock())
    app = create_app(settings, runtime=runtime, skill_options=console_skill_options(runtime, signer))
    # As `python -m scheduler` builds it, but one sender thread: the console runs passes in its own thread.
    dispatcher = Dispatcher(runtime.sessions, runtime.gateway, clock,
                            status_callback=settings.public_base_url + STATUS_PATH, concurrency=1)
    return World(settings, runtime, clock, app, signer, dispatcher, clock())


def console_signer(now: datetime) -> AlexaSigner:
    """The console's Alexa: a leaf of the console's own CA, valid from a day before `now` for 400 days."""
    return AlexaSigner.around(now, CERT_URL, root_name=ROOT_NAME)


def console_skill_options(runtime: Runtime, signer: AlexaSigner) -> dict:
    """build_skill's hooks for the console: the verifier trusts the console's CA and reads the chain
    locally, and the Echo's time zone comes from a local Settings API."""
    zone = LocalSettingsApi(runtime.settings.default_timezone)
    return {"trusted_roots": signer.trusted_roots, "fetch": signer.fetch, "settings_api": SettingsApi(get=zone)}


@dataclass(frozen=True)
class SettingsAnswer:
    """Just enough of a requests.Response for the skill's SettingsApi."""

    status_code: int
    body: object

    def json(self):
        """The JSON body."""
        return self.body


@dataclass(frozen=True)
class LocalSettingsApi:
    """The Alexa Settings API's `System.timeZone`, answered in-process: the Echo is in `zone`."""

    zone: str

    def __call__(self, url: str, headers: dict, **_options) -> SettingsAnswer:
        """requests.get's shape: 200 with the zone for the Echo's token, 403 otherwise."""
        return SettingsAnswer(200 if headers.get("Authorization") == f"Bearer {API_TOKEN}" else 403, self.zone)
