"""Attempt limits: failed logins and key entries counted per ID and per client IP in a window.

The same counting applies whether or not the ID exists, so a refusal never tells which IDs do.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from memberclub.access.models import FailedAttempt

LOGIN = "login"
ACCESS_KEY = "access_key"
AUTH_KEY = "auth_key"


def _limits() -> tuple[int, int, dt.timedelta]:
    per_id = int(getattr(settings, "ATTEMPT_LIMIT_PER_ID", 5))
    per_ip = int(getattr(settings, "ATTEMPT_LIMIT_PER_IP", 50))
    window = dt.timedelta(minutes=int(getattr(settings, "ATTEMPT_WINDOW_MINUTES", 15)))
    return per_id, per_ip, window


def _ident(ident: str) -> str:
    return f"id:{ident.strip().upper()[:100]}"


def attempts_blocked(*, scope: str, ident: str, ip: str) -> bool:
    """True when the ID or the client IP has used up its failed attempts in the window."""
    per_id, per_ip, window = _limits()
    since = timezone.now() - window
    recent = FailedAttempt.objects.filter(scope=scope, at__gte=since)
    if recent.filter(subject=_ident(ident)).count() >= per_id:
        return True
    return recent.filter(subject=f"ip:{ip}").count() >= per_ip


def attempt_failed(*, scope: str, ident: str, ip: str) -> None:
    """Count one failed attempt against the ID and against the client IP."""
    now = timezone.now()
    FailedAttempt.objects.bulk_create(
        [
            FailedAttempt(scope=scope, subject=_ident(ident), at=now),
            FailedAttempt(scope=scope, subject=f"ip:{ip}", at=now),
        ]
    )


def attempts_clear(*, scope: str, ident: str) -> None:
    """Forget an ID's failed attempts after it succeeded (the IP's count stays)."""
    FailedAttempt.objects.filter(scope=scope, subject=_ident(ident)).delete()


def attempts_prune(*, as_of: dt.datetime) -> tuple[int, dt.datetime]:
    """Delete the attempts that no longer count at `as_of`; return how many and the cut-off.

    Run daily (`memberclub attempts prune`). An attempt that still counts now is never deleted,
    whatever `as_of` says, so a mistyped date cannot lift a limit.
    """
    _, _, window = _limits()
    before = min(as_of, timezone.now()) - window
    deleted, _ = FailedAttempt.objects.filter(Q(at__lt=before)).delete()
    return deleted, before
