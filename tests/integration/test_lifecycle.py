"""Cancellation and conversion forfeit points as of their date, even when they arrive late."""

import datetime as dt

import pytest

from memberclub.contracts.lifecycle import contract_event_apply
from memberclub.contracts.models import ContractEvent
from memberclub.domain.errors import Refused
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_credit, points_debit
from memberclub.members.models import Member

pytestmark = pytest.mark.django_db
D = dt.date


def _grant(member: Member, points: int, on: dt.date) -> Entry:
    return points_credit(
        account_id=member.account.pk, points=points, award_on=on, key=f"g:{member.pk}:{on}"
    )


def _event(member: Member, kind: str, on: dt.date, event_id: str = "ev-1", **payload: str) -> bool:
    return contract_event_apply(
        event_id=event_id,
        customer_id=member.contract.customer_id,
        kind=kind,
        effective_on=on,
        payload=payload,
        source="test",
    )


def test_a_cancellation_forfeits_every_point_and_ends_the_membership(make_member):
    member = make_member()
    _grant(member, 300, D(2026, 9, 1))
    _grant(member, 200, D(2026, 10, 1))

    _event(member, "CANCELED", D(2026, 10, 15))

    member.refresh_from_db()
    assert member.left_on == D(2026, 10, 15)
    assert member.contract.status == "CANCELED"
    assert account_balance(account_id=member.account.pk, as_of=D(2026, 10, 15)) == 0
    forfeit = Entry.objects.get(account=member.account, kind=EntryKind.FORFEIT)
    assert forfeit.points == -500
    assert forfeit.effective_on == D(2026, 10, 15)
    assert ledger_audit().ok


def test_a_late_cancellation_takes_back_the_grants_it_would_have_prevented(make_member):
    member = make_member()
    _grant(member, 300, D(2026, 9, 1))
    october = _grant(member, 200, D(2026, 10, 1))
    november = _grant(member, 200, D(2026, 11, 1))

    _event(member, "CANCELED", D(2026, 10, 1))  # arrives in November, effective October 1

    revoked = Entry.objects.filter(kind=EntryKind.REVOKE).order_by("reverses_id")
    assert [r.reverses_id for r in revoked] == [october.pk, november.pk]
    assert [r.points for r in revoked] == [-200, -200]
    forfeit = Entry.objects.get(kind=EntryKind.FORFEIT)
    assert forfeit.points == -300  # only what it held on October 1
    assert forfeit.effective_on == D(2026, 10, 1)
    assert ledger_audit().ok


def test_a_late_cancellation_records_what_had_already_been_spent_as_a_shortfall(make_member):
    member = make_member()
    november = _grant(member, 200, D(2026, 11, 1))
    points_debit(
        account_id=member.account.pk, points=150, on=D(2026, 11, 5), key="r", kind=EntryKind.REDEEM
    )

    _event(member, "CANCELED", D(2026, 11, 1))

    revoke = Entry.objects.get(kind=EntryKind.REVOKE, reverses=november)
    assert (revoke.points, revoke.shortfall) == (-50, 150)
    # The journal as of the effective date still holds the 150 points spent on 11-05 (dated
    # then); from the spend on, nothing is left.
    assert account_balance(account_id=member.account.pk, as_of=D(2026, 11, 1)) == 150
    assert account_balance(account_id=member.account.pk, as_of=D(2026, 11, 5)) == 0
    assert ledger_audit().ok


def test_points_that_had_expired_by_the_effective_date_expire_rather_than_forfeit(make_member):
    member = make_member()
    _grant(member, 100, D(2024, 3, 1))  # usable through 2026-03-31
    _grant(member, 400, D(2025, 6, 1))

    _event(member, "CANCELED", D(2026, 4, 10))

    kinds = dict(
        Entry.objects.filter(account=member.account)
        .exclude(kind=EntryKind.GRANT)
        .values_list("kind", "points")
    )
    assert kinds == {EntryKind.EXPIRE: -100, EntryKind.FORFEIT: -400}
    assert ledger_audit().ok


def test_east_conversion_forfeits_but_west_conversion_keeps_points(make_member):
    east = make_member(program="east")
    west = make_member(program="west", plan="FAMILY")
    _grant(east, 300, D(2026, 9, 1))
    _grant(west, 300, D(2026, 9, 1))

    _event(east, "CONVERTED", D(2026, 10, 1), event_id="east-conv")
    _event(west, "CONVERTED", D(2026, 10, 1), event_id="west-conv")

    assert account_balance(account_id=east.account.pk, as_of=D(2026, 10, 1)) == 0
    assert account_balance(account_id=west.account.pk, as_of=D(2026, 10, 1)) == 300
    west.refresh_from_db()
    assert west.left_on is None
    assert west.contract.status == "CONVERTED"
    assert ledger_audit().ok


def test_the_same_event_twice_changes_nothing(make_member):
    member = make_member()
    _grant(member, 300, D(2026, 9, 1))

    assert _event(member, "CANCELED", D(2026, 10, 1)) is True
    assert _event(member, "CANCELED", D(2026, 10, 1)) is False

    assert Entry.objects.filter(kind=EntryKind.FORFEIT).count() == 1
    assert ContractEvent.objects.count() == 1


def test_a_plan_change_applies_to_the_contract_and_needs_the_new_plan(make_member):
    member = make_member()

    _event(member, "PLAN_CHANGED", D(2026, 10, 1), plan="MANSION")
    member.contract.refresh_from_db()
    assert member.contract.plan == "MANSION"

    with pytest.raises(Refused, match="plan"):
        _event(member, "PLAN_CHANGED", D(2026, 11, 1), event_id="ev-2")


def test_an_event_for_an_unknown_customer_or_of_an_unknown_kind_is_refused(make_member):
    member = make_member()

    with pytest.raises(Refused, match="no contract"):
        contract_event_apply(
            event_id="x",
            customer_id="NOPE000000",
            kind="CANCELED",
            effective_on=D(2026, 1, 1),
            payload={},
            source="test",
        )
    with pytest.raises(Refused, match="unknown event kind"):
        _event(member, "EXPLODED", D(2026, 1, 1))
    assert ContractEvent.objects.count() == 0
