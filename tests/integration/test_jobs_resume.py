"""A run killed at any point, or raced by a second worker, still grants exactly once per account.

These tests run the real command in subprocesses against the test database, so the data they
need is committed (transactional tests) and cleared afterwards.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from memberclub.jobs.models import JobChunk
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Account, Entry, Lot
from memberclub.programs.services import programs_load_files
from tests.conftest import PROGRAM_FILES, ROOT
from tests.factories import east_members_bulk
from tests.processes import database_url

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 400
D = dt.date


def _accrue(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - this interpreter running memberclub
        [sys.executable, "-m", "memberclub", "accrue", "--program", "east", "--month", "2026-11",
         "--json", *options],
        env={**os.environ, "DATABASE_URL": database_url(), "MEMBERCLUB_HOME": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wait_for_chunks(process: subprocess.Popen[str], done: int) -> None:
    deadline = time.monotonic() + 120
    while JobChunk.objects.count() < done:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)


def _assert_one_grant_per_account() -> None:
    grants = Entry.objects.filter(rule="monthly", period="2026-11")
    assert grants.count() == MEMBERS
    assert grants.values("account").distinct().count() == MEMBERS
    assert set(Lot.objects.values_list("granted", "remaining").distinct()) == {(500, 500)}
    assert ledger_audit().ok


@pytest.fixture
def eligible_members(db):
    programs_load_files(paths=PROGRAM_FILES)
    east_members_bulk(MEMBERS, prefix="CAK")


@pytest.mark.usefixtures("eligible_members")
def test_a_run_killed_mid_way_and_run_again_grants_exactly_once_per_account():
    killed = _accrue("--chunk", "1")
    _wait_for_chunks(killed, MEMBERS // 4)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    done_before = JobChunk.objects.count()

    rerun = _accrue("--chunk", "1")
    out, err = rerun.communicate(timeout=300)

    assert killed.returncode == -signal.SIGKILL
    assert 0 < done_before < MEMBERS
    assert rerun.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    # The rerun grants what the killed run had not: nothing twice, nothing missing.
    assert result["accounts"] == MEMBERS - done_before
    assert Entry.objects.count() == MEMBERS
    _assert_one_grant_per_account()


@pytest.mark.usefixtures("eligible_members")
def test_two_workers_racing_on_the_same_month_grant_each_account_once():
    first = _accrue("--chunk", "7")
    second = _accrue("--chunk", "7")
    outputs = [process.communicate(timeout=300) for process in (first, second)]

    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(result["accounts"] for result in results) == MEMBERS
    assert sum(result["points"] for result in results) == MEMBERS * 500
    _assert_one_grant_per_account()


@pytest.mark.usefixtures("eligible_members")
def test_a_run_whose_chunks_overlap_an_earlier_runs_grants_only_the_accounts_left():
    # The first run covers some accounts in chunks of 7; the second, in chunks of 50, meets
    # their keys inside its chunks and grants only the others.
    keys = sorted(Account.objects.values_list("pk", flat=True))
    some = _accrue("--chunk", "7", "--accounts", f"{keys[0]}-{keys[MEMBERS // 3]}")
    out_some, err_some = some.communicate(timeout=300)
    rest = _accrue("--chunk", "50")
    out_rest, err_rest = rest.communicate(timeout=300)

    assert (some.returncode, rest.returncode) == (0, 0), (err_some, err_rest)
    first = json.loads(out_some.strip().splitlines()[-1])
    second = json.loads(out_rest.strip().splitlines()[-1])
    assert first["accounts"] == MEMBERS // 3 + 1
    assert second["accounts"] == MEMBERS - first["accounts"]
    _assert_one_grant_per_account()
