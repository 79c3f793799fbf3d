"""Online storage pages (/storage/): list, upload, download, rename, delete.

Every view asks `_owner` first: the logged-in member at the level the program file names for
`storage`, or a former member signed in to fetch their files until the keep date (read-only).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from memberclub import formats
from memberclub.domain.access import allows
from memberclub.domain.errors import Refused
from memberclub.domain.storage import QuotaExceeded, clean_folder, clean_name
from memberclub.members.models import Member
from memberclub.portal.guards import auth_key_redirect, current_level, member_of, needed_level
from memberclub.portal.views.storage_download import download_response
from memberclub.storage.models import StoredFile
from memberclub.storage.selectors import (
    SORTS,
    Space,
    member_file,
    member_files,
    member_folders,
    storage_space,
)
from memberclub.storage.services import (
    NameTaken,
    ReadOnly,
    file_delete,
    file_rename,
    reservation_open,
)
from memberclub.storage.uploads import (
    QuotaUploadHandler,
    UploadSink,
    UploadTruncated,
    on_failure,
    upload_stream,
)

FORMER_MEMBER = "storage_former_member"


@dataclass(frozen=True)
class Owner:
    """Whose files a request reaches, and what it may do with them."""

    member: Member
    space: Space


def _former_member(request: HttpRequest, today: dt.date) -> Owner | None:
    """A former member signed in for their files, while the keep date has not passed."""
    member_pk = request.session.get(FORMER_MEMBER)
    if member_pk is None:
        return None
    member = Member.objects.filter(pk=member_pk, left_on__isnull=False).first()
    if member is None:
        return None
    space = storage_space(member=member, on=today)
    if space.read_only_until is None or space.read_only_until < today:
        request.session.pop(FORMER_MEMBER, None)
        return None
    return Owner(member, space)


def _owner(request: HttpRequest, *, api: bool) -> Owner | HttpResponse:
    """The owner behind a request, or the answer that turns it away."""
    today = timezone.localdate()
    member = member_of(request)
    if member is None:
        former = _former_member(request, today)
        if former is not None:
            return former
        if api:
            return _error(_("Please log in again."), status=403)
        return HttpResponseRedirect(f"{reverse('portal:login')}?next={request.path}")
    request.member = member  # type: ignore[attr-defined]
    request.level = current_level(request, member)  # type: ignore[attr-defined]
    if not allows(request.level, needed_level(member, "storage")):  # type: ignore[attr-defined]
        if api:
            return _error(_("This needs a higher access level."), status=403)
        return auth_key_redirect(request)
    space = storage_space(member=member, on=today)
    if not space.offered:
        raise Http404("no storage in this program")
    return Owner(member, space)


def _error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _refusal_text(error: Exception) -> str:
    """The member's-language message of a refused storage action."""
    if isinstance(error, QuotaExceeded):
        return _("Not enough space: %(free)s free.") % {"free": formats.file_size(error.free)}
    if isinstance(error, ReadOnly):
        return _("Your membership has ended: your files can only be downloaded.")
    if isinstance(error, NameTaken):
        return _("A file with this name is already in this folder.")
    if isinstance(error, UploadTruncated):
        return _("The upload was interrupted. Please try again.")
    return _("This name cannot be used: use a name without slashes or control characters.")


def _content_length(request: HttpRequest) -> int | None:
    """The body's announced length; a chunked body without one cannot be reserved for."""
    if "HTTP_TRANSFER_ENCODING" in request.META:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "0")
    except ValueError:
        return None
    return length if length >= 0 else None


def _usage(space: Space) -> dict[str, Any]:
    usage = space.usage
    return {
        "used": usage.stored,
        "quota": usage.quota,
        "text": _("%(used)s / %(quota)s")
        % {"used": formats.file_size(usage.stored), "quota": formats.file_size(usage.quota)},
    }


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def storage_view(request: HttpRequest) -> HttpResponse:
    """The file list with the usage bar; a POST is the upload form without script.

    The POST is CSRF-exempt only for the middleware, which would parse the body first with its
    own handlers (into memory or a temporary file): `_parse_form` checks the token by hand once
    the body has been streamed through the quota handler, and a forged request's files are
    given up, never kept.
    """
    owner = _owner(request, api=False)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        return _upload(request, owner, framed=True, stream=_parse_form)
    return _list_page(request, owner)


def _list_page(request: HttpRequest, owner: Owner, status: int = 200) -> HttpResponse:
    try:
        folder = clean_folder(request.GET.get("folder", ""))
    except Refused:
        folder = ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    space = storage_space(member=owner.member, on=timezone.localdate())
    usage = space.usage
    percent = min(100, round(usage.stored * 100 / usage.quota)) if usage.quota else 0
    return render(
        request,
        "storage/list.html",
        {
            "space": space,
            "usage": _usage(space),
            "percent": percent,
            "folder": folder,
            "folders": [] if folder else member_folders(member_id=owner.member.pk),
            "files": member_files(member_id=owner.member.pk, folder=folder, sort=sort),
            "sort": sort,
            "former": member_of(request) is None,
        },
        status=status,
    )


def _back_to_list(request: HttpRequest, folder: str) -> HttpResponseRedirect:
    target = reverse("storage:list")
    if folder:
        target += "?" + urlencode({"folder": folder})
    return HttpResponseRedirect(target, status=303)


def _no_response(request: HttpRequest) -> HttpResponse:
    del request
    return HttpResponse()


