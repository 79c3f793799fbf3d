"""What the staff roles (SPEC §2) may do with the catalog and redemptions."""

from typing import Any

from django.contrib.auth.models import Group, Permission

REWARDS_PERMISSIONS: dict[str, list[str]] = {
    # SUPPORT looks redemptions up and cancels requested ones (with a refund).
    "SUPPORT": [
        "rewards.view_redemption",
        "rewards.cancel_redemption",
        "rewards.view_item",
        "rewards.view_category",
    ],
    # FINANCE reads redemptions (fee payments go to billing).
    "FINANCE": ["rewards.view_redemption", "rewards.view_item"],
    # ADMIN edits the catalog, marks shipments done, cancels, and sees the code pools.
    "ADMIN": [
        "rewards.view_redemption",
        "rewards.change_redemption",
        "rewards.cancel_redemption",
        "rewards.view_item",
        "rewards.add_item",
        "rewards.change_item",
        "rewards.view_category",
        "rewards.add_category",
        "rewards.change_category",
        "rewards.view_digitalcode",
        "api.view_apikey",
    ],
}


def rewards_roles_grant(**_: Any) -> None:
    """Add the rewards permissions to the role groups (run after the groups are synced)."""
    for role, names in REWARDS_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
