"""West accrual (SPEC §3.3): usage points by rank, arrears revocations, long-term points."""

import datetime as dt

import pytest

from memberclub.contracts.lifecycle import contract_event_apply
from memberclub.jobs.accrual import accrual_run
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member
from memberclub.usage.models import UsageBill

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def make_west_member(make_member):
    """A GOLD west member (individual, FAMILY) unless the contract fields say otherwise."""

    def make(**fields: object) -> Member:
        values: dict[str, object] = {
            "program": "west",
            "discount": "",
            "discount_started_on": None,
            "service_started_on": D(2020, 4, 1),
            **fields,
        }
        member: Member = make_member(**values)
        return member

    return make


def _bill(member: Member, month: str, yen: int, *, paid: bool = True) -> None:
    """Record a bill as the usage feed would (a later row replaces the earlier one)."""
    year, number = map(int, month.split("-"))
    following = D(year + number // 12, number % 12 + 1, 1)
    UsageBill.objects.update_or_create(
        contract=member.contract,
        billing_month=month,
        defaults={
            "billed_yen": yen,
            "paid": paid,
            "month_ends_on": following - dt.timedelta(days=1),
        },
    )


def _accrue(month: dt.date) -> dict:
    return accrual_run(program="west", month=month).as_dict()


def _entries(member: Member) -> list[tuple[str, str, int, dt.date, str]]:
    entries = Entry.objects.filter(account=member.account).order_by("id")
    return [(e.kind, e.rule, e.points, e.effective_on, e.period) for e in entries]


def _lots(member: Member) -> list[tuple[dt.date, int, int]]:
    lots = Lot.objects.filter(account=member.account).order_by("expires_on")
    return [(lot.expires_on, lot.granted, lot.remaining) for lot in lots]


def test_a_paid_bill_earns_points_by_rank_in_the_next_run(make_west_member):
    gold = make_west_member()
    bronze = make_west_member(plan="BASIC")
    corporate = make_west_member(holder_kind="CORPORATE")
    for member in (gold, bronze, corporate):
        _bill(member, "2026-10", 5_090)

    result = _accrue(D(2026, 11, 1))

    assert result == {
        "program": "west",
        "month": "2026-11",
        "accounts": 3,
        "points": 50 + 25 + 25,
        "by_rule": {"usage": 100, "long_term": 0, "arrears": 0},
    }
    assert _entries(gold) == [("GRANT", "usage", 50, D(2026, 11, 1), "2026-10")]
    assert _lots(gold) == [(D(2029, 4, 30), 50, 50)]
    assert Entry.objects.get(account=gold.account).idempotency_key == (
        f"usage:{gold.contract.customer_id}:2026-10"
    )


def test_every_paid_month_not_yet_rewarded_up_to_m_minus_1_counts_once(make_west_member):
    member = make_west_member()
    _bill(member, "2026-08", 1_000)
    _bill(member, "2026-09", 2_000)
    _bill(member, "2026-10", 3_000)
    _bill(member, "2026-11", 4_000)  # the current month waits for the next run

    _accrue(D(2026, 11, 1))
    _accrue(D(2026, 11, 1))

    assert sorted(points for _, _, points, _, _ in _entries(member)) == [10, 20, 30]
    assert UsageBill.objects.get(contract=member.contract, billing_month="2026-10").rewarded_on == (
        D(2026, 11, 1)
    )
    assert (
        UsageBill.objects.get(contract=member.contract, billing_month="2026-11").rewarded_on is None
    )


def test_a_bill_paid_late_earns_its_points_in_the_next_run(make_west_member):
    member = make_west_member()
    _bill(member, "2026-10", 3_000, paid=False)
    _accrue(D(2026, 11, 1))

    _bill(member, "2026-10", 3_000, paid=True)
    _accrue(D(2026, 12, 1))

    assert _entries(member) == [("GRANT", "usage", 30, D(2026, 12, 1), "2026-10")]


def test_the_rank_on_the_award_date_sets_the_unit(make_west_member):
    converted = make_west_member(status="CONVERTED", status_effective_on=D(2026, 11, 1))
    converting_later = make_west_member(status="CONVERTED", status_effective_on=D(2026, 11, 2))
    canceled = make_west_member(status="CANCELED", status_effective_on=D(2026, 11, 1))
    for member in (converted, converting_later, canceled):
        _bill(member, "2026-10", 1_000)

    _accrue(D(2026, 11, 1))

    assert _entries(converted)[0][2] == 5  # HIKARI_WITH: 200 yen a point
    assert _entries(converting_later)[0][2] == 10  # still GOLD on the award date
    assert _entries(canceled) == []


def test_the_member_must_have_registered_by_the_end_of_the_billing_month(make_west_member):
    member = make_west_member(joined_on=D(2026, 9, 30))
    _bill(member, "2026-08", 1_000)
    _bill(member, "2026-09", 1_000)

    _accrue(D(2026, 11, 1))

    assert [period for *_, period in _entries(member)] == ["2026-09"]


def test_a_member_who_has_left_earns_no_usage_points(make_west_member):
    member = make_west_member()
    Member.objects.filter(pk=member.pk).update(left_on=D(2026, 11, 1))
    _bill(member, "2026-10", 1_000)

    _accrue(D(2026, 11, 1))

    assert _entries(member) == []


def test_a_month_paid_late_and_then_marked_unpaid_is_revoked_once_from_its_lot(make_west_member):
    member = make_west_member()
    _bill(member, "2027-02", 5_000, paid=False)
    _accrue(D(2027, 3, 1))
    _bill(member, "2027-02", 5_000, paid=True)  # paid late: rewarded in April (FY2027)
    _accrue(D(2027, 4, 1))
    _bill(member, "2027-03", 2_000)
    _bill(member, "2027-02", 5_000, paid=False)  # and then marked unpaid

    result = _accrue(D(2027, 6, 1))
    again = _accrue(D(2027, 7, 1))

    assert result["by_rule"] == {"usage": 20, "long_term": 0, "arrears": -50}
    assert result["accounts"] == 1
    assert again["points"] == 0
    assert _entries(member) == [
        ("GRANT", "usage", 50, D(2027, 4, 1), "2027-02"),
        ("REVOKE", "usage", -50, D(2027, 6, 1), "2027-02"),
        ("GRANT", "usage", 20, D(2027, 6, 1), "2027-03"),
    ]
    revoke = Entry.objects.get(account=member.account, kind=EntryKind.REVOKE)
    grant = Entry.objects.get(account=member.account, period="2027-02", kind=EntryKind.GRANT)
    assert (revoke.reverses_id, revoke.expires_on, revoke.shortfall) == (
        grant.pk,
        D(2030, 4, 30),
        0,
    )
    assert revoke.idempotency_key == f"revoke:{grant.pk}"
    assert _lots(member) == [(D(2030, 4, 30), 70, 20)]
    assert ledger_audit().ok


def test_a_month_marked_paid_again_after_its_revocation_is_not_rewarded_twice(make_west_member):
    member = make_west_member()
    _bill(member, "2026-10", 5_000)
    _accrue(D(2026, 11, 1))
    _bill(member, "2026-10", 5_000, paid=False)
    _accrue(D(2026, 12, 1))

    _bill(member, "2026-10", 5_000, paid=True)
    _accrue(D(2027, 1, 1))
    _bill(member, "2026-10", 5_000, paid=False)
    _accrue(D(2027, 2, 1))

    assert [kind for kind, *_ in _entries(member)] == ["GRANT", "REVOKE"]


def test_a_revocation_takes_at_most_what_is_left_and_records_the_shortfall(make_west_member):
    member = make_west_member()
    _bill(member, "2026-09", 4_000)
    _bill(member, "2026-10", 3_000)
    _accrue(D(2026, 11, 1))
    points_adjust(
        account_id=member.account.pk, points=-50, on=D(2026, 11, 5), reason="spent", key="x"
    )
    _bill(member, "2026-09", 4_000, paid=False)
    _bill(member, "2026-10", 3_000, paid=False)

    _accrue(D(2026, 12, 1))

    revokes = Entry.objects.filter(account=member.account, kind=EntryKind.REVOKE).order_by("id")
    # 70 granted, 50 spent: the 20 left are taken; 20 and 30 could not be.
    assert [(r.period, r.points, r.shortfall) for r in revokes] == [
        ("2026-09", -20, 20),
        ("2026-10", 0, 30),
    ]
    assert _lots(member) == [(D(2029, 4, 30), 70, 0)]
    assert ledger_audit().ok


def test_a_grant_taken_back_by_a_late_cancellation_is_not_revoked_again(make_west_member):
    member = make_west_member()
    _bill(member, "2026-10", 3_000)
    _accrue(D(2026, 11, 1))
    contract_event_apply(
        event_id="late-cancel",
        customer_id=member.contract.customer_id,
        kind="CANCELED",
        effective_on=D(2026, 11, 1),
        payload={},
        source="test",
    )
    _bill(member, "2026-10", 3_000, paid=False)

    result = _accrue(D(2026, 12, 1))

    assert result["points"] == 0
    assert Entry.objects.filter(account=member.account, kind=EntryKind.REVOKE).count() == 1
    bill = UsageBill.objects.get(contract=member.contract)
    assert bill.revoked_on == D(2026, 12, 1)
    assert ledger_audit().ok


@pytest.mark.parametrize(
    ("started", "month", "points"),
    [
        (D(2023, 10, 15), D(2026, 11, 1), 1000),
        (D(2021, 10, 1), D(2026, 11, 1), 2000),
        (D(2016, 10, 31), D(2026, 11, 1), 3000),
        (D(2023, 11, 1), D(2026, 11, 1), 0),  # the anniversary falls in M, not M−1
        (D(2020, 2, 29), D(2023, 3, 1), 1000),  # on 2023-02-28
        (D(2022, 10, 1), D(2026, 11, 1), 0),
    ],
)
def test_long_term_points_on_the_third_fifth_and_tenth_anniversary(
    make_west_member, started, month, points
):
    member = make_west_member(service_started_on=started, joined_on=started)

    _accrue(month)

    assert sum(p for kind, rule, p, *_ in _entries(member) if rule == "long_term") == points


def test_long_term_points_come_once_and_need_an_uncanceled_contract(make_west_member):
    member = make_west_member(service_started_on=D(2023, 10, 15))
    converted = make_west_member(
        service_started_on=D(2023, 10, 15), status="CONVERTED", status_effective_on=D(2025, 1, 1)
    )
    canceled = make_west_member(
        service_started_on=D(2023, 10, 15), status="CANCELED", status_effective_on=D(2026, 11, 1)
    )
    late = make_west_member(service_started_on=D(2023, 10, 15), joined_on=D(2026, 11, 1))

    _accrue(D(2026, 11, 1))
    _accrue(D(2026, 11, 1))

    assert Entry.objects.get(account=member.account).idempotency_key == (
        f"long_term:{member.contract.customer_id}:3"
    )
    assert len(_entries(converted)) == 1
    assert _entries(canceled) == []
    assert _entries(late) == []


def test_welcome_points_are_not_granted_by_accrual(make_west_member):
    member = make_west_member(joined_on=D(2026, 10, 15))

    _accrue(D(2026, 11, 1))

    assert not Entry.objects.filter(account=member.account, rule="welcome").exists()
