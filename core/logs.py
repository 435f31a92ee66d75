"""Structured logs: one JSON object per line, with the request id of the request being served.

Services never pass check-in text or full phone numbers to the logger (numbers go through
core.phones.mask_phone), so nothing intimate reaches the log files.
"""
import json
import logging
import os
import re
import time
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
#: Terminal colour codes (werkzeug colours its request lines when stderr is a terminal): never in a JSON line.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class JsonFormatter(logging.Formatter):
    """`{"ts": ..., "level": ..., "logger": ..., "request_id": ..., "msg": ...}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                 "level": record.levelname, "logger": record.name, "request_id": request_id.get(),
                 "msg": ANSI.sub("", record.getMessage())}
        if record.exc_info:
            entry["exc"] = ANSI.sub("", self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


#: Set by dev.py for its scheduler child: the web process has already printed the loud start-up warnings.
WARNED = "TRUSTBUILDER_START_UP_WARNED"


def _not_a_start_up_warning(record: logging.LogRecord) -> bool:
    return not (record.name == "trustbuilder" and str(record.msg).startswith("*** "))


def configure(level: int = logging.INFO, json_lines: bool = True) -> None:
    """Install the formatter on the root logger once (the web app and the scheduler both call this)."""
    root = logging.getLogger()
    if any(getattr(h, "_trustbuilder", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._trustbuilder = True
    if os.environ.get(WARNED):
        handler.addFilter(_not_a_start_up_warning)
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
