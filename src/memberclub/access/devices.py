"""Trusted devices: browsers that entered a valid auth key, remembered by a cookie token."""

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from memberclub.access.models import TrustedDevice
from memberclub.members.models import Member

COOKIE_NAME = "mc_device"


def token_digest(token: str) -> str:
    """The stored form of a device or link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_trust(*, member: Member, label: str, days: int) -> tuple[TrustedDevice, str]:
    """Register this browser as a trusted device of `member`; return it and its cookie token."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    device = TrustedDevice.objects.create(
        member=member,
        token_digest=token_digest(token),
        label=label[:200],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    return device, token


def device_is_trusted(*, member: Member, token: str | None) -> bool:
    """True when the cookie token names a live trusted device of this very member."""
    if not token:
        return False
    return TrustedDevice.objects.filter(
        member=member,
        token_digest=token_digest(token),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


def devices_of(*, member: Member) -> list[TrustedDevice]:
    """The member's live trusted devices, newest first."""
    return list(
        TrustedDevice.objects.filter(
            member=member, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )


def device_revoke(*, member: Member, device_id: int) -> bool:
    """Revoke one of the member's own devices; another member's device is not found."""
    updated = TrustedDevice.objects.filter(
        member=member, pk=device_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(updated)
