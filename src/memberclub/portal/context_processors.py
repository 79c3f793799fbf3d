"""What every portal page needs to know: the member, the level, demo mode."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """Expose the guarded member and level (when a guard ran) and demo mode to templates."""
    return {
        "member": getattr(request, "member", None),
        "level": getattr(request, "level", None),
        "demo_mode": settings.DEMO_MODE,
    }
