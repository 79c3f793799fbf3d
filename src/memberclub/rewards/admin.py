"""Console pages: ADMIN edits the catalog; SUPPORT cancels requested redemptions."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.rewards.models import Category, DigitalCode, Item, Redemption, Status
from memberclub.rewards.services import redemption_cancel, redemption_fulfil


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """Catalog categories."""

    list_display = ["program", "code", "name_ja", "name_en", "position"]
    list_filter = ["program"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    """Catalog items; a digital code item's stock follows its pool (`memberclub codes load`)."""

    list_display = [
        "code", "name_ja", "program", "category", "kind", "points", "stock", "active_from",
        "active_until", "required_level",
    ]  # fmt: skip
    list_filter = ["program", "kind", "category"]
    search_fields = ["code", "name_ja", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Item | None = None) -> list[str]:
        """The code and kind identify an item once it exists; a pool decides a code item's stock."""
        if obj is None:
            return []
        fields = ["code", "kind", "program"]
        if obj.kind == "DIGITAL_CODE":
            fields.append("stock")
        return fields


@admin.register(DigitalCode)
class DigitalCodeAdmin(admin.ModelAdmin[DigitalCode]):
    """The pools of digital codes, without the codes themselves."""

    list_display = ["id", "item", "redemption", "loaded_at", "shown_at"]
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
class RedemptionAdmin(admin.ModelAdmin[Redemption]):
    """Redemptions are read here; SUPPORT cancels REQUESTED ones, which refunds the points."""

    list_display = [
        "number", "member", "item", "kind", "points", "status", "requested_on", "bill_month",
    ]  # fmt: skip
    list_filter = ["status", "kind", "program"]
    search_fields = ["number", "member__member_id", "member__contract__customer_id"]
    date_hierarchy = "requested_on"
    actions = ["cancel_redemptions", "mark_fulfilled"]

    def get_readonly_fields(self, request: HttpRequest, obj: Redemption | None = None) -> list[str]:
        """Every field: a redemption changes only through its services."""
        return [field.name for field in Redemption._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Redemptions are the member's own act (portal or API)."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The record of an exchange is kept."""
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """SUPPORT (and ADMIN) hold rewards.cancel_redemption."""
        return request.user.has_perm("rewards.cancel_redemption")

    @admin.action(description="Cancel and refund (REQUESTED only)", permissions=["cancel"])
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
                    "title": "Cancel redemptions",
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
                self.message_user(request, f"{redemption.number} cancelled; points refunded")
        return None

    @admin.action(description="Mark fulfilled (shipped or provided)", permissions=["change"])
    def mark_fulfilled(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> None:
        """Mark requested shipments and services as done."""
        done = sum(
            redemption_fulfil(redemption_id=r.pk)
            for r in queryset.filter(status=Status.REQUESTED).exclude(kind="DIGITAL_CODE")
        )
        self.message_user(request, f"{done} marked fulfilled")
