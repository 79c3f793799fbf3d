"""Reading the club notices."""

import datetime as dt

from django.db.models import Q

from memberclub.notifications.models import Notice


def notices_for(*, program: str, on: dt.date, limit: int = 5) -> list[Notice]:
    """The notices of a program (or of every program) shown on `on`, newest first."""
    return list(
        Notice.objects.filter(
            Q(program="") | Q(program=program),
            published_on__lte=on,
        )
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .order_by("-published_on", "-pk")[:limit]
    )
