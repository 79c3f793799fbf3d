"""Debits from several lots, and what every ledger writer shares: the account lock first."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from memberclub.domain.allocation import LotBalance, LotDraw, allocate
from memberclub.domain.errors import Refused
from memberclub.ledger import rawsql
from memberclub.ledger.columns import DRAW_COLUMNS, ENTRY_COLUMNS, column_list
from memberclub.ledger.keys import expiry_key
from memberclub.ledger.models import Account, Entry, EntryKind, Lot
from memberclub.ledger.partitions import partition_ensure_for
from memberclub.ledger.services.claims import (
    CLAIM_KEY,
    entry_of_taken_key,
    existing_entry,
    key_claim,
)

# Debits draw from several lots and record a draw per lot.
MULTI_LOT_DEBITS = (EntryKind.REDEEM, EntryKind.FORFEIT, EntryKind.ADJUST)
# The hot paths' tables in plain SQL (their values adapted and converted as the ORM would).
ACCOUNTS = rawsql.Table(Account)
LOTS = rawsql.Table(Lot)
ENTRIES = rawsql.Table(Entry)
# The entry's fields in the order of ENTRY_COLUMNS, the one column list of every writer.
ENTRY_FIELDS = [field for field in ENTRIES.fields if field.column in ENTRY_COLUMNS]


def locked_account(account_id: int) -> Account:
    """Lock the account row: the first lock every writer takes, so writers never deadlock."""
    return Account.objects.select_for_update().get(pk=account_id)


def _lock_account_row(column: str, value: int) -> Account:
    """The account row by its id or member, locked (plain SQL: this is on every hot path)."""
    found = rawsql.fetch(
        f"SELECT {ACCOUNTS.columns('a')} FROM ledger_account a WHERE a.{column} = %s"
        f"{rawsql.for_update()}",
        [value],
    )
    if not found:
        raise Account.DoesNotExist(f"no account with {column} {value}")
    return ACCOUNTS.build(found[0])


@contextmanager
def _transaction() -> Iterator[None]:
    """A transaction of its own, or else the caller's, without a savepoint: the debit refuses
    before it writes, and writes in one statement (PostgreSQL) or inside its own savepoint."""
    if transaction.get_connection().in_atomic_block:
        yield
    else:
        with transaction.atomic():
            yield


def validate_key(key: str) -> None:
    """Refuse an idempotency key the journal cannot hold."""
    if not key or len(key) > 200:
        raise Refused("an idempotency key of 1 to 200 characters is required")


def _validate_debit(kind: EntryKind, points: int, key: str) -> None:
    if kind not in MULTI_LOT_DEBITS:
        raise ValueError(f"{kind} is not a multi-lot debit")
    if points <= 0:
        raise Refused("a debit must be a positive number of points")
    validate_key(key)


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
    _validate_debit(kind, points, key)
    partition_ensure_for(on)
    with _transaction():
        account = _lock_account_row("id", account_id)
        return points_debit_locked(
            account=account, points=points, on=on, key=key, kind=kind, rule=rule, reason=reason
        ).entry


@dataclass(frozen=True)
class Debited:
    """A debit's entry, and the balance on its date right after it (None: a repeated key)."""

    entry: Entry
    balance_after: int | None


def account_lock(*, member_id: int) -> Account:
    """Lock a member's account row for the open transaction: the first lock of every writer."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("account_lock holds its lock only inside a transaction")
    return _lock_account_row("member_id", member_id)


def points_debit_locked(
    *,
    account: Account,
    points: int,
    on: dt.date,
    key: str,
    kind: EntryKind,
    rule: str = "",
    reason: str = "",
) -> Debited:
    """`points_debit` for a transaction that holds the account's lock (from `account_lock`)."""
    _validate_debit(kind, points, key)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("points_debit_locked needs the transaction that locked the account")
    # One statement locks the usable lots in expiry order and tells whether the key was used.
    # Its snapshot is taken after the account lock was granted, so it sees every earlier
    # writer of this account; a writer of another account using the same key at this moment
    # is caught by the key's claim (ON CONFLICT) below.
    lots = rawsql.fetch(
        "SELECT l.id, l.expires_on, l.remaining, EXISTS (SELECT 1 FROM ledger_entrykey k"
        " WHERE k.program = %s AND k.idempotency_key = %s) AS used FROM ledger_lot l"
        " WHERE l.account_id = %s AND l.remaining > 0 AND l.expires_on >= %s"
        f" ORDER BY l.expires_on, l.id{rawsql.for_update()}",
        [account.program, key, account.pk, LOTS.prep("expires_on", on)],
    )
    used = bool(lots[0][3]) if lots else existing_entry(account.program, key) is not None
    if used:
        return Debited(entry_of_taken_key(account.program, key), None)
    balances = [LotBalance(row[0], LOTS.convert("expires_on", row[1]), row[2]) for row in lots]
    draws = allocate(balances, points, on=on)
    entry = Entry(
        program=account.program,
        account=account,
        kind=kind,
        points=-points,
        effective_on=on,
        expires_on=None,
        rule=rule,
        period="",
        idempotency_key=key,
        reason=reason,
        shortfall=0,
        reverses=None,
    )
    if not write_multi_lot(entry, draws):
        # The same key was written for another account of the program at the same moment.
        return Debited(entry_of_taken_key(account.program, key), None)
    return Debited(entry, sum(lot.remaining for lot in balances) - points)


