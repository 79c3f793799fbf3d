"""The program-end banner of every portal page and the page that refuses a closed registration."""

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from memberclub.domain.program_end import RegistrationClosed
from memberclub.programs.ending import announced_ends


def program_end_banner(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the announced ends of the member's program (a visitor: of any)."""
    member = getattr(request, "member", None)
    try:
        ends = announced_ends(
            on=timezone.localdate(), program=member.program if member is not None else None
        )
    except DatabaseError:
        # An error page during a database outage still renders, without the banner.
        return {"program_ends": [], "program_ended": False}
    language = translation.get_language() or "ja"
    return {
        "program_ends": [{"end": end, "name": end.name(language)} for end in ends],
        "program_ended": any(end.ended for end in ends),
    }


def registration_closed_page(request: HttpRequest, error: RegistrationClosed) -> HttpResponse:
    """The clear page shown instead of a registration step once registration has closed."""
    del error
    return render(request, "portal/registration_closed.html", status=403)
