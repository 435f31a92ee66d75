"""Every Alexa API call the skill and the scheduler make, written once: the Settings API (a device's time zone,
remembered briefly), the Reminders API (an Echo reminder for a promise), the Person Profile API (a recognised
speaker's given name and mobile number), and, from the scheduler with the skill's messaging credentials,
Proactive Events ("your partner answered") and Skill Messaging (wake the skill to update an Echo reminder).
Every call has a short timeout (under Alexa's 2-second budget) and returns an `Answer`, never raises.

The envelope names the API's origin (`context.System.apiEndpoint`) and we send it the request's bearer
token, so an envelope that is not Amazon's (verification off in development, or a bug) must not make us
call, and hand a token to, any host it likes: only the documented Alexa API hosts over https are called
(ALEXA_API_HOSTS), in every mode. The one exception is development's ALEXA_API_URL, a local fake that then
receives every call instead (the console and tests)."""
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

log = logging.getLogger("trustbuilder.alexa")
CONNECT_TIMEOUT = 0.9  # connect + read stay under Alexa's 2-second budget for calls we make
READ_TIMEOUT = 0.9
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


def api_host(api_endpoint: str | None, override: str | None = None) -> str | None:
    """The documented Alexa API host an envelope's apiEndpoint names (kept to reach that account later); with
    development's ALEXA_API_URL any endpoint counts as North America's (the fake answers for every host)."""
    origin = api_origin(api_endpoint)
    if origin is None and override:
        return "api.amazonalexa.com"
    return origin.removeprefix("https://") if origin else None


@dataclass(frozen=True)
class Answer:
    """What an Alexa API said: the HTTP status (None: no answer in time, or a host we refuse) and the JSON."""

    status: int | None
    body: object = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        """401 or 403: the permission is missing or was revoked, or the token is no longer valid."""
        return self.status in (401, 403)


def _call(send: Callable, method: str, url: str, token: str, payload: dict | None = None) -> Answer:
    """One request with the bearer token; any network error or timeout is Answer(None)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        response = send(method, url, headers=headers, json=payload, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                        allow_redirects=False)
    except requests.RequestException as error:
        api = (urlsplit(url).path.split("/") + ["", "", ""])[2]  # "alerts", "persons": never an id
        log.info("Alexa API %s %s: no answer (%s)", method, api, type(error).__name__)
        return Answer(None)
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return Answer(response.status_code, body)


class SettingsApi:
    """The calls made while answering a request, with its apiEndpoint and apiAccessToken: the device's time
    zone (`System.timeZone`, None on any failure, so callers fall back to the couple's zone), reminders and the
    speaker's profile."""

    def __init__(self, get: Callable = requests.get, clock: Callable[[], float] = time.monotonic,
                 api_url: str | None = None, send: Callable = requests.request):
        self._get, self._api_url, self._send = get, api_url, send
        self.api_url = api_url
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


    def call(self, api_endpoint: str | None, method: str, path: str, token: str | None,
             payload: dict | None = None) -> Answer:
        """`method path` on the envelope's API origin (only a documented host, or development's fake)."""
        origin = api_origin(api_endpoint, self._api_url)
        if origin is None or not token:
            log.warning("refused to call an Alexa API endpoint outside %s", ", ".join(sorted(ALEXA_API_HOSTS)))
            return Answer(None)
        return _call(self._send, method, origin + path, token, payload)

    def create_reminder(self, api_endpoint, token, reminder: dict) -> Answer:
        """POST a reminder; 201 carries its `alertToken`."""
        return self.call(api_endpoint, "POST", "/v1/alerts/reminders", token, reminder)

    def update_reminder(self, api_endpoint, token, alert_token: str, reminder: dict) -> Answer:
        """PUT a reminder's new time."""
        return self.call(api_endpoint, "PUT", f"/v1/alerts/reminders/{quote(alert_token, safe='')}", token, reminder)

    def delete_reminder(self, api_endpoint, token, alert_token: str) -> Answer:
        """DELETE a reminder (404: the person already deleted it)."""
        return self.call(api_endpoint, "DELETE", f"/v1/alerts/reminders/{quote(alert_token, safe='')}", token)

    def profile(self, api_endpoint, token) -> tuple[Answer, Answer]:
        """The recognised speaker's given name and mobile number (Person Profile API)."""
        return (self.call(api_endpoint, "GET", "/v2/persons/~current/profile/givenName", token),
                self.call(api_endpoint, "GET", "/v2/persons/~current/profile/mobileNumber", token))


#: The Settings API client grew into the client of every in-request Alexa API call.
AlexaApi = SettingsApi


def reminder_body(words: str, remind_at: datetime, tz: str, now: datetime, locale: str = "en-US") -> dict:
    """A one-time reminder at `remind_at` (UTC), as wall-clock time in the device's zone `tz`."""
    wall = remind_at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    return {"requestTime": _iso(now), "trigger": {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": wall.isoformat(
        timespec="seconds"), "timeZoneId": tz}, "alertInfo": {"spokenInfo": {"content": [
            {"locale": locale, "text": words}]}}, "pushNotification": {"status": "ENABLED"}}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


