"""Writing the audit log."""

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from memberclub.console.models import AuditLog


def audit_record(
    *,
    staff: AbstractBaseUser | AnonymousUser,
    action: str,
    object_type: str,
    object_id: object = "",
    customer_id: str = "",
    detail: str = "",
) -> None:
    """Write one line of the audit log."""
    AuditLog.objects.create(
        at=timezone.now(),
        staff_id=cast(int, staff.pk),
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:40],
        customer_id=customer_id[:20],
        detail=detail,
    )
