"""Lifecycle events (SPEC §3.4): idempotent by event ID, correct when late or out of order."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from memberclub.contracts.models import Contract, ContractEvent, ContractStatus, EventKind
from memberclub.domain.errors import Refused
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.services import account_close_out, grant_revoke
from memberclub.members.models import Member
from memberclub.programs.selectors import program_on

ENDING_KINDS = (EventKind.CANCELED, EventKind.CONVERTED)


@dataclass(frozen=True)
class StatusChange:
    """A contract whose status the contract feed changed."""

    contract_id: int
    status: str
    effective_on: dt.date


def status_changes_apply(*, changes: list[StatusChange]) -> None:
    """Record and apply status changes that arrived through the contract feed."""
    for change in changes:
        contract = Contract.objects.get(pk=change.contract_id)
        event_id = f"feed:{contract.customer_id}:{change.status}:{change.effective_on}"
        _, created = ContractEvent.objects.get_or_create(
            event_id=event_id,
            defaults={
                "contract": contract,
                "kind": change.status,
                "effective_on": change.effective_on,
                "source": "feed",
            },
        )
        if created:
            _apply_ending(contract, change.status, change.effective_on, event_id)


def contract_event_apply(
    *,
    event_id: str,
    customer_id: str,
    kind: str,
    effective_on: dt.date,
    payload: dict[str, Any],
    source: str,
) -> bool:
    """Apply one lifecycle event; return False when the event ID was seen before."""
    if kind not in EventKind.values:
        raise Refused(f"unknown event kind {kind!r}")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(customer_id=customer_id).first()
        if contract is None:
            raise Refused(f"no contract with customer ID {customer_id}")
        _, created = ContractEvent.objects.get_or_create(
            event_id=event_id,
            defaults={
                "contract": contract,
                "kind": kind,
                "effective_on": effective_on,
                "payload": payload,
                "source": source,
            },
        )
        if not created:
            return False
        _update_contract(contract, kind, effective_on, payload)
        if kind in ENDING_KINDS:
            _apply_ending(contract, kind, effective_on, event_id)
    return True


def _update_contract(
    contract: Contract, kind: str, effective_on: dt.date, payload: dict[str, Any]
) -> None:
    """Change the contract's state as the event says; the earliest ending date wins."""
    if kind in ENDING_KINDS:
        later_end = contract.status_effective_on and contract.status_effective_on < effective_on
        if contract.status == ContractStatus.ACTIVE or not later_end:
            contract.status = kind
            contract.status_effective_on = effective_on
    elif kind == EventKind.PLAN_CHANGED:
        plan = str(payload.get("plan", ""))
        if not plan:
            raise Refused("PLAN_CHANGED needs the new plan in its payload")
        contract.plan = plan
    elif kind == EventKind.DISCOUNT_STARTED:
        contract.discount = str(payload.get("discount", "NINEN_WARI"))
        contract.discount_started_on = effective_on
        contract.discount_ended_on = None
    elif kind == EventKind.DISCOUNT_ENDED:
        contract.discount_ended_on = effective_on
    elif kind == EventKind.MOVED:
        for field in ("address", "postal_code", "line_prefixes"):
            if field in payload:
                setattr(contract, field, str(payload[field]))
    contract.save()


def _apply_ending(contract: Contract, kind: str, effective_on: dt.date, event_id: str) -> None:
    """End the current membership and forfeit its points as if the event had arrived in time."""
    rules = program_on(program=contract.program, on=effective_on).lifecycle
    if kind == EventKind.CONVERTED and rules.on_converted == "keep":
        return
    member = (
        Member.objects.select_for_update(of=("self",))
        .filter(contract=contract, left_on__isnull=True)
        .select_related("account")
        .first()
    )
    if member is None:
        return
    account = member.account
    reason = f"contract {kind.lower()} effective {effective_on}"
    # Grants on or after the effective date would not have been made had the event come in time.
    prevented = Entry.objects.filter(
        account=account, kind=EntryKind.GRANT, effective_on__gte=effective_on
    ).order_by("id")
    for grant in prevented:
        grant_revoke(grant=grant, on=effective_on, key=f"revoke:{grant.pk}", reason=reason)
    account_close_out(
        account_id=account.pk, on=effective_on, key=f"forfeit:{event_id}", reason=reason
    )
    member.left_on = max(effective_on, member.joined_on)
    member.save(update_fields=["left_on"])
