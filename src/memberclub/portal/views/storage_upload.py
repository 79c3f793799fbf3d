"""Uploads: the form without script (multipart to /storage/) and the script's raw bodies.

Both reserve quota by Content-Length before the body is read, stream it to the backend through
the reservation and keep the files, or give everything up. Both views are exempt from the CSRF
middleware only because it would read a multipart body first with Django's own handlers (into
memory or a temporary file): the token is checked here, before a raw body is read and right
after a multipart body has been streamed (a forged post's files are given up, never kept).
"""

from collections.abc import Callable
from typing import BinaryIO, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from memberclub.domain.errors import Refused
from memberclub.domain.storage import QuotaExceeded, clean_folder
from memberclub.portal.views.storage_body import form_body, request_body
from memberclub.portal.views.storage_common import (
    Owner,
    content_length,
    error,
    owner_of,
    refusal_text,
    usage,
)
from memberclub.storage.models import Reservation, StoredFile
from memberclub.storage.selectors import storage_space
from memberclub.storage.services import ReadOnly, reservation_open
from memberclub.storage.uploads import (
    QuotaUploadHandler,
    UploadSink,
    UploadTruncated,
    on_failure,
    upload_stream,
)

FormError = Callable[[HttpRequest, Owner, str, int], HttpResponse]


def _no_response(request: HttpRequest) -> HttpResponse:
    del request
    return HttpResponse()


def _checked_view(request: HttpRequest) -> HttpResponse:
    """Stands for the upload in the CSRF check (the view is exempt only from the middleware)."""
    del request
    return HttpResponse()


def _parse_form(request: HttpRequest, sink: UploadSink) -> str:
    request.upload_handlers = [QuotaUploadHandler(sink, request=request)]
    body = request_body(request, content_length(request) or 0)
    if body is request:
        request.FILES  # noqa: B018 - parse the body now, through the handler above
    else:
        # Django's parser reads the socket directly (see form_body), and the request keeps
        # what it parsed as request.POST and request.FILES, as its own parsing would.
        # The parser only calls read(size) on what it is given.
        parsed = request.parse_file_upload(request.META, cast(BinaryIO, form_body(body)))
        request._post, request._files = parsed  # type: ignore[attr-defined]
    if sink.writer is not None:
        raise UploadTruncated
    if _csrf_rejected(request):
        raise PermissionError("CSRF")
    return clean_folder(request.POST.get("folder", ""))


@csrf_exempt
@require_POST
def upload_raw_view(request: HttpRequest) -> HttpResponse:
    """One file as the raw request body (the page's script; CSRF token in the header).

    A multipart body is taken here too, answered in JSON like the raw one.
    """
    owner = owner_of(request, api=True)
    if isinstance(owner, HttpResponse):
        return owner
    return upload(request, owner, api=True, form_error=_no_form)


def _no_form(request: HttpRequest, owner: Owner, message: str, status: int) -> HttpResponse:
    del request, owner
    return error(message, status=status)


def _csrf_rejected(request: HttpRequest) -> bool:
    return CsrfViewMiddleware(_no_response).process_view(request, _checked_view, (), {}) is not None


def _parse_raw(request: HttpRequest, sink: UploadSink) -> str:
    length = content_length(request) or 0
    body = request_body(request, length)
    upload_stream(sink, name=request.GET.get("name", ""), body=body, length=length)
    return clean_folder(request.GET.get("folder", ""))


def upload(request: HttpRequest, owner: Owner, *, api: bool, form_error: FormError) -> HttpResponse:
    """Reserve by Content-Length (refusing before the body is read), stream, then keep."""
    framed = request.content_type == "multipart/form-data"

    def refuse(text: str, status: int) -> HttpResponse:
        return error(text, status=status) if api else form_error(request, owner, text, status)

    if not framed and _csrf_rejected(request):
        return _forbidden(api)
    reserved = _reserve(request, owner, framed=framed, refuse=refuse)
    if isinstance(reserved, HttpResponse):
        return reserved
    sink = UploadSink(reserved)
    stream = _parse_form if framed else _parse_raw
    try:
        folder = on_failure(sink, lambda: stream(request, sink))
        if not sink.received:
            sink.abort()
            return refuse(_("Choose at least one file."), 400)
        kept = on_failure(sink, lambda: sink.keep(folder=folder))
    except PermissionError:
        return _forbidden(api)
    except (Refused, UploadTruncated) as refused:
        return refuse(refusal_text(refused), 413 if isinstance(refused, QuotaExceeded) else 400)
    return _kept(request, owner, kept, folder=folder, api=api)


def _kept(
    request: HttpRequest, owner: Owner, kept: list[StoredFile], *, folder: str, api: bool
) -> HttpResponse:
    """201 with the files and the usage (script), or back to the list with a message (form)."""
    if api:
        space = storage_space(member=owner.member, on=timezone.localdate())
        return JsonResponse(
            {"files": [{"id": f.pk, "name": f.name, "size": f.size} for f in kept],
             "usage": usage(space)},
            status=201,
        )  # fmt: skip
    messages.success(request, _("Uploaded: %(names)s") % {"names": "、".join(f.name for f in kept)})
    return back_to_list(folder)


def _reserve(
    request: HttpRequest,
    owner: Owner,
    *,
    framed: bool,
    refuse: Callable[[str, int], HttpResponse],
) -> Reservation | HttpResponse:
    """The reservation for the body its Content-Length announces, or the refusal."""
    length = content_length(request)
    if length is None:
        return refuse(_("The upload needs a Content-Length."), 411)
    try:
        if not owner.space.writable:
            raise ReadOnly("read-only")
        return reservation_open(
            member_id=owner.member.pk, content_length=length, framed=framed, on=timezone.localdate()
        )
    except Refused as refused:
        return refuse(refusal_text(refused), 413 if isinstance(refused, QuotaExceeded) else 409)


def _forbidden(api: bool) -> HttpResponse:
    message = _("The form has expired. Please reload the page.")
    return error(message, status=403) if api else HttpResponse(message, status=403)


def back_to_list(folder: str) -> HttpResponse:
    """303 to the list (in the folder)."""
    target = reverse("storage:list")
    if folder:
        target += "?" + urlencode({"folder": folder})
    return HttpResponseRedirect(target, status=303)
