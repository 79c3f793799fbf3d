"""What every storage view asks first: whose files a request reaches, and how refusals read.

A request reaches the files of the logged-in member at the level the program file names for
`storage`, or of a former member signed in at /storage/former/ until the keep date (read-only).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from memberclub import formats
from memberclub.access.gate import level_missing
from memberclub.domain.storage import QuotaExceeded
from memberclub.members.models import Member
from memberclub.members.selectors import former_members
from memberclub.portal.guards import auth_key_redirect, current_level
from memberclub.storage.selectors import Space, storage_space
from memberclub.storage.services import NameTaken, ReadOnly
from memberclub.storage.uploads import UploadTruncated
from memberclub.web import request_member

FORMER_MEMBER = "storage_former_member"


@dataclass(frozen=True)
class Owner:
    """Whose files a request reaches, and what it may do with them."""

    member: Member
    space: Space


def former_member(request: HttpRequest, today: dt.date) -> Owner | None:
    """A former member signed in for their files, while the keep date has not passed."""
    member_pk = request.session.get(FORMER_MEMBER)
    if member_pk is None:
        return None
    member = former_members(Member.objects.filter(pk=member_pk)).first()
    if member is None:
        return None
    space = storage_space(member=member, on=today)
    if space.read_only_until is None or space.read_only_until < today:
        request.session.pop(FORMER_MEMBER, None)
        return None
    return Owner(member, space)


def owner_of(request: HttpRequest, *, api: bool) -> Owner | HttpResponse:
    """The owner behind a request, or the answer that turns it away."""
    today = timezone.localdate()
    member = request_member(request)
    if member is None:
        former = former_member(request, today)
        if former is not None:
            return former
        if api:
            return error(_("Please log in again."), status=403)
        return HttpResponseRedirect(f"{reverse('portal:login')}?next={request.path}")
    request.member = member  # type: ignore[attr-defined]
    request.level = current_level(request, member)  # type: ignore[attr-defined]
    if level_missing(member=member, action="storage", level=request.level, on=today):  # type: ignore[attr-defined]
        if api:
            return error(_("This needs a higher access level."), status=403)
        return auth_key_redirect(request)
    space = storage_space(member=member, on=today)
    if not space.offered:
        raise Http404("no storage in this program")
    return Owner(member, space)


def error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def refusal_text(refused: Exception) -> str:
    """The member's-language message of a refused storage action."""
    if isinstance(refused, QuotaExceeded):
        return _("Not enough space: %(free)s free.") % {"free": formats.file_size(refused.free)}
    if isinstance(refused, ReadOnly):
        return _("Your membership has ended: your files can only be downloaded.")
    if isinstance(refused, NameTaken):
        return _("A file with this name is already in this folder.")
    if isinstance(refused, UploadTruncated):
        return _("The upload was interrupted. Please try again.")
    return _("This name cannot be used: use a name without slashes or control characters.")


def content_length(request: HttpRequest) -> int | None:
    """The body's announced length; a chunked body without one cannot be reserved for."""
    if "HTTP_TRANSFER_ENCODING" in request.META:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "0")
    except ValueError:
        return None
    return length if length >= 0 else None


def usage(space: Space) -> dict[str, Any]:
    usage = space.usage
    return {
        "used": usage.stored,
        "quota": usage.quota,
        "text": _("%(used)s / %(quota)s")
        % {"used": formats.file_size(usage.stored), "quota": formats.file_size(usage.quota)},
    }
