"""Credits: points into the lot of their award date, and an operator's adjustment."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account, Entry, EntryKind, Lot
from memberclub.ledger.partitions import partition_ensure_for
from memberclub.ledger.services.claims import entry_of_taken_key, existing_entry, key_claim
from memberclub.ledger.services.debit import (
    locked_account,
    points_debit,
    validate_key,
)
from memberclub.programs.selectors import program_on


def points_credit(
    *,
    account_id: int,
    points: int,
    award_on: dt.date,
    key: str,
    kind: EntryKind = EntryKind.GRANT,
    rule: str = "",
    period: str = "",
    reason: str = "",
) -> Entry:
    """Add points to the lot of points awarded on `award_on`; a repeated key changes nothing."""
    if points <= 0:
        raise Refused("a credit must be a positive number of points")
    validate_key(key)
    partition_ensure_for(award_on)
    try:
        with transaction.atomic():
            account = locked_account(account_id)
            if not key_claim(
                program=account.program, key=key, account_id=account.pk, effective_on=award_on
            ):
                return entry_of_taken_key(account.program, key)
            expires_on = program_on(program=account.program, on=award_on).expiry_policy.expires_on(
                award_on
            )
            lot = (
                Lot.objects.select_for_update()
                .filter(account=account, expires_on=expires_on)
                .first()
            )
            if lot is None:
                Lot.objects.create(
                    account=account,
                    program=account.program,
                    expires_on=expires_on,
                    granted=points,
                    remaining=points,
                )
            else:
                Lot.objects.filter(pk=lot.pk).update(
                    granted=F("granted") + points, remaining=F("remaining") + points
                )
            return Entry.objects.create(
                program=account.program,
                account=account,
                kind=kind,
                points=points,
                effective_on=award_on,
                expires_on=expires_on,
                rule=rule,
                period=period,
                idempotency_key=key,
                reason=reason,
            )
    except IntegrityError:
        # The same key was written for another account of the program at the same moment.
        existing = existing_entry(Account.objects.get(pk=account_id).program, key)
        if existing is None:
            raise
        return existing


def points_adjust(*, account_id: int, points: int, on: dt.date, reason: str, key: str) -> Entry:
    """An operator's correction: a credit into the lot of `on`, or a debit drawn like any other."""
    if not reason.strip():
        raise Refused("an adjustment needs a reason")
    if points == 0:
        raise Refused("an adjustment must change the balance (points other than 0)")
    if points > 0:
        return points_credit(
            account_id=account_id,
            points=points,
            award_on=on,
            key=key,
            kind=EntryKind.ADJUST,
            rule="adjust",
            reason=reason,
        )
    return points_debit(
        account_id=account_id,
        points=-points,
        on=on,
        key=key,
        kind=EntryKind.ADJUST,
        rule="adjust",
        reason=reason,
    )
