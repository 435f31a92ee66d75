"""The Alexa Settings API: a device's time zone, asked with a short timeout and remembered briefly.

The envelope names the API's origin (`context.System.apiEndpoint`) and we send it the request's bearer
token, so an envelope that is not Amazon's (verification off in development, or a bug) must not make us
call, and hand a token to, any host it likes: only the documented Alexa API hosts over https are called
(ALEXA_API_HOSTS), in every mode. The one exception is development's ALEXA_API_URL, a local fake that then
receives every call instead (the console and tests)."""
import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

log = logging.getLogger("trustbuilder.alexa")
CONNECT_TIMEOUT = 1.0  # connect + read stay within Alexa's 2-second budget for calls we make
READ_TIMEOUT = 1.0
KEEP_ZONE_SECONDS = 10 * 60
KEEP_MISS_SECONDS = 60  # a failing API is not asked again on every request
MAX_DEVICES = 10_000
#: The Alexa API origins Amazon documents (North America, Europe, Far East); nothing else is ever called.
ALEXA_API_HOSTS = frozenset({"api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"})


def api_origin(api_endpoint: str | None, override: str | None = None) -> str | None:
    """The origin to call for an envelope's apiEndpoint: `override` (development's ALEXA_API_URL) when set,
    else the endpoint itself if it is exactly https://<a documented Alexa API host>, else None."""
    if override:
        return override.rstrip("/")
    try:
        parts = urlsplit(api_endpoint or "")
        port = parts.port
    except ValueError:
        return None
    if (parts.scheme != "https" or parts.hostname not in ALEXA_API_HOSTS or port not in (None, 443)
            or parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        return None
    return f"https://{parts.hostname}"


class SettingsApi:
    """Looks up `System.timeZone` per device; None on any failure, so callers fall back to the couple's zone."""

    def __init__(self, get: Callable = requests.get, clock: Callable[[], float] = time.monotonic,
                 api_url: str | None = None):
        self._get, self._api_url = get, api_url
        self._clock = clock
        self._cache: dict[str, tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def timezone(self, api_endpoint: str | None, device_id: str | None, token: str | None) -> str | None:
        """The device's IANA zone, from the cache while fresh, else from the API."""
        if not (api_endpoint and device_id and token):
            return None
        cached = self._cached(device_id)
        if cached is not None:
            return cached[0]
        zone = self._fetch(api_endpoint, device_id, token)
        self._remember(device_id, zone)
        return zone

    def _cached(self, device_id: str) -> tuple[str | None] | None:
        """(zone,) while the remembered answer is fresh, else None."""
        with self._lock:
            entry = self._cache.get(device_id)
            if entry is None or entry[1] <= self._clock():
                return None
            return (entry[0],)

    def _remember(self, device_id: str, zone: str | None) -> None:
        """Keep a zone for minutes and a miss for a minute; forget everything if the cache grows too big."""
        keep = KEEP_ZONE_SECONDS if zone else KEEP_MISS_SECONDS
        with self._lock:
            if len(self._cache) >= MAX_DEVICES:
                self._cache.clear()
            self._cache[device_id] = (zone, self._clock() + keep)

    def _fetch(self, api_endpoint: str, device_id: str, token: str) -> str | None:
        """GET the setting; any error, timeout, empty or unknown zone gives None, and so does an endpoint that
        is not a documented Alexa API host (not called at all)."""
        origin = api_origin(api_endpoint, self._api_url)
        if origin is None:
            log.warning("refused to call an Alexa API endpoint outside %s", ", ".join(sorted(ALEXA_API_HOSTS)))
            return None
        url = f"{origin}/v2/devices/{quote(device_id, safe='')}/settings/System.timeZone"
        try:
            response = self._get(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                                 timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False)
            zone = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as error:
            log.info("device time zone unavailable: %s", type(error).__name__)
            return None
        return zone if _known_zone(zone) else None


def _known_zone(zone: object) -> bool:
    """True for an IANA zone name this machine knows."""
    if not isinstance(zone, str) or not zone:
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
