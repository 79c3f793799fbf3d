"""The contract feed: good rows kept, bad rows reported by line, reruns change nothing,
and a feed that ends a contract forfeits points as the program says."""

import datetime as dt
from pathlib import Path

import pytest

from memberclub.contracts import importer
from memberclub.contracts.importer import contracts_import
from memberclub.contracts.keys import access_key_matches
from memberclub.contracts.models import Contract, ContractEvent
from memberclub.domain.errors import Refused
from memberclub.domain.rows import CONTRACT_COLUMNS
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from tests.factories import CONTRACT_ROW, csv_feed, import_counts

pytestmark = pytest.mark.django_db
D = dt.date


def row(customer_id: str, **changes: str) -> dict[str, str]:
    """A valid contract row for a customer, with some values changed."""
    return {**CONTRACT_ROW, "customer_id": customer_id, **changes}


def feed(tmp_path: Path, rows: list[dict[str, str]], *, encoding="utf-8", bom=False) -> Path:
    """Write a contracts CSV file as the operator would send it."""
    return csv_feed(tmp_path, CONTRACT_COLUMNS, rows, encoding=encoding, bom=bom, newline="\r\n")


def test_good_rows_are_kept_and_each_bad_row_is_reported_with_its_line(programs, tmp_path):
    path = feed(
        tmp_path,
        [
            row("CAF0000001"),
            row("CAF0000002", phone="unknown"),
            row("CAF0000003", program="west", plan="BIZ", discount="", discount_started_on=""),
            row("CAF0000004", status="CANCELED"),
        ],
    )

    report = contracts_import(path=path)

    assert report.as_dict() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [
            {"line": 3, "reason": "phone is not a phone number: 'unknown'"},
            {"line": 5, "reason": "status_effective_on is required"},
        ],
    }
    assert set(Contract.objects.values_list("customer_id", flat=True)) == {
        "CAF0000001",
        "CAF0000003",
    }


def test_the_stored_contract_has_the_values_of_its_row(programs, tmp_path):
    contracts_import(path=feed(tmp_path, [row("CAF0000001", discount_ended_on="2022-04-01")]))

    contract = Contract.objects.get(customer_id="CAF0000001")
    assert (contract.program, contract.plan, contract.status) == ("east", "FAMILY", "ACTIVE")
    assert contract.postal_code == "1000001"
    assert contract.service_started_on == D(2020, 4, 1)
    assert contract.discount_ended_on == D(2022, 4, 1)
    assert contract.status_effective_on is None
    assert contract.line_prefixes == "192.0.2.0/24"
    assert "KEY-0001" not in contract.access_key_digest
    assert access_key_matches("CAF0000001", "KEY-0001", contract.access_key_digest)


def test_a_second_run_of_the_same_file_changes_nothing(programs, tmp_path):
    path = feed(tmp_path, [row("CAF0000001"), row("CAF0000002"), row("CAF0000003", phone="?")])
    contracts_import(path=path)
    stamps = dict(Contract.objects.values_list("customer_id", "updated_at"))

    again = contracts_import(path=path)

    assert import_counts(again) == (0, 0, 2, [4])
    assert dict(Contract.objects.values_list("customer_id", "updated_at")) == stamps


def test_a_changed_row_is_counted_as_updated_and_stored(programs, tmp_path):
    contracts_import(path=feed(tmp_path, [row("CAF0000001"), row("CAF0000002")]))

    report = contracts_import(
        path=feed(
            tmp_path,
            [
                row("CAF0000001", address="大阪府大阪市北区1-1", access_key="NEW-KEY"),
                row("CAF0000002"),
            ],
        )
    )

    assert import_counts(report) == (0, 1, 1, [])
    contract = Contract.objects.get(customer_id="CAF0000001")
    assert contract.address == "大阪府大阪市北区1-1"
    assert access_key_matches("CAF0000001", "NEW-KEY", contract.access_key_digest)


def test_a_later_row_for_the_same_customer_replaces_the_earlier(programs, tmp_path):
    path = feed(
        tmp_path,
        [row("CAF0000001", plan="LIGHT"), row("CAF0000002"), row("CAF0000001", plan="MANSION")],
    )

    report = contracts_import(path=path)

    assert import_counts(report) == (2, 0, 0, [])
    assert Contract.objects.get(customer_id="CAF0000001").plan == "MANSION"
    assert import_counts(contracts_import(path=path)) == (0, 0, 2, [])


