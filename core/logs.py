"""Structured logs: one JSON object per line, with the request id of the request being served.

Services never pass check-in text or full phone numbers to the logger (numbers go through
core.phones.mask_phone), so nothing intimate reaches the log files.
"""
import json
import logging
import time
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class JsonFormatter(logging.Formatter):
    """`{"ts": ..., "level": ..., "logger": ..., "request_id": ..., "msg": ...}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                 "level": record.levelname, "logger": record.name, "request_id": request_id.get(),
                 "msg": record.getMessage()}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO, json_lines: bool = True) -> None:
    """Install the formatter on the root logger once (the web app and the scheduler both call this)."""
    root = logging.getLogger()
    if any(getattr(h, "_trustbuilder", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._trustbuilder = True
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
