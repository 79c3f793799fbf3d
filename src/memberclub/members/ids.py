"""Member IDs: `MC` followed by ten random digits (SPEC §1)."""

import secrets


def new_member_id() -> str:
    """Return a fresh random member ID; uniqueness is enforced by the database."""
    return f"MC{secrets.randbelow(10**10):010d}"