def test_a_later_row_that_is_rejected_leaves_the_earlier_good_row(programs, tmp_path):
    path = feed(tmp_path, [row("CAF0000001", plan="LIGHT"), row("CAF0000001", plan="??")])

    report = contracts_import(path=path)

    assert import_counts(report) == (1, 0, 0, [3])
    assert Contract.objects.get(customer_id="CAF0000001").plan == "LIGHT"


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 1000])
def test_the_result_does_not_depend_on_where_chunks_end(
    programs, tmp_path, monkeypatch, chunk_rows
):
    contracts_import(path=feed(tmp_path, [row("CAF0000001"), row("CAF0000002")]))
    monkeypatch.setattr(importer, "CHUNK_ROWS", chunk_rows)
    path = feed(
        tmp_path,
        [
            row("CAF0000003", plan="LIGHT"),
            row("CAF0000001", plan="LIGHT"),
            row("CAF0000004", phone="x"),
            row("CAF0000003", plan="MANSION"),
            row("CAF0000002"),
            row("CAF0000001", plan="MANSION"),
            row("CAF0000005"),
        ],
    )

    report = contracts_import(path=path)

    assert import_counts(report) == (2, 1, 1, [4])
    plans = dict(Contract.objects.values_list("customer_id", "plan"))
    assert plans == {
        "CAF0000001": "MANSION",
        "CAF0000002": "FAMILY",
        "CAF0000003": "MANSION",
        "CAF0000005": "FAMILY",
    }
    assert import_counts(contracts_import(path=path)) == (0, 0, 4, [4])


def test_a_file_with_a_byte_order_mark_is_read(programs, tmp_path):
    report = contracts_import(path=feed(tmp_path, [row("CAF0000001")], bom=True))

    assert import_counts(report) == (1, 0, 0, [])


def test_a_shift_jis_file_is_read_with_cp932(programs, tmp_path):
    path = feed(tmp_path, [row("CAF0000001", holder_name="髙橋 一郎")], encoding="cp932")

    report = contracts_import(path=path, encoding="cp932")

    assert import_counts(report) == (1, 0, 0, [])
    assert Contract.objects.get().holder_name == "髙橋 一郎"


def test_a_shift_jis_file_read_as_utf8_rejects_its_rows_saying_why(programs, tmp_path):
    path = feed(tmp_path, [row("CAF0000001")], encoding="cp932")

    report = contracts_import(path=path)

    assert report.as_dict()["rejected"] == [
        {
            "line": 2,
            "reason": "holder_name is not text in the file's encoding (is --encoding right?)",
        }
    ]


