"""Notices and program close killed mid-way, and two workers on one mail queue.

These run the real commands in subprocesses against the test database, so their data is
committed (transactional tests) and cleared afterwards.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from memberclub.domain.program_end import EndDates
from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.models import JobChunk
from memberclub.jobs.notices import notices_run
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.members.models import Member
from memberclub.members.selectors import current_members
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.programs.ending import program_end_schedule
from memberclub.programs.services import programs_load_files
from tests.conftest import PROGRAM_FILES, ROOT
from tests.factories import east_members_bulk
from tests.mail_support import RefusingSmtp
from tests.processes import database_url

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 300
D = dt.date


def _command(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - this interpreter running memberclub
        [sys.executable, "-m", "memberclub", *args, "--json"],
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEMBERCLUB_HOME": str(ROOT),
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after_chunks(process: subprocess.Popen[str], done: int) -> int:
    deadline = time.monotonic() + 120
    while JobChunk.objects.count() < done:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return JobChunk.objects.count()


def _last_json(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return dict(json.loads(out.strip().splitlines()[-1]))


@pytest.fixture
def members(db):
    programs_load_files(paths=PROGRAM_FILES)
    east_members_bulk(MEMBERS, prefix="CAN", mail_opt_in=True)


@pytest.mark.usefixtures("members")
def test_notices_killed_mid_way_and_run_again_queue_exactly_one_per_member():
    killed = _command("notices", "--program", "east", "--month", "2027-02", "--chunk", "1")
    done_before = _kill_after_chunks(killed, MEMBERS // 4)

    rerun = _last_json(
        _command("notices", "--program", "east", "--month", "2027-02", "--chunk", "1")
    )

    assert 0 < done_before < MEMBERS
    assert rerun["queued"] == MEMBERS - done_before
    per_member = Counter(NoticeMail.objects.values_list("member_id", "kind"))
    assert len(per_member) == MEMBERS and set(per_member.values()) == {1}


@pytest.mark.usefixtures("members")
def test_program_close_killed_mid_way_and_run_again_forfeits_once_per_account():
    accrual_run(program="east", month=D(2026, 11, 1))
    JobChunk.objects.all().delete()
    program_end_schedule(
        program="east",
        dates=EndDates(D(2026, 12, 1), D(2026, 12, 1), D(2026, 11, 1), D(2027, 1, 31)),
        by="test",
    )
    close = ("program", "close", "--program", "east", "--as-of", "2027-01-31", "--chunk", "1")
    done_before = _kill_after_chunks(_command(*close), MEMBERS // 4)

    rerun = _last_json(_command(*close))

    assert 0 < done_before < MEMBERS
    assert rerun["accounts"] == MEMBERS - done_before
    forfeits = Entry.objects.filter(kind=EntryKind.FORFEIT)
    assert forfeits.count() == MEMBERS
    assert forfeits.values("account").distinct().count() == MEMBERS
    assert set(forfeits.values_list("points", flat=True)) == {-500}
    assert not Lot.objects.filter(remaining__gt=0).exists()
    assert not current_members(Member.objects.all()).exists()
    assert ledger_audit().ok


@pytest.mark.usefixtures("members")
def test_two_workers_on_one_queue_send_each_notice_once():
    notices_run(program="east", month=D(2026, 11, 1))
    with RefusingSmtp() as smtp:
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "NOTICE_MAIL_BATCH": "10"}
        workers = [_command("worker", "--batch", env=env) for _ in range(2)]
        for worker in workers:
            _last_json(worker)

    sent = Counter(smtp.recipients())
    assert len(sent) == MEMBERS and set(sent.values()) == {1}
    assert set(NoticeMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
