"""The console's read-only view of members' storage usage: sizes and counts, never names."""

from typing import Any, cast

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest

from memberclub import formats
from memberclub.storage.models import MemberStorage


@admin.register(MemberStorage)
class MemberStorageAdmin(admin.ModelAdmin):
    """Per member: files kept and bytes used; SUPPORT answers questions about the quota."""

    list_display = ("member_id", "program", "file_count", "used", "left_on")
    search_fields = ("member_id",)
    list_filter = ("program",)
    fields = ("member_id", "program", "file_count", "used", "left_on")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Members with their file count and bytes stored."""
        members = super().get_queryset(request)
        annotated = members.annotate(files=Count("stored_files"), bytes=Sum("stored_files__size"))
        return cast(QuerySet[Any], annotated)

    @admin.display(description="ファイル数", ordering="files")
    def file_count(self, obj: Any) -> int:
        """How many files."""
        return int(obj.files or 0)

    @admin.display(description="使用量", ordering="bytes")
    def used(self, obj: Any) -> str:
        """Bytes stored, as the portal shows them."""
        return formats.file_size(obj.bytes)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Usage is derived from the files: nothing to add."""
        del request
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Read-only."""
        del request, obj
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Read-only."""
        del request, obj
        return False
