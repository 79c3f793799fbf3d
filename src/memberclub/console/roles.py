"""Staff roles (SPEC §2) as groups with permissions, kept in step after every migrate."""

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

SUPPORT = "SUPPORT"
FINANCE = "FINANCE"
ADMIN = "ADMIN"

VIEW_MEMBER_DATA = [
    "contracts.view_contract",
    "members.view_member",
    "ledger.view_account",
    "ledger.view_lot",
    "ledger.view_entry",
    "access.view_authkey",
    "access.view_easyregistration",
    "storage.view_memberstorage",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Look up members, decide easy registrations, issue auth-key letters.
    SUPPORT: [
        *VIEW_MEMBER_DATA,
        "access.change_easyregistration",
        "access.add_authkey",
        "fulfilment.view_shipment",
    ],
    # Reports and the billing export: the ledger, read only.
    FINANCE: [
        "contracts.view_contract",
        "ledger.view_account",
        "ledger.view_lot",
        "ledger.view_entry",
        "reports.view_entrysummary",
    ],
    # Everything SUPPORT does, plus notices, staff and the audit log.
    ADMIN: [
        *VIEW_MEMBER_DATA,
        "access.change_easyregistration",
        "access.add_authkey",
        "contracts.change_contract",
        "members.change_member",
        "notifications.add_notice",
        "notifications.change_notice",
        "notifications.delete_notice",
        "notifications.view_notice",
        "console.view_auditlog",
        "reports.view_entrysummary",
        # Points adjustments (the console's adjustment form).
        "console.adjust_points",
        "fulfilment.view_shipment",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
    ],
}


def roles_sync(**_: Any) -> None:
    """Create the role groups and give each exactly its permissions."""
    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = [
            Permission.objects.filter(
                content_type__app_label=name.split(".")[0], codename=name.split(".")[1]
            ).first()
            for name in names
        ]
        group.permissions.set([p for p in permissions if p is not None])
