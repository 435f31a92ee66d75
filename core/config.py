"""Settings: read once from the environment (and an optional .env file), validated at start-up."""
import functools
import os
import re
import secrets
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = ROOT / "var"


class ConfigError(Exception):
    """Settings that are missing or invalid. One problem reads as one line naming the setting; several
    (production checks everything before refusing) read as a short list, one setting per line."""

    def __init__(self, *problems: str):
        self.problems = tuple(problems)
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{len(problems)} settings need attention:\n"
                             + "\n".join(f"  - {problem}" for problem in problems))


@dataclass(frozen=True)
class Settings:
    """Everything the app and the scheduler need to know about their environment."""

    app_env: str = ""  # unset: development on the embedded defaults, production once DATABASE_URL is set
    database_url: str = ""
    public_base_url: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    twilio_timeout_seconds: float = 5.0
    alexa_skill_id: str = ""
    alexa_verify: bool = True
    alexa_api_url: str = ""  # development only: every Alexa API call goes to this local fake instead
    # The skill's messaging credentials (developer console, Permissions): the scheduler's proactive events and
    # skill messages. Without them there are no Echo reminders and no "your partner answered" notices.
    alexa_client_id: str = ""
    alexa_client_secret: str = ""
    alexa_lwa_url: str = ""  # development only: a local fake of the Login with Amazon token endpoint
    alexa_events_stage: str = "development"  # the proactive events stage: development, or live once published
    default_timezone: str = "America/New_York"
    quiet_hours: tuple[int, int] = (21, 8)
    daily_question_time: str = "19:00"
    encryption_key: str = ""
    lookup_key: str = ""  # keys the digests used to find a phone or an Alexa id without storing it in clear
    scheduler_tick_seconds: int = 30
    sms_sender_kind: str = "long_code"  # long_code, toll_free, short_code or messaging_service: its default rate
    sms_rate_per_second: float = 0.0  # texts (segments) per second the sender may send; 0: the kind's default
    retention_days: int = 90
    thinking_daily_cap: int = 3
    # The certification reviewer's test number: fictional (NXX-555-0100..0199), texts to it stay in the outbox
    # and its consent YES is taken as given. Empty (the default everywhere): no reviewer path at all.
    reviewer_phone_number: str = ""
    sms_replies_per_hour: int = 30  # replies to one number in an hour; then silence until the hour is over
    admin_token: str = ""  # the operator's status page (/admin) answers only to this bearer token; unset: off
    var_dir: Path = DEFAULT_VAR_DIR
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_development(self) -> bool:
        """Only development lifts production's checks (test is held to them, like production)."""
        return self.app_env == "development"

    @property
    def is_production(self) -> bool:
        """True for production and test: every safety check applies."""
        return not self.is_development

    @property
    def twilio_configured(self) -> bool:
        """True when real texts can be sent."""
        return bool(self.twilio_account_sid and self.twilio_auth_token
                    and (self.twilio_from_number or self.twilio_messaging_service_sid))

    def with_(self, **changes) -> "Settings":
        """A copy with some settings changed (tests and the console use it)."""
        return replace(self, **changes)


ENV_NAMES = {f.name: f.name.upper() for f in fields(Settings) if f.name != "warnings"}


def load_settings(environ=None, env_file: str | None = ".env", **overrides) -> Settings:
    """Read settings from `environ` (default os.environ) over an optional .env file, then validate."""
    raw = dict(dotenv_values(env_file)) if env_file and Path(env_file).is_file() else {}
    # An empty variable means "not set here", so it does not blank a value from .env.
    raw.update({k: v for k, v in (os.environ if environ is None else environ).items() if v != ""})
    values = {name: raw[env] for name, env in ENV_NAMES.items() if raw.get(env) not in (None, "")}
    values.update(overrides)
    return validate(_coerce(values))


def _coerce(values: dict) -> Settings:
    """Turn strings into typed settings, naming the setting that does not parse."""
    typed, problems = {}, []
    for name, value in values.items():
        try:
            typed[name] = _COERCE.get(name, _as_str)(value)
        except (TypeError, ValueError) as exc:
            problems.append(f"{name.upper()}: {exc}")
    if problems:
        raise ConfigError(*problems)
    return Settings(**typed)


