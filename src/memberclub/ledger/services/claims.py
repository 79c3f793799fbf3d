"""Idempotency keys: claimed in `ledger_entrykey` before an entry is written, and looked up."""

import datetime as dt

from memberclub.domain.errors import Refused
from memberclub.ledger import rawsql
from memberclub.ledger.models import Entry

ENTRIES = rawsql.Table(Entry)


def existing_entry(program: str, key: str) -> Entry | None:
    """The program's entry written under `key`, if any: a repeated key returns it.

    Found through the key's row, which names the entry's account and date, so the journal is
    read in one partition by its (account, date) index rather than scanned for the key."""
    found = Entry.objects.raw(
        "SELECT e.* FROM ledger_entrykey k JOIN ledger_entry e"
        " ON e.account_id = k.account_id AND e.effective_on = k.effective_on"
        " AND e.program = k.program AND e.idempotency_key = k.idempotency_key"
        " WHERE k.program = %s AND k.idempotency_key = %s",
        [program, key],
    )
    return next(iter(found), None)


def entry_of_taken_key(program: str, key: str) -> Entry:
    """The entry of a key found taken: written by now, since a key is claimed in its entry's
    own transaction, unless its fiscal year has been archived (detached, docs/operations.md)."""
    entry = existing_entry(program, key)
    if entry is None:
        raise Refused(f"the entry of key {key!r} is in an archived fiscal year of the journal")
    return entry


# Claim a key before writing its entry: a row only when the key is new (SPEC §6, the key
# unique per program whatever the entry's date). A writer of the same key in flight makes
# this wait for its end, then skip once it has committed.
CLAIM_KEY = (
    "INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING account_id"
)


def key_claim(*, program: str, key: str, account_id: int, effective_on: dt.date) -> bool:
    """Claim an idempotency key for an entry about to be written; False when it is taken."""
    return bool(
        rawsql.fetch(
            CLAIM_KEY, [program, key, account_id, ENTRIES.prep("effective_on", effective_on)]
        )
    )