@pytest.mark.parametrize(
    ("content", "encoding", "reason"),
    [
        (b"", "utf-8", "the file is empty"),
        (b"customer_id,access_key\nCAF0000001,KEY\n", "utf-8", "line 1: the header has 2 columns"),
        (None, "shift-jis-2004", "unknown encoding"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_changes_nothing(
    programs, tmp_path, content, encoding, reason
):
    contracts_import(path=feed(tmp_path, [row("CAF0000001")]))
    path = feed(tmp_path, [row("CAF0000001", plan="LIGHT"), row("CAF0000002")])
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(Refused, match=reason):
        contracts_import(path=path, encoding=encoding)

    assert list(Contract.objects.values_list("customer_id", "plan")) == [("CAF0000001", "FAMILY")]


def test_a_missing_file_is_refused(programs, tmp_path):
    with pytest.raises(Refused, match="cannot read"):
        contracts_import(path=tmp_path / "absent.csv")


def test_a_failure_part_way_leaves_nothing_imported(programs, tmp_path, monkeypatch):
    contracts_import(path=feed(tmp_path, [row("CAF0000001")]))

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "status_changes_apply", broken)
    path = feed(
        tmp_path,
        [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01"), row("CAF0000002")],
    )

    with pytest.raises(RuntimeError):
        contracts_import(path=path)

    assert list(Contract.objects.values_list("customer_id", "status")) == [("CAF0000001", "ACTIVE")]


def grant(member: Member, points: int, on: dt.date) -> Entry:
    return points_credit(
        account_id=member.account.pk, points=points, award_on=on, key=f"g:{member.pk}:{on}"
    )


def balance(member: Member, on: dt.date) -> int:
    return account_balance(account_id=member.account.pk, as_of=on)


def test_a_cancellation_in_the_feed_forfeits_the_points_and_ends_the_membership(
    make_member, tmp_path
):
    member = make_member(customer_id="CAF0000001")
    grant(member, 300, D(2026, 9, 1))
    path = feed(tmp_path, [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01")])

    report = contracts_import(path=path)

    assert import_counts(report) == (0, 1, 0, [])
    member.refresh_from_db()
    assert member.left_on == D(2026, 10, 1)
    assert balance(member, D(2026, 10, 1)) == 0
    forfeit = Entry.objects.get(account=member.account, kind=EntryKind.FORFEIT)
    assert (forfeit.points, forfeit.effective_on) == (-300, D(2026, 10, 1))
    event = ContractEvent.objects.get()
    assert (event.kind, event.effective_on, event.source) == ("CANCELED", D(2026, 10, 1), "feed")
    assert ledger_audit().ok


def test_the_same_cancellation_imported_again_changes_nothing(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001")
    grant(member, 300, D(2026, 9, 1))
    path = feed(tmp_path, [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01")])
    contracts_import(path=path)
    entries = Entry.objects.count()

    again = contracts_import(path=path)

    assert import_counts(again) == (0, 0, 1, [])
    assert Entry.objects.count() == entries
    assert ContractEvent.objects.count() == 1


def test_a_late_cancellation_takes_back_grants_it_would_have_prevented(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001")
    grant(member, 300, D(2026, 9, 1))
    grant(member, 200, D(2026, 11, 1))
    path = feed(tmp_path, [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01")])

    contracts_import(path=path)

    kinds = sorted(Entry.objects.filter(account=member.account).values_list("kind", "points"))
    assert kinds == [("FORFEIT", -300), ("GRANT", 200), ("GRANT", 300), ("REVOKE", -200)]
    assert balance(member, D(2026, 12, 1)) == 0
    assert ledger_audit().ok


def test_an_east_conversion_forfeits_the_points(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001")
    grant(member, 300, D(2026, 9, 1))
    path = feed(tmp_path, [row("CAF0000001", status="CONVERTED", status_effective_on="2026-10-01")])

    contracts_import(path=path)

    member.refresh_from_db()
    assert member.left_on == D(2026, 10, 1)
    assert balance(member, D(2026, 10, 1)) == 0


def west(customer_id: str, **changes: str) -> dict[str, str]:
    return row(customer_id, program="west", discount="", discount_started_on="", **changes)


def test_a_west_conversion_keeps_the_points_and_the_member(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001", program="west", discount="")
    grant(member, 300, D(2026, 9, 1))

    contracts_import(
        path=feed(
            tmp_path, [west("CAF0000001", status="CONVERTED", status_effective_on="2026-10-01")]
        )
    )

    member.refresh_from_db()
    assert member.left_on is None
    assert balance(member, D(2026, 10, 1)) == 300
    assert Contract.objects.get().status == "CONVERTED"


def test_a_converted_west_contract_cancelled_later_forfeits_then(make_member, tmp_path):
    member = make_member(customer_id="CAF0000001", program="west", discount="")
    grant(member, 300, D(2026, 9, 1))
    converted = west("CAF0000001", status="CONVERTED", status_effective_on="2026-10-01")
    contracts_import(path=feed(tmp_path, [converted]))

    canceled = west("CAF0000001", status="CANCELED", status_effective_on="2027-01-01")
    report = contracts_import(path=feed(tmp_path, [canceled]))

    assert import_counts(report) == (0, 1, 0, [])
    member.refresh_from_db()
    assert member.left_on == D(2027, 1, 1)
    forfeit = Entry.objects.get(account=member.account, kind=EntryKind.FORFEIT)
    assert (forfeit.points, forfeit.effective_on) == (-300, D(2027, 1, 1))
    assert balance(member, D(2027, 1, 1)) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "ACTIVE", "status_effective_on": ""},
        {"status": "CANCELED", "status_effective_on": "2026-11-01"},
        {"status": "CONVERTED", "status_effective_on": "2026-10-01"},
    ],
)
def test_an_ended_contract_is_not_changed_by_a_later_feed(make_member, tmp_path, changes):
    member = make_member(customer_id="CAF0000001")
    grant(member, 300, D(2026, 9, 1))
    path = feed(tmp_path, [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01")])
    contracts_import(path=path)

    report = contracts_import(
        path=feed(tmp_path, [row("CAF0000002"), row("CAF0000001", **changes)])
    )

    assert report.as_dict()["rejected"] == [
        {
            "line": 3,
            "reason": f"contract CAF0000001 is CANCELED effective 2026-10-01: "
            f"the feed cannot make it {changes['status']} (again)",
        }
    ]
    contract = Contract.objects.get(customer_id="CAF0000001")
    assert (contract.status, contract.status_effective_on) == ("CANCELED", D(2026, 10, 1))
    assert ContractEvent.objects.count() == 1


def test_a_contract_that_arrives_ended_is_stored_without_an_event(programs, tmp_path):
    path = feed(tmp_path, [row("CAF0000001", status="CANCELED", status_effective_on="2026-10-01")])

    report = contracts_import(path=path)

    assert import_counts(report) == (1, 0, 0, [])
    assert Contract.objects.get().status == "CANCELED"
    assert not ContractEvent.objects.exists()


def test_a_plan_the_program_does_not_know_is_rejected(programs, tmp_path):
    report = contracts_import(path=feed(tmp_path, [row("CAF0000001", plan="PLATINUM")]))

    assert report.as_dict()["rejected"] == [
        {"line": 2, "reason": "plan PLATINUM is not a plan of east (FAMILY, LIGHT, MANSION)"}
    ]
