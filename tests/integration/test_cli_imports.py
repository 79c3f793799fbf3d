"""`memberclub contracts import` and `members import`: a summary, JSON last, exit 0 or 2."""

import io
import json
from pathlib import Path

import pytest

from memberclub.cli.main import main
from memberclub.cli.reports import file_progress
from memberclub.contracts.models import Contract
from memberclub.domain.rows import CONTRACT_COLUMNS, MEMBER_COLUMNS
from memberclub.members.models import Member

pytestmark = pytest.mark.django_db
CONTRACT = (
    "{id},KEY-{id},east,FAMILY,山田 太郎,INDIVIDUAL,03-1234-5678,100-0001,東京都千代田区1-1,"
    "2020-04-01,ACTIVE,,NINEN_WARI,2020-04-01,,192.0.2.0/24"
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def run(capsys, *args: str) -> tuple[int, list[str], dict]:
    status = main(["memberclub", *args, "--json"])
    lines = capsys.readouterr().out.strip().splitlines()
    return status, lines, json.loads(lines[-1])


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def contracts_file(tmp_path: Path, *rows: str, encoding: str = "utf-8") -> str:
    return write(tmp_path, "contracts.csv", [",".join(CONTRACT_COLUMNS), *rows], encoding)


def test_contracts_import_prints_a_summary_then_the_json_result(programs, capsys, tmp_path):
    path = contracts_file(
        tmp_path, CONTRACT.format(id="CAF0000001"), CONTRACT.format(id="caf2"), "CAF3,short"
    )

    status, lines, result = run(capsys, "contracts", "import", path)

    assert status == 0
    assert lines[0] == "created 1, updated 0, unchanged 0, rejected 2"
    assert result["created"] == 1
    assert [item["line"] for item in result["rejected"]] == [3, 4]
    assert result["rejected"][1]["reason"] == "expected 16 fields, found 2"


def test_contracts_import_run_twice_reports_everything_unchanged(programs, capsys, tmp_path):
    path = contracts_file(tmp_path, CONTRACT.format(id="CAF0000001"))
    run(capsys, "contracts", "import", path)

    status, _, result = run(capsys, "contracts", "import", path)

    assert (status, result) == (0, {"created": 0, "updated": 0, "unchanged": 1, "rejected": []})


def test_contracts_import_reads_shift_jis_with_the_encoding_option(programs, capsys, tmp_path):
    path = contracts_file(tmp_path, CONTRACT.format(id="CAF0000001"), encoding="cp932")

    status, _, result = run(capsys, "contracts", "import", path, "--encoding", "cp932")

    assert (status, result["created"]) == (0, 1)
    assert Contract.objects.get().holder_name == "山田 太郎"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("header", "line 1: column 2 is 'key'"),
        ("empty", "the file is empty"),
        ("missing", "cannot read"),
        ("encoding", "unknown encoding 'ebcdic'"),
    ],
)
def test_a_file_the_import_cannot_read_exits_2_and_changes_nothing(
    programs, capsys, tmp_path, setup, message
):
    path = contracts_file(tmp_path, CONTRACT.format(id="CAF0000001"))
    extra = ["--encoding", "ebcdic"] if setup == "encoding" else []
    if setup == "header":
        write(tmp_path, "contracts.csv", ["customer_id,key", "CAF0000001,K"])
    elif setup == "empty":
        Path(path).write_bytes(b"")
    elif setup == "missing":
        path = str(tmp_path / "absent.csv")

    status, _, result = run(capsys, "contracts", "import", path, *extra)

    assert status == 2
    assert message in result["error"]
    assert not Contract.objects.exists()


def test_members_import_creates_members_and_reports_bad_rows(programs, capsys, tmp_path):
    contracts = contracts_file(tmp_path, CONTRACT.format(id="CAF0000001"))
    run(capsys, "contracts", "import", contracts)
    members = write(
        tmp_path,
        "members.csv",
        [
            ",".join(MEMBER_COLUMNS),
            "CAF0000001,taro@example.com,たろう,2021-01-01,true,ja",
            "CAF0000002,hana@example.com,はな,2021-01-01,true,ja",
        ],
    )

    status, lines, result = run(capsys, "members", "import", members)

    assert status == 0
    assert lines[0] == "created 1, updated 0, unchanged 0, rejected 1"
    assert result["rejected"] == [{"line": 3, "reason": "no contract with customer_id CAF0000002"}]
    assert Member.objects.get().email == "taro@example.com"


def test_members_import_with_a_bad_header_exits_2(programs, capsys, tmp_path):
    members = write(tmp_path, "members.csv", ["customer_id,email"])

    status, _, result = run(capsys, "members", "import", members)

    assert status == 2
    assert "line 1" in result["error"]


class Terminal(io.StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_only_on_a_terminal():
    with file_progress("importing", io.StringIO()) as quiet:
        assert quiet is None
    terminal = Terminal()
    with file_progress("importing", terminal) as progress:
        assert progress is not None
        progress(50, 100)
        progress(100, 100)
    assert terminal.getvalue()
