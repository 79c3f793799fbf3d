"""The journal summary stays equal to the journal under concurrent redemptions, batch chunks
and a job killed mid-way (these tests commit, as the real writers do)."""

import json
import signal

import pytest
from django.db import connection

from memberclub.jobs.models import JobChunk
from memberclub.ledger.models import Entry
from memberclub.programs.services import programs_load_files
from memberclub.reports.audit import summary_audit
from memberclub.reports.models import EntrySummary, LotFlow
from memberclub.reports.selectors import outstanding_by_expiry
from memberclub.rewards.services import RedemptionOutcome
from tests.concurrency import at_once
from tests.conftest import PROGRAM_FILES
from tests.factories import east_members_bulk
from tests.integration.test_jobs_resume import MEMBERS, _accrue, _wait_for_chunks
from tests.rewards_support import TODAY, give, load_catalogs, redeem

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_redemptions_are_all_counted_in_the_summary(make_member):
    load_catalogs()
    members = [make_member() for _ in range(8)]
    for member in members:
        give(member, 10_000)

    results = at_once(8, lambda i: redeem(members[i], "E-RICE-5KG", key=f"race-{i}"))

    assert all(isinstance(r, RedemptionOutcome) for r in results)
    redeemed = EntrySummary.objects.filter(kind="REDEEM", on=TODAY)
    assert sum(row.points for row in redeemed) == -8 * 3000
    assert sum(row.entries for row in redeemed) == 8
    assert summary_audit() == []
    total = sum(row.points for row in outstanding_by_expiry(program="east", as_of=TODAY))
    assert total == 8 * 7000


@pytest.fixture
def eligible_members(db):
    programs_load_files(paths=PROGRAM_FILES)
    east_members_bulk(MEMBERS, prefix="CAK")


@pytest.mark.usefixtures("eligible_members")
def test_a_batch_adds_one_summary_row_per_chunk_not_per_entry():
    run = _accrue("--chunk", "50")
    _, err = run.communicate(timeout=300)

    assert run.returncode == 0, err
    rows = EntrySummary.objects.filter(kind="GRANT", rule="monthly").count()
    # PostgreSQL appends one delta per statement (chunk); SQLite folds them into one row.
    assert rows == (MEMBERS // 50 if connection.vendor == "postgresql" else 1)
    assert LotFlow.objects.filter(kind="GRANT").count() == rows
    assert summary_audit() == []


@pytest.mark.usefixtures("eligible_members")
def test_a_job_killed_mid_way_leaves_the_summary_equal_to_the_journal():
    killed = _accrue("--chunk", "1")
    _wait_for_chunks(killed, MEMBERS // 4)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert 0 < JobChunk.objects.count() < MEMBERS
    assert summary_audit() == []

    rerun = _accrue("--chunk", "1")
    out, err = rerun.communicate(timeout=300)

    assert rerun.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["accounts"] > 0
    assert summary_audit() == []
    granted = sum(row.points for row in EntrySummary.objects.filter(kind="GRANT"))
    assert granted == sum(Entry.objects.values_list("points", flat=True)) == MEMBERS * 500
