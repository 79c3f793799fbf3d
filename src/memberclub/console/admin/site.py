"""The console's names and menu, club notices, the audit log, and the task queue kept out."""

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from memberclub.console.admin.audited import (
    AuditedAdmin,
    ReadOnlyAdmin,
    choice_column,
    choice_filter,
    date_column,
)
from memberclub.console.dashboard import (
    REVIEW_TARGET_BUSINESS_DAYS,
    job_runs_due,
    job_runs_last,
    letters_waiting,
    mail_queue,
    program_links,
    review_queue,
)
from memberclub.console.labels import labels_apply, object_type_label
from memberclub.console.models import AuditLog
from memberclub.console.program_end import is_admin
from memberclub.notifications.models import Notice

labels_apply()
admin.site.site_header = _("memberclub console")
admin.site.site_title = _("memberclub console")
admin.site.index_title = _("Dashboard")

# The task queue's own admin speaks in task paths and tracebacks: staff see the email queue
# on the dashboard instead, and operators read the tasks with the worker's logs.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


_admin_index = admin.site.index


def _dashboard(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The console's home: the menu of the staff member's role, beside the dashboard."""
    today = timezone.localdate()
    letters, oldest_letter = letters_waiting()
    context = {
        "title": _("Dashboard"),
        "last_runs": job_runs_last(),
        "due_runs": job_runs_due(today=today),
        "email_queue": mail_queue(),
        # The program-end form is ADMIN's alone: so is the link to it.
        "program_end_links": program_links(today=today) if is_admin(request) else [],
        "letters": letters,
        "oldest_letter": oldest_letter,
        "review": review_queue(today=today),
        "review_target": REVIEW_TARGET_BUSINESS_DAYS,
        **(extra_context or {}),
    }
    return _admin_index(request, context)


admin.site.index = _dashboard  # type: ignore[method-assign,assignment]
admin.site.index_template = "console/dashboard.html"


@admin.register(Notice)
class NoticeAdmin(AuditedAdmin):
    """Club notices on the portal's top page (not member data; changes still audited)."""

    member_data = False
    list_display = (
        date_column("published_on", _("published on")),
        "title_ja",
        choice_column("program", "program", _("program")),
        date_column("until", _("shown until")),
    )


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log (read only)."""

    member_data = False
    coded_fields: ClassVar[dict[str, str]] = {"action": "audit_action"}
    list_display = (
        date_column("at", _("at")),
        "staff",
        choice_column("action", "audit_action", _("action")),
        "object_name",
        "object_id",
        "customer_id",
    )
    list_filter = (choice_filter("action", "audit_action", _("action")),)
    search_fields = ("=customer_id", "staff__username")
    # The action and the object's kind by their names.
    fields = readonly_fields = (
        "at", "staff", "action_shown", "object_name", "object_id", "customer_id", "detail",
    )  # fmt: skip

    @admin.display(description=_("object"), ordering="object_type")
    def object_name(self, obj: AuditLog) -> str:
        """The kind of object, by its name."""
        return object_type_label(obj.object_type)
