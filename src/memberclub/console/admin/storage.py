"""Members' storage usage for SUPPORT: sizes and counts, never file names, every look audited."""

from typing import Any, ClassVar, cast

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.console.admin.audited import (
    ReadOnlyAdmin,
    choice_column,
    choice_filter,
    date_column,
)
from memberclub.members.selectors import with_left_on
from memberclub.storage.models import MemberStorage


@admin.register(MemberStorage)
class MemberStorageAdmin(ReadOnlyAdmin):
    """Per member: files kept and bytes used; SUPPORT answers questions about the quota.

    Usage is a member's data like any other: the list and each member's page write an audit
    line (AuditedAdmin), which names the member but no file.
    """

    coded_fields: ClassVar[dict[str, str]] = {"program": "program"}
    list_display = (
        "member_id",
        choice_column("program", "program", _("program")),
        "file_count",
        "used",
        date_column("membership_left_on", _("left on")),
    )
    search_fields = ("=member_id",)
    list_filter = (choice_filter("program", "program", _("program")),)
    fields = ("member_id", "program", "file_count", "used", "ended_on")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Members with their file count and bytes stored."""
        members = super().get_queryset(request)
        annotated = with_left_on(members).annotate(
            files=Count("stored_files"), bytes=Sum("stored_files__size")
        )
        return cast(QuerySet[Any], annotated)

    @admin.display(description=_("left on"), ordering="membership_left_on")
    def ended_on(self, obj: Any) -> str:
        """The first day without membership: own leaving or the program's end."""
        return formats.date(obj.membership_left_on) or "—"

    @admin.display(description=_("files"), ordering="files")
    def file_count(self, obj: Any) -> int:
        """How many files."""
        return int(obj.files or 0)

    @admin.display(description=_("storage used"), ordering="bytes")
    def used(self, obj: Any) -> str:
        """Bytes stored, as the portal shows them."""
        return formats.file_size(obj.bytes)