def _as_str(value) -> str:
    return str(value).strip()


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _as_quiet_hours(value) -> tuple[int, int]:
    if isinstance(value, tuple):
        return value
    match = re.fullmatch(r"\s*(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?\s*", str(value))
    if not match or not all(0 <= int(h) <= 23 for h in match.groups()):
        raise ValueError(f"expected hours like 21-8, got {value!r}")
    return int(match[1]), int(match[2])


def _as_positive_int(value) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be a positive whole number, got {value!r}")
    return number


def _as_positive_float(value) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"must be positive, got {value!r}")
    return number


_COERCE = {
    "alexa_verify": _as_bool,
    "quiet_hours": _as_quiet_hours,
    "scheduler_tick_seconds": _as_positive_int,
    "retention_days": _as_positive_int,
    "thinking_daily_cap": _as_positive_int,
    "sms_replies_per_hour": _as_positive_int,
    "twilio_timeout_seconds": _as_positive_float,
    "sms_rate_per_second": float,
    "var_dir": Path,
}


def validate(settings: Settings) -> Settings:
    """Check every setting, then refuse with ALL the problems at once (so one start shows everything to fix);
    fill development defaults and collect development's loud warnings."""
    app_env = settings.app_env or ("production" if settings.database_url else "development")
    settings = replace(settings, app_env=app_env)
    problems = []
    if app_env not in {"production", "development", "test"}:
        problems.append(f"APP_ENV: expected production, development or test, got {app_env!r}")
    for check in (_check_timezone, _check_clock_time, _check_public_base_url, _check_twilio_api_url,
                  _check_database_url, _check_encryption_key, _check_lookup_key, _check_alexa_api_url,
                  _check_alexa_messaging, _check_reviewer_number, _check_sending_rate, _check_admin_token):
        problem = check(settings)
        if problem:
            problems.append(problem)
    if problems:
        raise ConfigError(*problems)
    warnings = list(settings.warnings)
    if settings.is_production:
        problems = production_problems(settings)
        if problems:
            raise ConfigError(*problems)
    else:
        warnings += _development_warnings(settings)
    database_url = settings.database_url or f"sqlite:///{settings.var_dir / 'trustbuilder.db'}"
    public_base_url = (settings.public_base_url or "http://localhost:5000").rstrip("/")
    return replace(settings, database_url=database_url, public_base_url=public_base_url, warnings=tuple(warnings))


SENDER_KINDS = ("long_code", "toll_free", "short_code", "messaging_service")


def _check_sending_rate(settings: Settings) -> str | None:
    if settings.sms_sender_kind not in SENDER_KINDS:
        return f"SMS_SENDER_KIND: expected one of {', '.join(SENDER_KINDS)}, got {settings.sms_sender_kind!r}"
    if settings.sms_rate_per_second < 0:
        return f"SMS_RATE_PER_SECOND: expected 0 (the sender's default) or more, got {settings.sms_rate_per_second}"
    return None


def _check_admin_token(settings: Settings) -> str | None:
    if settings.admin_token and len(settings.admin_token) < 32:
        return f"ADMIN_TOKEN: at least 32 characters of random text (or unset: no status page); generate one with {NEW_LOOKUP_KEY}"
    return None


