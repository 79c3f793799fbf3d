"""Online storage pages (/storage/): the list with the usage bar, download, rename, delete.

Every view asks `owner_of` first (storage_common); uploads are in storage_upload.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from memberclub.domain.errors import Refused
from memberclub.domain.storage import clean_folder, clean_name
from memberclub.portal.views.storage_common import Owner, owner_of, refusal_text, usage
from memberclub.portal.views.storage_download import download_response
from memberclub.portal.views.storage_upload import back_to_list, upload
from memberclub.storage.models import StoredFile
from memberclub.storage.selectors import (
    SORTS,
    member_file,
    member_files,
    member_folders,
    storage_space,
)
from memberclub.storage.services import file_delete, file_rename


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def storage_view(request: HttpRequest) -> HttpResponse:
    """The file list with the usage bar; a POST is the upload form without script.

    The POST is exempt from the CSRF middleware only: storage_upload checks the token itself.
    """
    owner = owner_of(request, api=False)
    if isinstance(owner, HttpResponse):
        return owner
    if request.method == "POST":
        return upload(request, owner, api=False, form_error=_form_error)
    return _list_page(request, owner)


def _list_page(request: HttpRequest, owner: Owner, status: int = 200) -> HttpResponse:
    try:
        folder = clean_folder(request.GET.get("folder", ""))
    except Refused:
        folder = ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    space = storage_space(member=owner.member, on=timezone.localdate())
    used, quota = space.usage.stored, space.usage.quota
    percent = min(100, round(used * 100 / quota)) if quota else 0
    return render(
        request,
        "storage/list.html",
        {
            "space": space,
            "usage": usage(space),
            "percent": percent,
            "folder": folder,
            "folders": [] if folder else member_folders(member_id=owner.member.pk),
            "files": member_files(member_id=owner.member.pk, folder=folder, sort=sort),
            "sort": sort,
        },
        status=status,
    )


def _form_error(request: HttpRequest, owner: Owner, message: str, status: int) -> HttpResponse:
    """The list page again with the refusal on top."""
    messages.error(request, message)
    return _list_page(request, owner, status)


@require_http_methods(["GET", "HEAD"])
def download_view(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """Stream a file as an attachment, resuming from a Range."""
    owner = owner_of(request, api=False)
    if isinstance(owner, HttpResponse):
        return owner
    stored = member_file(member_id=owner.member.pk, file_id=file_id)
    if stored is None:
        raise Http404("no such file")
    return download_response(request, stored)


def _writable_file(request: HttpRequest, file_id: int) -> tuple[Owner, StoredFile] | HttpResponse:
    owner = owner_of(request, api=False)
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
        messages.error(request, refusal_text(error))
        return back_to_list(stored.folder)
    messages.success(request, _("Renamed to %(name)s.") % {"name": name})
    return back_to_list(folder)


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
        messages.error(request, refusal_text(error))
        return back_to_list(stored.folder)
    messages.success(request, _("Deleted %(name)s.") % {"name": stored.name})
    return back_to_list(stored.folder)
