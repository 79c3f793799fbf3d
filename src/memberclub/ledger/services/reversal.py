"""Taking back a grant, and refunding a debit to the lots it drew from."""

import datetime as dt

from django.db import transaction
from django.db.models import F

from memberclub.ledger.models import Draw, Entry, EntryKind, Lot
from memberclub.ledger.partitions import partition_ensure_for
from memberclub.ledger.services.debit import (
    entry_of_taken_key,
    key_claim,
    locked_account,
    validate_key,
)


def grant_revoke(*, grant: Entry, on: dt.date, key: str, reason: str) -> Entry:
    """Take back a grant from the lot it went into, as far as its points are still there."""
    validate_key(key)
    if grant.kind != EntryKind.GRANT or grant.expires_on is None:
        raise ValueError("only a grant can be revoked")
    partition_ensure_for(on)
    with transaction.atomic():
        account = locked_account(grant.account_id)
        if not key_claim(program=account.program, key=key, account_id=account.pk, effective_on=on):
            return entry_of_taken_key(account.program, key)
        lot = Lot.objects.select_for_update().get(account=account, expires_on=grant.expires_on)
        taken = min(lot.remaining, grant.points)
        if taken:
            Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - taken)
        return Entry.objects.create(
            program=account.program,
            account=account,
            kind=EntryKind.REVOKE,
            points=-taken,
            effective_on=on,
            expires_on=grant.expires_on,
            rule=grant.rule,
            period=grant.period,
            idempotency_key=key,
            reason=reason,
            shortfall=grant.points - taken,
            reverses=grant,
        )


def points_refund(*, debit_entry: Entry, on: dt.date, key: str, reason: str) -> list[Entry]:
    """Give a debit's points back to the very lots it drew from; a part whose lot has expired
    by `on` is expired again at once. Returns the REFUND entry, then any such EXPIRE entries."""
    validate_key(key)
    if debit_entry.expires_on is not None or debit_entry.points >= 0:
        raise ValueError("only a multi-lot debit can be refunded")
    partition_ensure_for(on)
    with transaction.atomic():
        account = locked_account(debit_entry.account_id)
        if not key_claim(program=account.program, key=key, account_id=account.pk, effective_on=on):
            existing = entry_of_taken_key(account.program, key)
            return [existing, *Entry.objects.filter(reverses=existing).order_by("id")]
        taken = {draw.lot_id: -draw.points for draw in debit_entry.draws.all()}
        lots = list(
            Lot.objects.select_for_update().filter(pk__in=taken).order_by("expires_on", "id")
        )
        refund = Entry.objects.create(
            program=account.program,
            account=account,
            kind=EntryKind.REFUND,
            points=sum(taken.values()),
            effective_on=on,
            idempotency_key=key,
            reason=reason,
            reverses=debit_entry,
        )
        Draw.objects.bulk_create(
            Draw(entry=refund, lot=lot, account=account, points=taken[lot.pk], effective_on=on)
            for lot in lots
        )
        entries = [refund]
        for lot in lots:
            Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") + taken[lot.pk])
            if lot.expires_on < on:
                # The points came back to a lot that is no longer usable: they expire again
                # at once, as a single-lot entry of their own key, independent of the expiry job.
                Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - taken[lot.pk])
                again = f"refund-expire:{refund.pk}:{lot.pk}"
                claimed = key_claim(
                    program=account.program, key=again, account_id=account.pk, effective_on=on
                )
                assert claimed, "the refund is new, and so is the key named after it"
                entries.append(
                    Entry.objects.create(
                        program=account.program,
                        account=account,
                        kind=EntryKind.EXPIRE,
                        points=-taken[lot.pk],
                        effective_on=on,
                        expires_on=lot.expires_on,
                        idempotency_key=again,
                        reason="refunded to a lot that had expired",
                        reverses=refund,
                    )
                )
        return entries
