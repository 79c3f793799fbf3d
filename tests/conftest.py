"""Fixtures shared by every test: loaded programs and factories for contracts and members."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings

# The tests speak plain HTTP, in this process and to the servers they start: the switches
# that INSECURE_HTTP=1 turns off (settings were read before this file).
os.environ.setdefault("INSECURE_HTTP", "1")
settings.INSECURE_HTTP = True
settings.SECURE_SSL_REDIRECT = False
settings.SECURE_HSTS_SECONDS = 0
settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
settings.LANGUAGE_COOKIE_SECURE = False

ROOT = Path(__file__).resolve().parent.parent
PROGRAM_FILES = [ROOT / "programs" / "east.toml", ROOT / "programs" / "west.toml"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no API requests counted against this process's limits."""
    from memberclub.api.ratelimit import ratelimits_reset

    ratelimits_reset()


@pytest.fixture
def programs(db):
    """Both shipped programs, loaded as they are in production."""
    from memberclub.programs.services import programs_load_files

    return programs_load_files(paths=PROGRAM_FILES)


@pytest.fixture
def make_contract(programs):
    """Create a contract; keyword arguments override the defaults."""
    from tests.factories import contract_create

    return contract_create


@pytest.fixture
def make_member(programs):
    """Create a contract and a member on it; keyword arguments go to the contract."""
    from tests.factories import member_with_contract

    return member_with_contract


@pytest.fixture
def day():
    """Build a date briefly: day(2026, 4, 1)."""
    return dt.date