def _check_timezone(settings: Settings) -> str | None:
    try:
        ZoneInfo(settings.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"DEFAULT_TIMEZONE: unknown time zone {settings.default_timezone!r}"
    return None


def _check_clock_time(settings: Settings) -> str | None:
    value = settings.daily_question_time
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return f"DAILY_QUESTION_TIME: expected HH:MM, got {value!r}"
    return None


def _check_public_base_url(settings: Settings) -> str | None:
    url = settings.public_base_url
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?/?", url):
        return f"PUBLIC_BASE_URL: expected an http(s) origin like https://trust.example.com, got {url!r}"
    return None


def _check_twilio_api_url(settings: Settings) -> str | None:
    if settings.twilio_api_url and not re.match(r"^https?://[^/\s]+", settings.twilio_api_url):
        return f"TWILIO_API_URL: expected an http(s) URL, got {settings.twilio_api_url!r}"
    return None


def _check_alexa_api_url(settings: Settings) -> str | None:
    if settings.alexa_api_url and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+/?", settings.alexa_api_url):
        return f"ALEXA_API_URL: expected an http(s) origin like http://127.0.0.1:8765, got {settings.alexa_api_url!r}"
    return None


def _check_alexa_messaging(settings: Settings) -> str | None:
    if bool(settings.alexa_client_id) != bool(settings.alexa_client_secret):
        return "ALEXA_CLIENT_ID / ALEXA_CLIENT_SECRET: set both (the skill's messaging credentials) or neither"
    if settings.alexa_lwa_url and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+/?", settings.alexa_lwa_url):
        return f"ALEXA_LWA_URL: expected an http(s) origin like http://127.0.0.1:8766, got {settings.alexa_lwa_url!r}"
    if settings.alexa_events_stage not in ("development", "live"):
        return f"ALEXA_EVENTS_STAGE: expected development or live, got {settings.alexa_events_stage!r}"
    return None


def _check_database_url(settings: Settings) -> str | None:
    if not settings.database_url:
        return None
    try:
        make_url(settings.database_url)
    except ArgumentError:
        return "DATABASE_URL: not a database URL (e.g. postgresql+psycopg://user:pass@host/db)"
    return None


def _check_encryption_key(settings: Settings) -> str | None:
    for key in filter(None, (k.strip() for k in settings.encryption_key.split(","))):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return "ENCRYPTION_KEY: not a valid Fernet key (32 url-safe base64 bytes)"
    return None


def _check_lookup_key(settings: Settings) -> str | None:
    if settings.lookup_key and len(settings.lookup_key.strip()) < 32:
        return f"LOOKUP_KEY: at least 32 characters of random text; generate one with {NEW_LOOKUP_KEY}"
    return None


#: Numbers reserved for fiction in North America (NXX-555-0100 to 0199): no phone can ever answer one.
FICTIONAL_NUMBER = re.compile(r"\+1[2-9][0-9]{2}55501[0-9]{2}")


def _check_reviewer_number(settings: Settings) -> str | None:
    number = re.sub(r"[\s().-]", "", settings.reviewer_phone_number or "")
    if not number:
        return None
    if not number.startswith("+"):
        number = "+1" + number[-10:] if len(number) in (10, 11) else number
    if not FICTIONAL_NUMBER.fullmatch(number):
        return ("REVIEWER_PHONE_NUMBER: must be a fictional North American number, +1 NXX 555 0100 to 0199 "
                f"(e.g. +1 202 555 0142), so it can never be a real person's phone; got {settings.reviewer_phone_number!r}")
    from core.phones import is_valid_phone
    if not is_valid_phone(number):
        return (f"REVIEWER_PHONE_NUMBER: {settings.reviewer_phone_number!r} is not a dialable number (the area code "
                "must exist, e.g. +1 202 555 0142), so the reviewer could not say it")
    if number == re.sub(r"[\s().-]", "", settings.twilio_from_number or ""):
        return "REVIEWER_PHONE_NUMBER: must not be the Trust Builder number itself"
    return None


def reviewer_number(settings: Settings) -> str | None:
    """The reviewer test number in E.164, or None when the reviewer path is off."""
    number = re.sub(r"[\s().-]", "", settings.reviewer_phone_number or "")
    if not number:
        return None
    return number if number.startswith("+") else "+1" + number[-10:]


NEW_LOOKUP_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"
SKILL_ID = re.compile(r"amzn1\.ask\.skill\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PLACEHOLDER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NEW_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


def production_problems(settings: Settings) -> list[str]:
    """Everything production (and test) refuses, each with what to do; empty when it may start."""
    problems = []
    url = settings.public_base_url
    if not url.startswith("https://") or re.match(r"https://(localhost|127\.|\[::1\])", url):
        problems.append(f"PUBLIC_BASE_URL: set it to the public https origin Twilio and Alexa call "
                        f"(e.g. https://trust.example.com); got {url or 'nothing'!r}")
    if not settings.database_url:
        problems.append("DATABASE_URL: required in production: a PostgreSQL URL, e.g. postgresql+psycopg://trustbuilder:PASSWORD@"
                        "localhost/trustbuilder (deploy/postgres-setup.sh creates the role and database)")
    elif make_url(settings.database_url).get_backend_name() != "postgresql":
        problems.append("DATABASE_URL: production needs PostgreSQL (SQLite is for development on one machine); "
                        "use postgresql+psycopg://...")
    if not settings.alexa_skill_id or settings.alexa_skill_id == PLACEHOLDER_SKILL_ID:
        problems.append("ALEXA_SKILL_ID: required in production: your skill's id from the Alexa developer "
                        "console (amzn1.ask.skill.<uuid>); the all-zeros placeholder is refused")
    elif not SKILL_ID.fullmatch(settings.alexa_skill_id):
        problems.append(f"ALEXA_SKILL_ID: expected amzn1.ask.skill.<uuid>, got {settings.alexa_skill_id!r}")
    if not settings.alexa_verify:
        problems.append("ALEXA_VERIFY: false is allowed only with APP_ENV=development; remove it")
    if settings.alexa_api_url:
        problems.append("ALEXA_API_URL: a local fake of the Alexa APIs, allowed only with APP_ENV=development; "
                        "remove it (the skill calls the documented api.*amazonalexa.com hosts)")
    if settings.alexa_lwa_url:
        problems.append("ALEXA_LWA_URL: a local fake of Login with Amazon, allowed only with APP_ENV=development; "
                        "remove it (tokens come from https://api.amazon.com)")
    if not settings.encryption_key:
        problems.append(f"ENCRYPTION_KEY: required in production; generate one with {NEW_KEY} "
                        "and keep a copy with your backups")
    if not settings.lookup_key:
        problems.append(f"LOOKUP_KEY: required in production (a different secret from ENCRYPTION_KEY); generate "
                        f"one with {NEW_LOOKUP_KEY} and keep a copy with your backups")
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
                                        ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token)) if not value]
    if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        problems.append(f"{' / '.join(missing)}: required in production (Twilio console: Account Info, "
                        "and Phone Numbers or Messaging Services)")
    return problems


