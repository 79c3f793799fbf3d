"""The console: Django admin for staff, in the staff member's language, every change audited.

One module per area: `audited` (the audit-log base classes and column helpers), `members`
(contracts, members and their points), `adjustments` (the points adjustment form),
`exchange` (the catalog and redemptions), `registration` (the easy-registration review),
`reports` (the finance reports), `storage` (members' storage usage), `staff` (users and
roles) and `site` (names, notices, the audit log and the menu).
"""

from memberclub.console.admin import (
    audited,
    exchange,
    members,
    registration,
    reports,
    site,
    staff,
    storage,
)

__all__ = ["audited", "exchange", "members", "registration", "reports", "site", "staff", "storage"]
