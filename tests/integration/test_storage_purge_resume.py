"""A purge killed mid-way and run again deletes every file past its date, and nothing else.

The command runs in a subprocess against the test database, so the data is committed
(a transactional test) and cleared afterwards.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from memberclub.members.models import Member
from memberclub.storage.backends import new_key_prefix
from memberclub.storage.models import StoredFile
from tests.conftest import ROOT
from tests.storage_support import database_url, stored_bytes, use_local_storage

pytestmark = pytest.mark.django_db(transaction=True)
FILES = 240


def _files(member: Member, folder: Path, count: int) -> None:
    """Files written as an upload would leave them: an object and its row."""
    rows = []
    for number in range(count):
        key = f"{new_key_prefix()}0"
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
        rows.append(
            StoredFile(
                member=member, name=f"f{number}.txt", size=10, object_key=key,
                uploaded_at=timezone.now(),
            )
        )  # fmt: skip
    StoredFile.objects.bulk_create(rows)


def _purge(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "memberclub", "storage", "purge", "--as-of", "2027-02-01",
         "--chunk", "1", "--json"],
        env={**os.environ, "DATABASE_URL": database_url(), "MEMBERCLUB_HOME": str(ROOT),
             "STORAGE_URL": f"file://{folder}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def test_a_purge_killed_mid_way_and_run_again_deletes_exactly_what_is_due(
    settings, tmp_path, make_member
):
    folder = use_local_storage(settings, tmp_path / "storage")
    former, current = make_member(), make_member()
    Member.objects.filter(pk=former.pk).update(left_on=dt.date(2026, 12, 2))
    _files(former, folder, FILES)
    _files(current, folder, 3)

    killed = _purge(folder)
    deadline = time.monotonic() + 120
    while StoredFile.objects.filter(member=former).count() > FILES * 3 // 4:
        assert killed.poll() is None, killed.communicate()
        assert time.monotonic() < deadline, "the purge made no progress"
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    left_after_kill = StoredFile.objects.filter(member=former).count()

    rerun = _purge(folder)
    out, err = rerun.communicate(timeout=300)
    again = _purge(folder)
    again_out, _ = again.communicate(timeout=300)

    assert killed.returncode == -signal.SIGKILL
    assert 0 < left_after_kill < FILES
    assert rerun.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["files"] == left_after_kill
    assert json.loads(again_out.strip().splitlines()[-1])["files"] == 0
    assert not StoredFile.objects.filter(member=former).exists()
    assert StoredFile.objects.filter(member=current).count() == 3
    assert stored_bytes(folder) == 30
