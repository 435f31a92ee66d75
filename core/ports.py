"""Ports: the outside things core talks to, as small interfaces (the adapters implement them)."""
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SendReceipt:
    """What a gateway returns for a text it accepted: the provider's id and first status."""

    sid: str
    status: str = "queued"


class SendError(Exception):
    """A text the gateway could not hand over; `retryable` says whether trying later may work, `ambiguous`
    that the request may have reached the provider anyway (so sending again could text someone twice)."""

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None,
                 retryable: bool = False, ambiguous: bool = False):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.retryable = retryable
        self.ambiguous = ambiguous


class SmsGateway(Protocol):
    """Hands one text to an SMS provider (Twilio in production, a local outbox in development)."""

    #: False for the local outbox: nothing leaves the machine, so nothing may be marked sent.
    delivers: bool

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendReceipt:
        """Send `body` to the E.164 number `to`; raise SendError when it is refused."""
        ...
