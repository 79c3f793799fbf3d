"""Contracts, members and their points in the console (read by SUPPORT, FINANCE and ADMIN)."""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.access.authkeys import auth_key_request
from memberclub.access.models import AuthKey
from memberclub.console.admin.adjustments import ADJUST_PERMISSION, adjust_view, history_html
from memberclub.console.admin.audited import (
    AuditedAdmin,
    ReadOnlyAdmin,
    account_member,
    choice_column,
    choice_filter,
    date_column,
    points_column,
)
from memberclub.console.audit import audit_record
from memberclub.console.reasons import reason_text
from memberclub.contracts.models import Contract
from memberclub.ledger.models import Account, Entry, Lot
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.members.selectors import current_members, with_left_on

PROGRAM_FILTER = choice_filter("program", "program", _("program"))


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    """Contracts from the feed; the access key digest is never shown."""

    coded_fields: ClassVar[dict[str, str]] = {
        "program": "program",
        "plan": "plan",
        "status": "contract_status",
        "holder_kind": "holder_kind",
        "discount": "discount",
    }
    list_display = (
        "customer_id",
        choice_column("program", "program", _("program")),
        choice_column("plan", "plan", _("plan")),
        "holder_name",
        choice_column("status", "contract_status", _("status")),
        "postal_code",
    )
    list_filter = (
        PROGRAM_FILTER,
        choice_filter("status", "contract_status", _("status")),
        choice_filter("plan", "plan", _("plan")),
    )
    search_fields = ("=customer_id", "holder_name", "phone", "postal_code")
    exclude = ("access_key_digest",)
    readonly_fields = ("customer_id", "program", "updated_at")
    show_full_result_count = False


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    """Members; SUPPORT issues auth-key letters from here."""

    coded_fields: ClassVar[dict[str, str]] = {
        "program": "program",
        "language": "language",
        "source": "source",
    }
    list_display = (
        "member_id",
        "nickname",
        "contract",
        choice_column("program", "program", _("program")),
        date_column("joined_on", _("joined on")),
        date_column("membership_left_on", _("left on")),
    )
    list_filter = (
        PROGRAM_FILTER,
        choice_filter("source", "source", _("registered by")),
        choice_filter("language", "language", _("language")),
    )
    search_fields = ("=member_id", "=contract__customer_id", "email")
    list_select_related = ("contract",)
    # A member leaves through the leaving service (points forfeited, storage kept until its
    # date), never by a date typed here: the form shows the day membership ended, read only.
    exclude = ("left_on",)
    readonly_fields = (
        "member_id",
        "user",
        "contract",
        "program",
        "joined_on",
        "ended_on",
        "source",
        "balance",
        "adjust",
        "history",
    )
    actions = ["issue_auth_key_letter"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        """Members with the day each membership ended (own leaving or the program's end)."""
        return with_left_on(super().get_queryset(request))

    @admin.display(description=_("left on"), ordering="membership_left_on")
    def ended_on(self, obj: Member) -> str:
        """The first day without membership: own leaving or the program's end."""
        return formats.date(getattr(obj, "membership_left_on", obj.left_on)) or "—"

    @admin.display(description=_("points balance"))
    def balance(self, obj: Member) -> str:
        """Points spendable today."""
        return formats.points(
            account_balance(account_id=obj.account.pk, as_of=timezone.localdate())
        )

    @admin.display(description=_("points adjustment"))
    def adjust(self, obj: Member) -> str:
        """A link to the adjustment form, for those who may adjust."""
        url = reverse("admin:members_member_adjust", args=[obj.pk])
        return format_html(
            '<a class="button" id="adjust" href="{}">{}</a>', url, gettext("Adjust points")
        )

    @admin.display(description=_("points history"))
    def history(self, obj: Member) -> Any:
        """The latest entries, with the reason of each adjustment."""
        return history_html(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The adjustment link only for ADMIN."""
        fields = super().get_readonly_fields(request, obj)
        if not request.user.has_perm(ADJUST_PERMISSION):
            fields = [name for name in fields if name != "adjust"]
        return fields

    def get_urls(self) -> list[URLPattern]:
        """Add the adjustment form."""
        adjust = path(
            "<int:member_id>/adjust/",
            self.admin_site.admin_view(self.adjust_view),
            name="members_member_adjust",
        )
        return [adjust, *super().get_urls()]

    def adjust_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        """The points adjustment form of one member."""
        return adjust_view(self, request, member_id)

    @admin.action(description=_("Arrange auth-key letters by post"), permissions=["issue_letter"])
    def issue_auth_key_letter(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        """Queue an auth-key letter for each selected current member."""
        issued = 0
        current = current_members(queryset)
        for member in current.select_related("contract"):
            auth_key = auth_key_request(member=member, by="staff")
            audit_record(
                staff=request.user,
                action="issue_letter",
                object_type="access.AuthKey",
                object_id=auth_key.pk,
                customer_id=member.contract.customer_id,
            )
            issued += 1
        message = ngettext(
            "Arranged %(count)s auth-key letter.", "Arranged %(count)s auth-key letters.", issued
        ) % {"count": formats.points(issued)}
        self.message_user(request, message, messages.SUCCESS)

    def has_issue_letter_permission(self, request: HttpRequest) -> bool:
        """SUPPORT and ADMIN issue letters."""
        return request.user.has_perm("access.add_authkey")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Points accounts (read only)."""

    coded_fields: ClassVar[dict[str, str]] = {"program": "program"}
    list_display = (
        "id",
        choice_column("program", "program", _("program")),
        "member",
        date_column("created_at", _("created at")),
    )
    search_fields = ("=member__member_id", "=member__contract__customer_id")
    list_select_related = ("member",)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    """Lots (read only)."""

    coded_fields: ClassVar[dict[str, str]] = {"program": "program"}
    list_display = (
        "id",
        account_member,
        choice_column("program", "program", _("program")),
        date_column("expires_on", _("usable through")),
        points_column("granted", _("points credited")),
        points_column("remaining", _("points left")),
    )
    search_fields = ("=account__member__member_id", "=account__member__contract__customer_id")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Journal entries (read only); an adjustment shows its reason."""

    coded_fields: ClassVar[dict[str, str]] = {
        "program": "program",
        "kind": "entry_kind",
        "rule": "rule",
    }
    list_display = (
        "id",
        account_member,
        choice_column("kind", "entry_kind", _("kind")),
        points_column("points", _("points")),
        date_column("effective_on", _("effective date")),
        date_column("expires_on", _("usable through")),
        choice_column("rule", "rule", _("rule")),
        "reason_shown",
    )
    list_filter = (
        PROGRAM_FILTER,
        choice_filter("kind", "entry_kind", _("kind")),
        choice_filter("rule", "rule", _("rule")),
    )
    search_fields = ("=account__member__member_id", "=account__member__contract__customer_id")
    list_select_related = ("account__member",)
    show_full_result_count = False

    @admin.display(description=_("reason"))
    def reason_shown(self, obj: Entry) -> str:
        """The reason, a system-written one in the staff member's language."""
        return reason_text(obj.reason)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The reason as staff read it, in its place."""
        fields = super().get_fields(request, obj)
        return list(dict.fromkeys("reason_shown" if name == "reason" else name for name in fields))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Everything is read only; the reason is shown through reason_shown."""
        return [*super().get_readonly_fields(request, obj), "reason_shown"]


@admin.register(AuthKey)
class AuthKeyAdmin(ReadOnlyAdmin):
    """Auth-key letters; the key itself is never stored in clear."""

    coded_fields: ClassVar[dict[str, str]] = {
        "status": "auth_key_status",
        "requested_by": "requested_by",
    }
    list_display = (
        "id",
        "member",
        choice_column("status", "auth_key_status", _("status")),
        date_column("requested_at", _("requested at")),
        date_column("issued_on", _("issued on")),
        date_column("valid_until", _("valid until")),
    )
    list_filter = (choice_filter("status", "auth_key_status", _("status")),)
    exclude = ("key_hash",)
    search_fields = ("=member__member_id", "=contract__customer_id")
