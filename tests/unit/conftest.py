"""Fixtures for the storage-level unit tests: every test that uses `runtime` runs on SQLite and, where
TEST_DATABASE_URL is set, on PostgreSQL; a couple, Alex and Sam, in Los Angeles."""
import pytest

from core.runtime import open_runtime
from core.services import couples
from tests.conftest import make_settings, migrated_sqlite

LA = "America/Los_Angeles"


@pytest.fixture
def runtime(tmp_path, database_url, gateway, clock):
    """The conftest runtime, on SQLite and on PostgreSQL."""
    settings = make_settings(tmp_path, database_url=database_url)
    migrated_sqlite(settings.database_url)
    rt = open_runtime(settings, gateway, clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def alex(session, clock):
    """Alex, who joined by text."""
    return couples.create_couple(session, "Alex", "+14155550100", clock(), LA)


@pytest.fixture
def sam(session, alex, clock):
    """Sam, invited by Alex, who said YES."""
    partner = couples.invite_partner(session, alex, "+14155550132", "Sam", clock())
    couples.accept_invite(session, partner, clock())
    return partner
