"""Writing to the ledger: every write locks the account row, then its lots in expiry order."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from memberclub.domain.allocation import LotBalance, LotDraw, allocate
from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account, Draw, Entry, EntryKind, Lot
from memberclub.programs.selectors import program_on

# Debits draw from several lots and record a draw per lot.
MULTI_LOT_DEBITS = (EntryKind.REDEEM, EntryKind.FORFEIT, EntryKind.ADJUST)


def _locked_account(account_id: int) -> Account:
    """Lock the account row: the first lock every writer takes, so writers never deadlock."""
    return Account.objects.select_for_update().get(pk=account_id)


def _existing(program: str, key: str) -> Entry | None:
    return Entry.objects.filter(program=program, idempotency_key=key).first()


def _validate_key(key: str) -> None:
    if not key or len(key) > 200:
        raise Refused("an idempotency key of 1 to 200 characters is required")


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
    _validate_key(key)
    try:
        with transaction.atomic():
            account = _locked_account(account_id)
            existing = _existing(account.program, key)
            if existing is not None:
                return existing
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
                award_on=award_on,
                expires_on=expires_on,
                rule=rule,
                period=period,
                idempotency_key=key,
                reason=reason,
            )
    except IntegrityError:
        # The same key was written for another account of the program at the same moment.
        existing = _existing(Account.objects.get(pk=account_id).program, key)
        if existing is None:
            raise
        return existing


def points_debit(
    *,
    account_id: int,
    points: int,
    on: dt.date,
    key: str,
    kind: EntryKind,
    rule: str = "",
    reason: str = "",
) -> Entry:
    """Take points from the lots usable on `on`, soonest expiry first, all or nothing."""
    if kind not in MULTI_LOT_DEBITS:
        raise ValueError(f"{kind} is not a multi-lot debit")
    if points <= 0:
        raise Refused("a debit must be a positive number of points")
    _validate_key(key)
    try:
        with transaction.atomic():
            account = _locked_account(account_id)
            existing = _existing(account.program, key)
            if existing is not None:
                return existing
            lots = list(
                Lot.objects.select_for_update()
                .filter(account=account, remaining__gt=0, expires_on__gte=on)
                .order_by("expires_on")
            )
            draws = allocate(
                [LotBalance(lot.pk, lot.expires_on, lot.remaining) for lot in lots],
                points,
                on=on,
            )
            return _write_multi_lot(
                account=account, kind=kind, draws=draws, on=on, key=key, rule=rule, reason=reason
            )
    except IntegrityError:
        existing = _existing(Account.objects.get(pk=account_id).program, key)
        if existing is None:
            raise
        return existing


def _write_multi_lot(
    *,
    account: Account,
    kind: EntryKind,
    draws: list[LotDraw],
    on: dt.date,
    key: str,
    rule: str,
    reason: str,
) -> Entry:
    """Write one debit entry with a draw per lot and lower those lots (lock already held)."""
    total = sum(draw.points for draw in draws)
    entry = Entry.objects.create(
        program=account.program,
        account=account,
        kind=kind,
        points=-total,
        award_on=on,
        rule=rule,
        idempotency_key=key,
        reason=reason,
    )
    for draw in draws:
        Lot.objects.filter(pk=draw.lot_id).update(remaining=F("remaining") - draw.points)
    Draw.objects.bulk_create(
        Draw(entry=entry, lot_id=draw.lot_id, account=account, points=-draw.points)
        for draw in draws
    )
    return entry


def _expire_lot(account: Account, lot: Lot, *, on: dt.date, reason: str) -> Entry:
    """Write an EXPIRE entry for what is left in a lot whose last usable day is before `on`."""
    Lot.objects.filter(pk=lot.pk).update(remaining=0)
    return Entry.objects.create(
        program=account.program,
        account=account,
        kind=EntryKind.EXPIRE,
        points=-lot.remaining,
        award_on=lot.expires_on + dt.timedelta(days=1),
        expires_on=lot.expires_on,
        idempotency_key=f"expire:{lot.pk}:{on.isoformat()}",
        reason=reason,
    )


def account_expire(*, account_id: int, as_of: dt.date) -> list[Entry]:
    """Expire what is left in the account's lots whose last usable day is before `as_of`."""
    with transaction.atomic():
        account = _locked_account(account_id)
        lots = (
            Lot.objects.select_for_update()
            .filter(account=account, remaining__gt=0, expires_on__lt=as_of)
            .order_by("expires_on")
        )
        return [_expire_lot(account, lot, on=as_of, reason="expired") for lot in lots]


