"""What a contract that ends (SPEC §3.4: CANCELED, CONVERTED) does to its member and points."""

import datetime as dt
from typing import Any

from django.dispatch import receiver

from memberclub.contracts.lifecycle import contract_ended
from memberclub.contracts.models import Contract, EventKind
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.services import account_close_out, grant_revoke
from memberclub.members.models import Member
from memberclub.members.selectors import current_q
from memberclub.programs.selectors import program_on


@receiver(contract_ended, dispatch_uid="membership.contract_ended")
def membership_end_with_contract(
    *, contract: Contract, kind: str, effective_on: dt.date, event_id: str, **_: Any
) -> None:
    """End the current membership and forfeit its points as if the event had arrived in time."""
    rules = program_on(program=contract.program, on=effective_on).lifecycle
    if kind == EventKind.CONVERTED and rules.on_converted == "keep":
        return
    member = (
        Member.objects.select_for_update(of=("self",))
        # A membership its program's end has ended takes no more events (as one that left).
        .filter(current_q(), contract=contract)
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
