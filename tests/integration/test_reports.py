"""The finance reports agree with the journal, recomputed independently, in both programs."""

import datetime as dt

import pytest

from memberclub.jobs.accrual import accrual_run
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry
from memberclub.reports.audit import summary_audit
from memberclub.reports.models import EntrySummary
from memberclub.reports.selectors import (
    breakage_by_cohort,
    liability_roll_forward,
    outstanding_by_expiry,
)
from memberclub.reports.services import summary_compact
from tests.report_support import busy_ledger, held_as_of, lapsed, moved, outstanding

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = {
    "issued": ("GRANT", 1),
    "redeemed": ("REDEEM", -1),
    "refunded": ("REFUND", 1),
    "forfeited": ("FORFEIT", -1),
    "revoked": ("REVOKE", -1),
    "adjusted": ("ADJUST", 1),
}


@pytest.fixture
def ledger(make_member):
    return busy_ledger(make_member)


def _check_period(program, period) -> None:
    before = period.start - dt.timedelta(days=1)
    assert period.opening == outstanding(program, before)
    assert period.closing == outstanding(program, period.end)
    for name, (kind, sign) in KINDS.items():
        assert getattr(period, name) == sign * moved(program, kind, period.start, period.end), name
    expired = -moved(program, "EXPIRE", period.start, period.end)
    assert period.expired == expired + lapsed(program, period.end) - lapsed(program, before)


@pytest.mark.parametrize(("program", "year"), [("east", 2026), ("east", 2027), ("west", 2026)])
def test_the_liability_of_every_month_and_year_matches_the_journal(ledger, program, year):
    liability = liability_roll_forward(program=program, fiscal_year=year, by_month=True)

    assert len(liability.months) == 12
    for period in [liability, *liability.months]:
        _check_period(program, period)
    assert (
        liability.opening
        + liability.issued
        - liability.redeemed
        + liability.refunded
        - (liability.expired + liability.forfeited + liability.revoked)
        + liability.adjusted
        == liability.closing
    )


def test_the_roll_forward_names_issued_points_by_rule_and_redeemed_by_kind(ledger):
    east = liability_roll_forward(program="east", fiscal_year=2025)
    west = liability_roll_forward(program="west", fiscal_year=2026)

    assert set(east.issued_by_rule) == {"monthly"}
    assert sum(east.issued_by_rule.values()) == east.issued
    assert west.redeemed_by_kind == {"shipped": 2000}
    assert west.revoked > 0


def test_a_lot_past_its_expiry_is_not_outstanding_before_the_expiry_job_runs(ledger, make_member):
    member = make_member(joined_on=D(2024, 1, 1))
    accrual_run(program="east", month=D(2024, 6, 1))  # its lot is usable through 2027-03-31

    liability = liability_roll_forward(program="east", fiscal_year=2027, by_month=True)
    april = liability.months[0]

    assert held_as_of("east", D(2027, 4, 30))[D(2027, 3, 31)] > 0
    assert D(2027, 3, 31) not in {
        row.expires_on for row in outstanding_by_expiry(program="east", as_of=D(2027, 4, 1))
    }
    assert april.closing == outstanding("east", D(2027, 4, 30))
    assert april.expired >= member.account.lots.get(expires_on=D(2027, 3, 31)).remaining > 0


@pytest.mark.parametrize("program", ["east", "west"])
def test_outstanding_by_expiry_date_matches_the_lots_as_of_any_day(ledger, program):
    for day in (D(2026, 3, 31), D(2026, 9, 15), D(2027, 3, 31), D(2027, 4, 1), D(2027, 5, 20)):
        rows = outstanding_by_expiry(program=program, as_of=day)
        expected = {e: p for e, p in held_as_of(program, day).items() if e >= day and p}
        assert {row.expires_on: row.points for row in rows} == expected


def test_breakage_per_cohort_counts_what_expired_or_was_forfeited(ledger):
    cohorts = {c.fiscal_year: c for c in breakage_by_cohort(program="east", as_of=D(2027, 6, 30))}

    first = cohorts[2024]
    assert first.expires_on == D(2027, 3, 31)
    grants = moved("east", "GRANT", D(2024, 4, 1), D(2025, 3, 31))
    adjusted_in = sum(
        Entry.objects.filter(kind="ADJUST", expires_on=D(2027, 3, 31)).values_list(
            "points", flat=True
        )
    )
    assert first.issued == grants + adjusted_in
    expired_lot = -sum(
        Entry.objects.filter(program="east", kind="EXPIRE", expires_on=D(2027, 3, 31)).values_list(
            "points", flat=True
        )
    )
    assert first.expired == expired_lot + held_as_of("east", D(2027, 6, 30)).get(D(2027, 3, 31), 0)
    assert first.forfeited > 0
    assert 0 < first.breakage <= 1
    assert cohorts[2025].outstanding == held_as_of("east", D(2027, 6, 30))[D(2028, 3, 31)]


def test_the_summary_equals_the_journal_and_compacts_to_one_row_per_key(ledger):
    assert summary_audit() == []
    assert ledger_audit().ok
    before = liability_roll_forward(program="east", fiscal_year=2026, by_month=True).as_dict()

    summary_compact(program="east")

    keys = EntrySummary.objects.filter(program="east").values_list("on", "kind", "rule")
    assert len(keys) == len(set(keys))
    assert (
        liability_roll_forward(program="east", fiscal_year=2026, by_month=True).as_dict() == before
    )
    assert summary_audit() == []


def test_a_summary_that_drifts_from_the_journal_is_reported_by_the_audit(ledger):
    EntrySummary.objects.create(
        program="east", on=D(2026, 4, 2), kind="GRANT", rule="drift", entries=0, points=5
    )

    assert [v["check"] for v in summary_audit()] == ["summary_matches_journal"]