def _checked_view(request: HttpRequest) -> HttpResponse:
    """Stands for the upload in the CSRF check (the view is exempt only from the middleware)."""
    del request
    return HttpResponse()


def _parse_form(request: HttpRequest, sink: UploadSink) -> str:
    request.upload_handlers = [QuotaUploadHandler(sink, request=request)]
    request.FILES  # noqa: B018 - parse the body now, through the handler above
    if sink.writer is not None:
        raise UploadTruncated
    rejected = CsrfViewMiddleware(_no_response).process_view(request, _checked_view, (), {})
    if rejected is not None:
        raise PermissionError("CSRF")
    return clean_folder(request.POST.get("folder", ""))


@require_POST
def upload_raw_view(request: HttpRequest) -> HttpResponse:
    """One file as the raw request body (the page's script; CSRF token in the header)."""
    owner = _owner(request, api=True)
    if isinstance(owner, HttpResponse):
        return owner
    return _upload(request, owner, framed=False, stream=_parse_raw)


def _parse_raw(request: HttpRequest, sink: UploadSink) -> str:
    length = _content_length(request) or 0
    upload_stream(
        sink, name=request.GET.get("name", ""), body=cast(IO[bytes], request), length=length
    )
    return clean_folder(request.GET.get("folder", ""))


def _upload(
    request: HttpRequest,
    owner: Owner,
    *,
    framed: bool,
    stream: Callable[[HttpRequest, UploadSink], str],
) -> HttpResponse:
    """Reserve by Content-Length (refusing before the body is read), stream, then keep."""
    api = not framed
    length = _content_length(request)
    if length is None:
        message = _("The upload needs a Content-Length.")
        return _error(message, status=411) if api else _form_error(request, owner, message, 411)
    try:
        if not owner.space.writable:
            raise ReadOnly("read-only")
        reservation = reservation_open(
            member_id=owner.member.pk, content_length=length, framed=framed, on=timezone.localdate()
        )
    except Refused as error:
        status = 413 if isinstance(error, QuotaExceeded) else 409
        text = _refusal_text(error)
        return _error(text, status=status) if api else _form_error(request, owner, text, status)
    sink = UploadSink(reservation)
    try:
        folder = on_failure(sink, lambda: stream(request, sink))
        if not sink.received:
            sink.abort()
            raise Refused("no file")
        kept = on_failure(sink, lambda: sink.keep(folder=folder))
    except PermissionError:
        return HttpResponse(_("The form has expired. Please reload the page."), status=403)
    except (Refused, UploadTruncated) as error:
        status = 413 if isinstance(error, QuotaExceeded) else 400
        no_file = str(error) == "no file"
        text = _("Choose at least one file.") if no_file else _refusal_text(error)
        return _error(text, status=status) if api else _form_error(request, owner, text, status)
    if api:
        space = storage_space(member=owner.member, on=timezone.localdate())
        return JsonResponse(
            {"files": [{"id": f.pk, "name": f.name, "size": f.size} for f in kept],
             "usage": _usage(space)},
            status=201,
        )  # fmt: skip
    messages.success(request, _("Uploaded: %(names)s") % {"names": "、".join(f.name for f in kept)})
    return _back_to_list(request, folder)


def _form_error(request: HttpRequest, owner: Owner, message: str, status: int) -> HttpResponse:
    """The list page again with the refusal on top."""
    messages.error(request, message)
    return _list_page(request, owner, status)


@require_http_methods(["GET", "HEAD"])
def download_view(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """Stream a file as an attachment, resuming from a Range."""
    owner = _owner(request, api=False)
    if isinstance(owner, HttpResponse):
        return owner
    stored = member_file(member_id=owner.member.pk, file_id=file_id)
    if stored is None:
        raise Http404("no such file")
    return download_response(request, stored)


def _writable_file(request: HttpRequest, file_id: int) -> tuple[Owner, StoredFile] | HttpResponse:
    owner = _owner(request, api=False)
    if isinstance(owner, HttpResponse):
        return owner
    stored = member_file(member_id=owner.member.pk, file_id=file_id)
    if stored is None:
        raise Http404("no such file")
    return owner, stored


@require_POST
def rename_view(request: HttpRequest, file_id: int) -> HttpResponse:
    """Rename a file or move it to another folder."""
    found = _writable_file(request, file_id)
    if isinstance(found, HttpResponse):
        return found
    owner, stored = found
    try:
        name = clean_name(request.POST.get("name", ""))
        folder = clean_folder(request.POST.get("folder", stored.folder))
        file_rename(member_id=owner.member.pk, file_id=stored.pk, name=name, folder=folder)
    except Refused as error:
        messages.error(request, _refusal_text(error))
        return _back_to_list(request, stored.folder)
    messages.success(request, _("Renamed to %(name)s.") % {"name": name})
    return _back_to_list(request, folder)


@require_POST
def delete_view(request: HttpRequest, file_id: int) -> HttpResponse:
    """Delete a file."""
    found = _writable_file(request, file_id)
    if isinstance(found, HttpResponse):
        return found
    owner, stored = found
    try:
        file_delete(member_id=owner.member.pk, file_id=stored.pk)
    except Refused as error:
        messages.error(request, _refusal_text(error))
        return _back_to_list(request, stored.folder)
    messages.success(request, _("Deleted %(name)s.") % {"name": stored.name})
    return _back_to_list(request, stored.folder)
