"""Operators drive the ledger from the command line: JSON last, exit 0, 2 or 1."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from memberclub.cli.main import main
from memberclub.programs.models import ProgramVersion
from tests.conftest import PROGRAM_FILES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    lines = capsys.readouterr().out.strip().splitlines()
    return status, json.loads(lines[-1])


def test_programs_load_reports_each_version_and_a_reload_adds_none(capsys, db):
    files = [str(path) for path in PROGRAM_FILES]

    status, first = _run(capsys, "programs", "load", *files)
    _, again = _run(capsys, "programs", "load", *files)

    assert status == 0
    assert first == {
        "loaded": [
            {"program": "east", "version": 1, "effective_on": "2000-04-01"},
            {"program": "west", "version": 1, "effective_on": "2000-04-01"},
        ]
    }
    assert again == first
    assert ProgramVersion.objects.count() == 2


def test_a_changed_program_file_becomes_the_next_version(capsys, db, tmp_path):
    _run(capsys, "programs", "load", str(PROGRAM_FILES[0]))
    changed = tmp_path / "east.toml"
    text = PROGRAM_FILES[0].read_text(encoding="utf-8")
    changed.write_text(
        text.replace("effective_on = 2000-04-01", "effective_on = 2027-04-01").replace(
            "FAMILY = [100,", "FAMILY = [120,"
        ),
        encoding="utf-8",
    )

    _, result = _run(capsys, "programs", "load", str(changed))

    assert result["loaded"] == [{"program": "east", "version": 2, "effective_on": "2027-04-01"}]


def test_a_bad_program_file_is_refused_and_nothing_is_stored(capsys, db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        PROGRAM_FILES[1].read_text(encoding="utf-8").replace("GOLD = 100", "GOLD = 0"),
        encoding="utf-8",
    )

    status, result = _run(capsys, "programs", "load", str(PROGRAM_FILES[0]), str(bad))

    assert status == 2
    assert "bad.toml: line" in result["error"]
    assert "GOLD" in result["error"]
    assert ProgramVersion.objects.count() == 0


def test_points_adjust_and_show_through_the_cli(capsys, make_member):
    customer = make_member().contract.customer_id

    status, credit = _run(
        capsys, "points", "adjust", customer, "--points", "500", "--on", "2026-11-01",
        "--reason", "goodwill", "--key", "t-1",
    )  # fmt: skip
    _, debit = _run(
        capsys, "points", "adjust", customer, "--points", "-200", "--on", "2026-11-02",
        "--reason", "correction", "--key", "t-2",
    )  # fmt: skip
    _, shown = _run(capsys, "points", "show", customer, "--as-of", "2026-11-26")

    assert status == 0
    assert credit["balance"] == 500
    assert debit["balance"] == 300
    assert shown == {
        "customer_id": customer,
        "program": "east",
        "balance": 300,
        "lots": [{"expires_on": "2029-03-31", "remaining": 300}],
    }


def test_an_overdraft_through_the_cli_exits_2_and_changes_nothing(capsys, make_member):
    customer = make_member().contract.customer_id
    _run(capsys, "points", "adjust", customer, "--points", "100", "--on", "2026-11-01",
         "--reason", "r", "--key", "t-1")  # fmt: skip

    status, result = _run(
        capsys, "points", "adjust", customer, "--points", "-101", "--on", "2026-11-01",
        "--reason", "r", "--key", "t-2",
    )  # fmt: skip

    assert status == 2
    assert "insufficient points" in result["error"]
    assert _run(capsys, "points", "show", customer, "--as-of", "2026-11-01")[1]["balance"] == 100


@pytest.mark.parametrize(
    "args",
    [
        ("points", "show", "CAF0000001", "--as-of", "2026-02-30"),
        ("points", "show", "NOSUCH0001"),
        ("points", "adjust", "CAF0000001", "--points", "ten", "--on", "2026-11-01",
         "--reason", "r", "--key", "k"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_json_error(capsys, programs, args):
    status, result = _run(capsys, *args)

    assert status == 2
    assert set(result) == {"error"}


def test_audit_exits_0_with_no_violations(capsys, programs):
    assert _run(capsys, "audit") == (0, {"ok": True, "violations": []})


def test_audit_exits_1_and_lists_each_violation(capsys, make_member):
    customer = make_member().contract.customer_id
    _run(capsys, "points", "adjust", customer, "--points", "100", "--on", "2026-11-01",
         "--reason", "r", "--key", "t-1")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_lot SET granted = granted + 5, remaining = remaining + 5")

    status, result = _run(capsys, "audit")

    assert status == 1
    assert result["ok"] is False
    assert "lot_matches_journal" in {v["check"] for v in result["violations"]}


def test_python_dash_m_memberclub_is_the_same_command():
    done = subprocess.run(
        [sys.executable, "-m", "memberclub", "help", "points"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert done.returncode == 0
    assert "adjust" in done.stdout
