"""Deprecated: kept only while console/slots.py imports it (its owner moves it to core.time_phrases)."""
from core.time_phrases import split_task_and_time  # noqa: F401