# An entry and its draws in one statement: the key is claimed, and the entry inserted, the lots
# lowered and the draws written only if it was, so a key taken at this moment changes nothing.
# The entry's values are cast to their columns' types: they are selected, not inserted as
# VALUES, and a parameter has no type of its own there.
WRITE_MULTI_LOT_PG = f"""
    WITH claimed AS ({CLAIM_KEY}),
    entry AS (
        INSERT INTO ledger_entry ({column_list(ENTRY_COLUMNS)})
        SELECT {{casts}} FROM claimed
        RETURNING id, created_at
    ), taken (lot_id, points) AS (VALUES {{taken}}),
    lowered AS (
        UPDATE ledger_lot SET remaining = ledger_lot.remaining + taken.points
        FROM taken, entry WHERE ledger_lot.id = taken.lot_id
    ), drawn AS (
        INSERT INTO ledger_draw ({column_list(DRAW_COLUMNS)})
        SELECT entry.id, taken.lot_id, %s, taken.points, %s::date FROM entry, taken
    )
    SELECT id, created_at FROM entry
"""
WRITE_ENTRY = (
    f"INSERT INTO ledger_entry ({column_list(ENTRY_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))}) RETURNING id, created_at"
)
WRITE_DRAW = (
    f"INSERT INTO ledger_draw ({column_list(DRAW_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(DRAW_COLUMNS))})"
)


def _casts() -> str:
    """The entry's parameters cast to their columns' types (PostgreSQL)."""
    db = rawsql.database()
    return ", ".join(f"%s::{field.db_type(db)}" for field in ENTRY_FIELDS)


def write_multi_lot(entry: Entry, draws: list[LotDraw]) -> bool:
    """Insert a multi-lot debit (its points minus the draws' sum), a draw per lot, and lower
    those lots (their locks already held); False, writing nothing, when the key is taken."""
    taken = [(draw.lot_id, -draw.points) for draw in draws]
    values = [ENTRIES.prep(field.name, getattr(entry, field.attname)) for field in ENTRY_FIELDS]
    on = ENTRIES.prep("effective_on", entry.effective_on)
    key = [entry.program, entry.idempotency_key, entry.account_id, on]
    db = rawsql.database()
    if db.vendor == "postgresql":
        sql = WRITE_MULTI_LOT_PG.format(casts=_casts(), taken=", ".join(["(%s, %s)"] * len(taken)))
        rows = rawsql.fetch(
            sql, [*key, *values, *(v for pair in taken for v in pair), entry.account_id, on]
        )
    else:
        # SQLite: the transaction already holds the only write lock; the savepoint keeps the
        # statements all or nothing even inside a caller's transaction.
        with transaction.atomic():
            rows = rawsql.fetch(WRITE_ENTRY, values) if rawsql.fetch(CLAIM_KEY, key) else []
            if rows:
                with db.cursor() as cursor:
                    cursor.executemany(
                        "UPDATE ledger_lot SET remaining = remaining + %s WHERE id = %s",
                        [(points, lot_id) for lot_id, points in taken],
                    )
                    cursor.executemany(
                        WRITE_DRAW,
                        [
                            (rows[0][0], lot_id, entry.account_id, points, on)
                            for lot_id, points in taken
                        ],
                    )
    if not rows:
        return False
    entry.pk, entry.created_at = rows[0][0], ENTRIES.convert("created_at", rows[0][1])
    entry._state.adding, entry._state.db = False, db.alias
    return True


def _expire_lot(account: Account, lot: Lot, *, on: dt.date, reason: str) -> Entry | None:
    """Write an EXPIRE entry for what is left in a lot whose last usable day is before `on`
    (None when the expiry job wrote it under the same key meanwhile)."""
    key = expiry_key(lot_id=lot.pk, as_of=on)
    effective_on = lot.expires_on + dt.timedelta(days=1)
    if not key_claim(
        program=account.program, key=key, account_id=account.pk, effective_on=effective_on
    ):
        return None
    Lot.objects.filter(pk=lot.pk).update(remaining=0)
    return Entry.objects.create(
        program=account.program,
        account=account,
        kind=EntryKind.EXPIRE,
        points=-lot.remaining,
        effective_on=effective_on,
        expires_on=lot.expires_on,
        idempotency_key=key,
        reason=reason,
    )


def account_close_out(*, account_id: int, on: dt.date, key: str, reason: str) -> list[Entry]:
    """Forfeit every point of an account as of `on`: what had expired by then expires first."""
    validate_key(key)
    partition_ensure_for(on)
    with transaction.atomic():
        account = locked_account(account_id)
        existing = existing_entry(account.program, key)
        if existing is not None:
            return [existing]
        lots = list(
            Lot.objects.select_for_update()
            .filter(account=account, remaining__gt=0)
            .order_by("expires_on")
        )
        expired = [
            _expire_lot(account, lot, on=on, reason="expired before forfeiture")
            for lot in lots
            if lot.expires_on < on
        ]
        entries = [entry for entry in expired if entry is not None]
        alive = [lot for lot in lots if lot.expires_on >= on]
        if alive:
            draws = allocate(
                [LotBalance(lot.pk, lot.expires_on, lot.remaining) for lot in alive],
                sum(lot.remaining for lot in alive),
                on=on,
            )
            forfeit = Entry(
                program=account.program,
                account=account,
                kind=EntryKind.FORFEIT,
                points=-sum(draw.points for draw in draws),
                effective_on=on,
                expires_on=None,
                rule="",
                period="",
                idempotency_key=key,
                reason=reason,
                shortfall=0,
                reverses=None,
            )
            if not write_multi_lot(forfeit, draws):
                raise IntegrityError(f"the key {key} was taken by another writer meanwhile")
            entries.append(forfeit)
        return entries