def _development_warnings(settings: Settings) -> list[str]:
    """The loud start-up lines that say what a development run does not do."""
    warnings = []
    if not settings.twilio_configured:
        warnings.append("NO TWILIO CREDENTIALS: texts are NOT SENT; they go to the local outbox (database + log)")
    if settings.reviewer_phone_number:
        warnings.append(f"REVIEWER_PHONE_NUMBER={settings.reviewer_phone_number}: the reviewer path is on (texts to "
                        "that fictional number stay in the outbox; its YES is taken as given)")
    if not settings.alexa_verify:
        warnings.append("ALEXA_VERIFY=false: Alexa requests are NOT verified; never expose this server")
    if settings.alexa_api_url:
        warnings.append(f"ALEXA_API_URL: every Alexa API call goes to {settings.alexa_api_url}, not to Amazon")
    if settings.alexa_lwa_url:
        warnings.append(f"ALEXA_LWA_URL: Alexa messaging tokens come from {settings.alexa_lwa_url}, not from Amazon")
    if not settings.encryption_key:
        warnings.append(f"ENCRYPTION_KEY not set: using a development key in {settings.var_dir}")
    if not settings.lookup_key:
        warnings.append(f"LOOKUP_KEY not set: using a development lookup key in {settings.var_dir}")
    return warnings


def ensure_var_dir(var_dir: Path) -> Path:
    """The folder for the SQLite file and the development secrets: created 0700, and tightened to 0700
    if group or others could enter it (it holds everything a partner wrote)."""
    path = Path(var_dir)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def local_secret(path: Path, make) -> str:
    """Read the secret in `path`, or create it with `make()`: O_EXCL and 0600, so of two processes starting
    together one writes it and both read the same value, and nobody else on the machine can."""
    ensure_var_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        for _ in range(100):  # the other process may be writing it right now
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.02)
        raise ConfigError(f"{path}: empty secret file; delete it and start again") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(make())
    return path.read_text().strip()


def development_lookup_key(var_dir: Path) -> str:
    """Outside production without LOOKUP_KEY: a random lookup key kept in var/lookup.key."""
    return local_secret(Path(var_dir) / "lookup.key", lambda: secrets.token_hex(32))


@functools.cache
def development_webhook_token(var_dir: Path) -> str:
    """Outside production without TWILIO_AUTH_TOKEN, webhooks are signed with this random token from
    var/webhook.token (the console signs with it too); nothing public can be used to guess it."""
    return "dev-" + local_secret(Path(var_dir) / "webhook.token", lambda: secrets.token_hex(24))