def account_close_out(*, account_id: int, on: dt.date, key: str, reason: str) -> list[Entry]:
    """Forfeit every point of an account as of `on`: what had expired by then expires first."""
    _validate_key(key)
    with transaction.atomic():
        account = _locked_account(account_id)
        existing = _existing(account.program, key)
        if existing is not None:
            return [existing]
        lots = list(
            Lot.objects.select_for_update()
            .filter(account=account, remaining__gt=0)
            .order_by("expires_on")
        )
        entries = [
            _expire_lot(account, lot, on=on, reason="expired before forfeiture")
            for lot in lots
            if lot.expires_on < on
        ]
        alive = [lot for lot in lots if lot.expires_on >= on]
        if alive:
            draws = allocate(
                [LotBalance(lot.pk, lot.expires_on, lot.remaining) for lot in alive],
                sum(lot.remaining for lot in alive),
                on=on,
            )
            entries.append(
                _write_multi_lot(
                    account=account,
                    kind=EntryKind.FORFEIT,
                    draws=draws,
                    on=on,
                    key=key,
                    rule="",
                    reason=reason,
                )
            )
        return entries


def grant_revoke(*, grant: Entry, on: dt.date, key: str, reason: str) -> Entry:
    """Take back a grant from the lot it went into, as far as its points are still there."""
    _validate_key(key)
    if grant.kind != EntryKind.GRANT or grant.expires_on is None:
        raise ValueError("only a grant can be revoked")
    with transaction.atomic():
        account = _locked_account(grant.account_id)
        existing = _existing(account.program, key)
        if existing is not None:
            return existing
        lot = Lot.objects.select_for_update().get(account=account, expires_on=grant.expires_on)
        taken = min(lot.remaining, grant.points)
        if taken:
            Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - taken)
        return Entry.objects.create(
            program=account.program,
            account=account,
            kind=EntryKind.REVOKE,
            points=-taken,
            award_on=on,
            expires_on=grant.expires_on,
            rule=grant.rule,
            period=grant.period,
            idempotency_key=key,
            reason=reason,
            shortfall=grant.points - taken,
            reverses=grant,
        )


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


def points_refund(*, debit_entry: Entry, on: dt.date, key: str, reason: str) -> list[Entry]:
    """Give a debit's points back to the very lots it drew from; a part whose lot has expired
    by `on` is expired again at once. Returns the REFUND entry, then any such EXPIRE entries."""
    _validate_key(key)
    if debit_entry.expires_on is not None or debit_entry.points >= 0:
        raise ValueError("only a multi-lot debit can be refunded")
    with transaction.atomic():
        account = _locked_account(debit_entry.account_id)
        existing = _existing(account.program, key)
        if existing is not None:
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
            award_on=on,
            idempotency_key=key,
            reason=reason,
            reverses=debit_entry,
        )
        Draw.objects.bulk_create(
            Draw(entry=refund, lot=lot, account=account, points=taken[lot.pk]) for lot in lots
        )
        entries = [refund]
        for lot in lots:
            Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") + taken[lot.pk])
            if lot.expires_on < on:
                # The points came back to a lot that is no longer usable: they expire again
                # at once, as a single-lot entry of their own key, independent of the expiry job.
                Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - taken[lot.pk])
                entries.append(
                    Entry.objects.create(
                        program=account.program,
                        account=account,
                        kind=EntryKind.EXPIRE,
                        points=-taken[lot.pk],
                        award_on=on,
                        expires_on=lot.expires_on,
                        idempotency_key=f"refund-expire:{refund.pk}:{lot.pk}",
                        reason="refunded to a lot that had expired",
                        reverses=refund,
                    )
                )
        return entries