LWA_URL = "https://api.amazon.com"
EVENTS_SCOPE, MESSAGING_SCOPE = "alexa::proactive_events", "alexa:skill_messaging"
MESSAGE_ALERT = "AMAZON.MessageAlert.Activated"


class AlexaMessaging:
    """The scheduler's calls, with a Login with Amazon token for the skill's messaging credentials (client
    credentials grant, cached until shortly before it expires): proactive events and skill messages."""

    def __init__(self, client_id: str, client_secret: str, *, stage: str = "development", api_url: str | None = None,
                 lwa_url: str | None = None, send: Callable = requests.request,
                 clock: Callable[[], float] = time.monotonic):
        self._id, self._secret, self._stage = client_id, client_secret, stage
        self._api_url, self._lwa = api_url, (lwa_url or LWA_URL).rstrip("/")
        self._send, self._clock, self._tokens = send, clock, {}

    @classmethod
    def from_settings(cls, settings, **options) -> "AlexaMessaging | None":
        """None without ALEXA_CLIENT_ID/SECRET: the scheduler then sends nothing to Alexa."""
        if not (settings.alexa_client_id and settings.alexa_client_secret):
            return None
        return cls(settings.alexa_client_id, settings.alexa_client_secret, stage=settings.alexa_events_stage,
                   api_url=settings.alexa_api_url or None, lwa_url=settings.alexa_lwa_url or None, **options)

    def token(self, scope: str) -> str | None:
        """A bearer token for `scope`, from the cache or Login with Amazon; None when it is not given."""
        cached = self._tokens.get(scope)
        if cached and cached[1] > self._clock():
            return cached[0]
        form = {"grant_type": "client_credentials", "client_id": self._id, "client_secret": self._secret,
                "scope": scope}
        try:
            response = self._send("POST", f"{self._lwa}/auth/o2/token", data=form,
                                  timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False)
            body = response.json() if response.status_code == 200 else {}
        except (requests.RequestException, ValueError) as error:
            log.info("Login with Amazon gave no token: %s", type(error).__name__)
            return None
        token, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not isinstance(lifetime, int):
            log.warning("Login with Amazon refused the skill's messaging credentials (%s)", response.status_code)
            return None
        self._tokens[scope] = (token, self._clock() + max(lifetime - 60, 0))
        return token

    def _post(self, host: str, path: str, scope: str, payload: dict) -> Answer:
        origin = api_origin(f"https://{host}", self._api_url)
        token = self.token(scope) if origin else None
        if token is None:
            return Answer(None)
        answer = _call(self._send, "POST", origin + path, token, payload)
        if answer.status == 401:
            self._tokens.pop(scope, None)  # revoked early: ask for a new one next time
        return answer

    def partner_answered(self, host: str, user_id: str, reference: str, now: datetime, until: datetime) -> Answer:
        """"You have a new message from Trust Builder" on that account's Echo (202 when accepted)."""
        path = "/v1/proactiveEvents" + ("/stages/development" if self._stage == "development" else "")
        return self._post(host, path, EVENTS_SCOPE, {
            "timestamp": _iso(now), "referenceId": reference, "expiryTime": _iso(until),
            "event": {"name": MESSAGE_ALERT, "payload": {"state": {"status": "UNREAD", "freshness": "NEW"},
                                                         "messageGroup": {"creator": {"name": "Trust Builder"},
                                                                          "count": 1}}},
            "localizedAttributes": [], "relevantAudience": {"type": "Unicast", "payload": {"user": user_id}}})

    def wake(self, host: str, user_id: str, data: dict, lifetime: timedelta = timedelta(hours=1)) -> Answer:
        """A skill message: Alexa sends us Messaging.MessageReceived with a fresh apiAccessToken (202)."""
        return self._post(host, f"/v1/skillmessages/users/{quote(user_id, safe='')}", MESSAGING_SCOPE,
                          {"data": data, "expiresAfterSeconds": int(lifetime.total_seconds())})


def _known_zone(zone: object) -> bool:
    """True for an IANA zone name this machine knows."""
    if not isinstance(zone, str) or not zone:
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
