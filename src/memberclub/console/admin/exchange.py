"""The exchange in the console: ADMIN edits the catalog; SUPPORT cancels requested redemptions."""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.console.admin.audited import (
    CodedFields,
    choice_column,
    choice_filter,
    date_column,
    points_column,
)
from memberclub.console.audit import audit_record
from memberclub.domain.errors import Refused
from memberclub.fulfilment.models import Shipment
from memberclub.rewards.models import Category, DigitalCode, Item, Redemption, Status
from memberclub.rewards.services import redemption_cancel, redemption_fulfil

PROGRAM_FILTER = choice_filter("program", "program", _("program"))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """Catalog categories."""

    # The name in the reader's language (the other one is on the form).
    list_display = [
        choice_column("program", "program", _("program")), "code", "category_name", "position",
    ]  # fmt: skip
    list_filter = [PROGRAM_FILTER]

    @admin.display(description=_("name"), ordering="name_ja")
    def category_name(self, obj: Category) -> str:
        """The category's name in the reader's language."""
        return str(obj)


@admin.register(Item)
class ItemAdmin(CodedFields):
    """Catalog items; a digital code item's stock follows its pool (`memberclub codes load`)."""

    coded_fields: ClassVar[dict[str, str]] = {
        "program": "program",
        "kind": "fulfilment_kind",
        "required_level": "level",
    }
    list_display = [
        "code", "name_ja", choice_column("program", "program", _("program")), "category",
        choice_column("kind", "fulfilment_kind", _("kind")), points_column("points", _("points")),
        points_column("stock", _("stock")), date_column("active_from", _("offered from")),
        date_column("active_until", _("offered until")),
        choice_column("required_level", "level", _("access level required")),
    ]  # fmt: skip
    list_filter = [
        PROGRAM_FILTER, choice_filter("kind", "fulfilment_kind", _("kind")), "category",
    ]  # fmt: skip
    search_fields = ["code", "name_ja", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Item | None = None) -> list[str]:
        """The code and kind identify an item once it exists; a pool decides a code item's stock."""
        if obj is None:
            return []
        fields = ["code", "kind", "program"]
        if obj.kind == "DIGITAL_CODE":
            fields.append("stock")
        return self.coded(fields)


@admin.register(DigitalCode)
class DigitalCodeAdmin(admin.ModelAdmin[DigitalCode]):
    """The pools of digital codes, without the codes themselves."""

    list_display = [
        "id", "item", "redemption", date_column("loaded_at", _("loaded at")),
        date_column("shown_at", _("shown at")),
    ]  # fmt: skip
    list_filter = ["item"]
    fields = ["item", "redemption", "loaded_at", "shown_at"]
    readonly_fields = ["item", "redemption", "loaded_at", "shown_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Codes are loaded with `memberclub codes load`."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A code is never edited."""
        return False


@admin.register(Redemption)
class RedemptionAdmin(CodedFields):
    """Redemptions are read here; SUPPORT cancels REQUESTED ones, which refunds the points."""

    coded_fields: ClassVar[dict[str, str]] = {
        "program": "program",
        "kind": "fulfilment_kind",
        "status": "redemption_status",
        "via": "via",
    }
    # Seven narrow columns: the list fits a 1280 px screen beside the menu and the filters
    # (the fulfilment kind and the bill month are filters and on the detail page).
    list_display = [
        "number", "member_id_shown", "item_name", points_column("points", _("points")),
        choice_column("status", "redemption_status", _("status")),
        date_column("requested_on", _("requested on")), "bill_month_shown",
    ]  # fmt: skip
    list_filter = [
        choice_filter("status", "redemption_status", _("status")),
        choice_filter("kind", "fulfilment_kind", _("kind")),
        PROGRAM_FILTER,
    ]
    search_fields = ["number", "member__member_id", "member__contract__customer_id"]
    date_hierarchy = "requested_on"
    actions = ["cancel_redemptions", "mark_fulfilled"]
    list_select_related = ["member", "item"]

    @admin.display(description=_("member ID"), ordering="member__member_id")
    def member_id_shown(self, obj: Redemption) -> str:
        """The member's ID."""
        return obj.member.member_id

    @admin.display(description=_("item"), ordering="item__code")
    def item_name(self, obj: Redemption) -> str:
        """The item's name in the staff member's language."""
        english = translation.get_language() == "en"
        return obj.item.name_en if english else obj.item.name_ja

    @admin.display(description=_("bill month"), ordering="bill_month")
    def bill_month_shown(self, obj: Redemption) -> str:
        """The month of the bill a fee payment is credited on."""
        return formats.month(obj.bill_month) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Redemption | None = None) -> list[str]:
        """Every field: a redemption changes only through its services."""
        return self.coded([field.name for field in Redemption._meta.fields])

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Redemptions are the member's own act (portal or API)."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The record of an exchange is kept."""
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """SUPPORT (and ADMIN) hold rewards.cancel_redemption."""
        return request.user.has_perm("rewards.cancel_redemption")

    @admin.action(description=_("Cancel and refund (requested only)"), permissions=["cancel"])
    def cancel_redemptions(
        self, request: HttpRequest, queryset: QuerySet[Redemption]
    ) -> TemplateResponse | None:
        """Ask for a reason, then cancel each selected redemption with a refund."""
        reason = request.POST.get("reason", "").strip()
        if "confirm" not in request.POST or not reason:
            return TemplateResponse(
                request,
                "admin/rewards/redemption/cancel.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Cancel redemptions"),
                    "redemptions": queryset,
                    "reason_missing": "confirm" in request.POST,
                    "opts": self.model._meta,
                },
            )
        for redemption in queryset:
            try:
                redemption_cancel(
                    redemption_id=redemption.pk,
                    on=timezone.localdate(),
                    by=request.user.get_username(),
                    reason=reason,
                )
            except Refused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                audit_record(
                    staff=request.user,
                    action="cancel",
                    object_type="rewards.Redemption",
                    object_id=redemption.pk,
                    detail=reason,
                )
                self.message_user(
                    request,
                    gettext("%(number)s was canceled and its points refunded.")
                    % {"number": redemption.number},
                )
        return None

    @admin.action(description=_("Mark fulfilled (shipped or provided)"), permissions=["change"])
    def mark_fulfilled(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> None:
        """Mark requested shipments and services as done."""
        done = 0
        for redemption in queryset.filter(status=Status.REQUESTED).exclude(kind="DIGITAL_CODE"):
            if redemption_fulfil(redemption_id=redemption.pk):
                done += 1
                audit_record(
                    staff=request.user,
                    action="fulfil",
                    object_type="rewards.Redemption",
                    object_id=redemption.pk,
                )
        self.message_user(
            request,
            ngettext(
                "%(count)s redemption marked fulfilled.",
                "%(count)s redemptions marked fulfilled.",
                done,
            )
            % {"count": formats.points(done)},
        )


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    """Tracking numbers from the vendor's answers (`memberclub fulfilment import`)."""

    list_display = [
        "redemption", "tracking_number", date_column("shipped_on", _("shipped on")),
        date_column("imported_at", _("imported at")),
    ]  # fmt: skip
    search_fields = ["redemption__number", "tracking_number"]
    readonly_fields = ["redemption", "tracking_number", "shipped_on", "imported_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Answers come from the vendor's file."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A corrected answer file corrects a number."""
        return False
