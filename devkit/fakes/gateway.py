"""A recording SMS gateway for unit tests (the real twilio client is tested against FakeTwilio)."""
import itertools
import threading

from core.ports import SendError, SendReceipt


class RecordingGateway:
    """Accepts every text and remembers it; `fail_with` makes the next sends raise."""

    delivers = True

    def __init__(self):
        self.sent: list[dict] = []
        self.fail_with: list[SendError] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, to, body, *, status_callback=None):
        with self._lock:
            if self.fail_with:
                raise self.fail_with.pop(0)
            sid = f"SM{next(self._ids):032x}"
            self.sent.append({"to": to, "body": body, "sid": sid, "status_callback": status_callback})
            return SendReceipt(sid=sid, status="queued")

    def bodies_to(self, phone: str) -> list[str]:
        """Every body sent to `phone`, in order."""
        return [m["body"] for m in self.sent if m["to"] == phone]
