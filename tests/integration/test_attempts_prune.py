"""Failed attempts are pruned daily from the command line, and a limit in force stays in force."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from memberclub.access.attempts import LOGIN, attempt_failed, attempts_blocked
from memberclub.access.models import FailedAttempt
from memberclub.cli.main import main

pytestmark = pytest.mark.django_db
IP = "198.51.100.7"


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _prune(capsys, as_of: str) -> tuple[int, dict]:
    status = main(["memberclub", "attempts", "prune", "--as-of", as_of, "--json"])
    return status, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _fail(ident: str, times: int, ago: dt.timedelta) -> None:
    for _ in range(times):
        attempt_failed(scope=LOGIN, ident=ident, ip=IP)
    FailedAttempt.objects.filter(at__gt=timezone.now() - dt.timedelta(seconds=5)).update(
        at=timezone.now() - ago
    )


def test_prune_deletes_the_attempts_of_past_days_and_keeps_a_limit_in_force(capsys):
    _fail("MC0000000001", 5, ago=dt.timedelta(days=2))
    _fail("MC0000000002", 5, ago=dt.timedelta(minutes=1))
    today = timezone.localdate().isoformat()

    status, result = _prune(capsys, today)

    assert status == 0
    assert result["deleted"] == 10  # five per ID and five per IP, two days old
    assert FailedAttempt.objects.count() == 10
    assert attempts_blocked(scope=LOGIN, ident="MC0000000002", ip="203.0.113.1")
    assert _prune(capsys, today)[1]["deleted"] == 0


def test_a_date_in_the_future_does_not_lift_a_limit_in_force(capsys):
    _fail("MC0000000002", 5, ago=dt.timedelta(minutes=1))
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    status, result = _prune(capsys, later)

    assert status == 0
    assert result["deleted"] == 0
    assert attempts_blocked(scope=LOGIN, ident="MC0000000002", ip="203.0.113.1")


def test_prune_without_a_valid_date_is_refused(capsys):
    status, result = _prune(capsys, "2026-13-01")

    assert status == 2
    assert "not a date" in result["error"]
