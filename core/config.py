"""Settings: read once from the environment (and an optional .env file), validated at start-up."""
import os
import re
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
    """A setting that is missing or invalid; the message names it in one line."""


@dataclass(frozen=True)
class Settings:
    """Everything the app and the scheduler need to know about their environment."""

    app_env: str = "production"
    database_url: str = ""
    public_base_url: str = "http://localhost:5000"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    twilio_timeout_seconds: float = 5.0
    alexa_skill_id: str = ""
    alexa_verify: bool = True
    default_timezone: str = "America/New_York"
    quiet_hours: tuple[int, int] = (21, 8)
    daily_question_time: str = "19:00"
    encryption_key: str = ""
    scheduler_tick_seconds: int = 30
    retention_days: int = 90
    thinking_daily_cap: int = 3
    var_dir: Path = DEFAULT_VAR_DIR
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_production(self) -> bool:
        """True unless APP_ENV says development or test."""
        return self.app_env == "production"

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
    typed = {}
    for name, value in values.items():
        try:
            typed[name] = _COERCE.get(name, _as_str)(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name.upper()}: {exc}") from None
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
    "twilio_timeout_seconds": _as_positive_float,
    "var_dir": Path,
}


def validate(settings: Settings) -> Settings:
    """Check the settings that matter; fill development defaults and collect loud warnings."""
    if settings.app_env not in {"production", "development", "test"}:
        raise ConfigError(f"APP_ENV: expected production, development or test, got {settings.app_env!r}")
    _check_timezone(settings.default_timezone)
    _check_clock_time("DAILY_QUESTION_TIME", settings.daily_question_time)
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?/?", settings.public_base_url):
        raise ConfigError(f"PUBLIC_BASE_URL: expected an http(s) origin, got {settings.public_base_url!r}")
    if settings.twilio_api_url and not re.match(r"^https?://[^/\s]+", settings.twilio_api_url):
        raise ConfigError(f"TWILIO_API_URL: expected an http(s) URL, got {settings.twilio_api_url!r}")
    _check_database_url(settings.database_url)
    _check_encryption_key(settings.encryption_key)
    warnings = list(settings.warnings)
    if settings.is_production:
        _require_production(settings)
    else:
        warnings += _development_warnings(settings)
    database_url = settings.database_url or f"sqlite:///{settings.var_dir / 'trustbuilder.db'}"
    return replace(settings, database_url=database_url, public_base_url=settings.public_base_url.rstrip("/"),
                   warnings=tuple(warnings))


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"DEFAULT_TIMEZONE: unknown time zone {name!r}") from None


def _check_database_url(url: str) -> None:
    if not url:
        return
    try:
        make_url(url)
    except ArgumentError:
        raise ConfigError("DATABASE_URL: not a database URL (e.g. postgresql+psycopg://user:pass@host/db)") from None


def _check_encryption_key(keys: str) -> None:
    for key in filter(None, (k.strip() for k in keys.split(","))):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError("ENCRYPTION_KEY: not a valid Fernet key (32 url-safe base64 bytes)") from None


def _check_clock_time(env: str, value: str) -> None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{env}: expected HH:MM, got {value!r}")


def _require_production(settings: Settings) -> None:
    """Production refuses to start without the settings that keep people's data safe."""
    if not settings.alexa_verify:
        raise ConfigError("ALEXA_VERIFY: false is allowed only with APP_ENV=development")
    if not settings.encryption_key:
        raise ConfigError("ENCRYPTION_KEY: required in production (generate one with "
                          "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')")
    if not settings.twilio_configured:
        raise ConfigError("TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN / TWILIO_FROM_NUMBER or "
                          "TWILIO_MESSAGING_SERVICE_SID: required in production")
    if not settings.alexa_skill_id:
        raise ConfigError("ALEXA_SKILL_ID: required in production")
    if not settings.database_url:
        raise ConfigError("DATABASE_URL: required in production")


def _development_warnings(settings: Settings) -> list[str]:
    """The loud start-up lines that say what a development run does not do."""
    warnings = []
    if not settings.twilio_configured:
        warnings.append("NO TWILIO CREDENTIALS: texts are NOT SENT; they go to the local outbox (database + log)")
    if not settings.alexa_verify:
        warnings.append("ALEXA_VERIFY=false: Alexa requests are NOT verified; never expose this server")
    if not settings.encryption_key:
        warnings.append(f"ENCRYPTION_KEY not set: using a development key in {settings.var_dir}")
    return warnings
