"""A console over a fresh SQLite file, started on a fixed Monday morning, with an explicit environment."""
import pytest

from console.build import open_world
from console.commands import execute
from console.session import Console
from tests.conftest import TEST_KEY

START = "2026-11-23 09:00"  # a Monday, America/New_York
ENVIRON = {"DEFAULT_TIMEZONE": "America/New_York", "ENCRYPTION_KEY": TEST_KEY}


@pytest.fixture
def world(tmp_path):
    built = open_world(tmp_path / "console.db", fresh=True, start=START, environ=dict(ENVIRON))
    yield built
    built.close()


@pytest.fixture
def console(world):
    return Console(world)


def run(console, *lines):
    """Run lines and return all printed lines of the last one."""
    reply = None
    for line in lines:
        reply = execute(console, line)
    return reply.lines
