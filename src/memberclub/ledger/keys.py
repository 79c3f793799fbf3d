"""Idempotency keys that two writers build, one in Python and one in SQL, kept side by side."""

import datetime as dt

# What is left in a lot expired as of a date: by the expiry job (SQL) and by a close-out,
# which expires what had expired before forfeiting (Python). Either may run first.
EXPIRY_KEY_SQL = "'expire:' || {lot_id} || ':' || {as_of_text}"


def expiry_key(*, lot_id: int, as_of: dt.date) -> str:
    """The key of the EXPIRE entry of a lot as of a date (EXPIRY_KEY_SQL in Python)."""
    return f"expire:{lot_id}:{as_of.isoformat()}"
