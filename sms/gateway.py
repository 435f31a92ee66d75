"""SMS gateways: Twilio's Messages API in production, a logging outbox when no credentials are set."""
import logging
import uuid
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.phones import mask_phone
from core.ports import SendError, SendReceipt

log = logging.getLogger(__name__)


def is_retryable_status(status: int | None) -> bool:
    """Say whether Twilio may accept the same request later (rate limit or server trouble)."""
    return status is not None and (status == 429 or status >= 500)


class RebasedHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that sends every request to `base_url` instead of *.twilio.com."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self.scheme, self.netloc = parts.scheme, parts.netloc
        # The target is named explicitly (a local fake or stub), so proxy variables must not reroute it.
        self.session.trust_env = False

    def request(self, method, url, *args, **kwargs):
        """Swap scheme and host, keep the API path and query, then send as usual."""
        parts = urlsplit(url)
        rebased = urlunsplit((self.scheme, self.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, rebased, *args, **kwargs)


def build_http_client(api_url: str | None, timeout: float) -> TwilioHttpClient:
    """Build the HTTP client: a deadline on every call and no adapter-level retries."""
    # max_retries=0: the dispatcher owns retries and backoff; a hidden retry here would double them.
    options = {"timeout": timeout, "max_retries": 0}
    if api_url:
        return RebasedHttpClient(api_url.rstrip("/"), **options)
    return TwilioHttpClient(**options)


class TwilioGateway:
    """Sends texts through Twilio's Messages API with the official client."""

    delivers = True

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str | None = None,
                 messaging_service_sid: str | None = None, api_url: str | None = None,
                 timeout: float = 5.0):
        if not (from_number or messaging_service_sid):
            raise ValueError("TwilioGateway needs from_number or messaging_service_sid")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.http_client = build_http_client(api_url, timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http_client)

    def sender(self) -> dict:
        """Name exactly one sender; a Messaging Service wins because it picks from a pool."""
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendReceipt:
        """Hand one text to Twilio; raise SendError saying whether a retry may help."""
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **self.sender(), **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise refused(exc, to) from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            log.warning("Twilio unreachable sending to %s: %s", mask_phone(to), type(exc).__name__)
            raise SendError(f"Twilio unreachable: {type(exc).__name__}", retryable=True,
                            ambiguous=_may_have_arrived(exc)) from exc
        return SendReceipt(sid=message.sid, status=message.status or "queued")

    def close(self) -> None:
        """Release the pooled HTTP connections."""
        if self.http_client.session is not None:
            self.http_client.session.close()


def refused(exc: TwilioRestException | TwilioServiceException, to: str) -> SendError:
    """Turn Twilio's refusal into a SendError, keeping its error code."""
    # twilio falls back to the HTTP status when the body has no code; that is not a Twilio error code.
    code = exc.code if exc.code != exc.status else None
    retryable = is_retryable_status(exc.status)
    # Twilio's own message often quotes the number, so only status and code are kept.
    log.warning("Twilio refused text to %s: HTTP %s code %s", mask_phone(to), exc.status, code)
    return SendError(f"Twilio refused the text (HTTP {exc.status}, code {code})",
                     code=code, http_status=exc.status, retryable=retryable)


def _may_have_arrived(error: requests.RequestException) -> bool:
    """A read timeout means the request was written and its answer never came: Twilio may have the text.
    A connect timeout or a refused connection means it never left."""
    return isinstance(error, requests.ReadTimeout) or (
        isinstance(error, requests.ConnectionError) and not isinstance(error, requests.ConnectTimeout)
        and "NewConnectionError" not in repr(error) and "Connection refused" not in repr(error))


class OutboxGateway:
    """Development stand-in without Twilio credentials: logs the text and sends nothing."""

    delivers = False

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendReceipt:
        """Log that the text stayed here (its outbox id and length, never its words) and return a receipt."""
        sid = f"OUTBOX-{uuid.uuid4().hex}"
        log.warning("NOT SENT (no Twilio credentials) to %s: %s, %d characters", mask_phone(to), sid, len(body))
        return SendReceipt(sid=sid, status="outbox")


def gateway_for(settings) -> "TwilioGateway | OutboxGateway":
    """Twilio when credentials are configured, else the local outbox (development only)."""
    if not settings.twilio_configured:
        return OutboxGateway()
    return TwilioGateway(settings.twilio_account_sid, settings.twilio_auth_token,
                         from_number=settings.twilio_from_number or None,
                         messaging_service_sid=settings.twilio_messaging_service_sid or None,
                         api_url=settings.twilio_api_url or None, timeout=settings.twilio_timeout_seconds)
