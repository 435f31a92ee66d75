"""Deprecated: kept only while console/slots.py imports it (its owner moves it to core.local_time)."""
from core.local_time import *  # noqa: F401,F403
