"""The console: Django admin for staff, every change and every view of member data audited."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from memberclub.access.authkeys import auth_key_request
from memberclub.access.models import AuthKey, EasyRegistration, EasyStatus
from memberclub.console.audit import audit_record
from memberclub.console.models import AuditLog
from memberclub.contracts.models import Contract
from memberclub.domain.errors import Refused
from memberclub.ledger.models import Account, Entry, Lot
from memberclub.ledger.selectors import account_balance
from memberclub.members.models import Member
from memberclub.membership.registration import (
    easy_candidates,
    easy_registration_approve,
    easy_registration_reject,
)
from memberclub.notifications.models import Notice

admin.site.site_header = "memberclub コンソール"
admin.site.site_title = "memberclub コンソール"
admin.site.index_title = "運用メニュー"


def _customer_id(obj: Model | None) -> str:
    """The customer ID an object belongs to, for the audit log."""
    contract: Contract | None = None
    if isinstance(obj, Contract):
        contract = obj
    elif isinstance(obj, Member | AuthKey | EasyRegistration):
        contract = obj.contract
    elif isinstance(obj, Account):
        contract = obj.member.contract
    elif isinstance(obj, Entry | Lot):
        contract = obj.account.member.contract
    return contract.customer_id if contract is not None else ""


class AuditedAdmin(admin.ModelAdmin):
    """Writes the audit log for every change and, for member data, every view."""

    member_data = True

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Log a look at a list of member data, with the search that produced it."""
        if self.member_data and request.method == "GET":
            audit_record(
                staff=request.user,
                action="view_list",
                object_type=self.model._meta.label,
                detail=request.GET.urlencode(),
            )
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        """Log a look at one member's data."""
        if self.member_data and request.method == "GET":
            obj = self.get_object(request, object_id)
            audit_record(
                staff=request.user,
                action="view",
                object_type=self.model._meta.label,
                object_id=object_id,
                customer_id=_customer_id(obj),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log an addition."""
        self._audit(request, obj, "add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log a change."""
        self._audit(request, obj, "change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        """Log deletions."""
        for obj in queryset:
            self._audit(request, obj, "delete", "")
        return super().log_deletions(request, queryset)

    def _audit(self, request: HttpRequest, obj: Model, action: str, message: Any) -> None:
        audit_record(
            staff=request.user,
            action=action,
            object_type=obj._meta.label,
            object_id=obj.pk,
            customer_id=_customer_id(obj),
            detail=str(message),
        )


class ReadOnlyAdmin(AuditedAdmin):
    """The ledger is written by services only: the console shows it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No additions."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No changes."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No deletions."""
        return False


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    """Contracts from the feed; the access key digest is never shown."""

    list_display = ("customer_id", "program", "plan", "holder_name", "status", "postal_code")
    list_filter = ("program", "status", "plan")
    search_fields = ("=customer_id", "holder_name", "phone", "postal_code")
    exclude = ("access_key_digest",)
    readonly_fields = ("customer_id", "program", "updated_at")
    show_full_result_count = False


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    """Members; SUPPORT issues auth-key letters from here."""

    list_display = ("member_id", "nickname", "contract", "program", "joined_on", "left_on")
    list_filter = ("program", "source", "language")
    search_fields = ("=member_id", "=contract__customer_id", "email")
    list_select_related = ("contract",)
    readonly_fields = (
        "member_id",
        "user",
        "contract",
        "program",
        "joined_on",
        "left_on",
        "source",
        "balance",
    )
    actions = ["issue_auth_key_letter"]
    show_full_result_count = False

    @admin.display(description="ポイント残高")
    def balance(self, obj: Member) -> int:
        """Points spendable today."""
        return account_balance(account_id=obj.account.pk, as_of=timezone.localdate())

    @admin.action(description="認証キーの郵送を手配する", permissions=["issue_letter"])
    def issue_auth_key_letter(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        """Queue an auth-key letter for each selected current member."""
        issued = 0
        for member in queryset.filter(left_on__isnull=True).select_related("contract"):
            auth_key = auth_key_request(member=member, by="staff")
            audit_record(
                staff=request.user,
                action="issue_letter",
                object_type="access.AuthKey",
                object_id=auth_key.pk,
                customer_id=member.contract.customer_id,
            )
            issued += 1
        self.message_user(request, f"{issued} 件の認証キー郵送を手配しました。", messages.SUCCESS)

    def has_issue_letter_permission(self, request: HttpRequest) -> bool:
        """SUPPORT and ADMIN issue letters."""
        return request.user.has_perm("access.add_authkey")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Points accounts (read only)."""

    list_display = ("id", "program", "member", "created_at")
    search_fields = ("=member__member_id", "=member__contract__customer_id")
    list_select_related = ("member",)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    """Lots (read only)."""

    list_display = ("id", "account", "program", "expires_on", "granted", "remaining")
    search_fields = ("=account__member__member_id", "=account__member__contract__customer_id")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Journal entries (read only)."""

    list_display = (
        "id",
        "account",
        "kind",
        "points",
        "effective_on",
        "expires_on",
        "rule",
        "reason",
    )
    list_filter = ("program", "kind", "rule")
    search_fields = ("=account__member__member_id", "=account__member__contract__customer_id")
    show_full_result_count = False


@admin.register(AuthKey)
class AuthKeyAdmin(ReadOnlyAdmin):
    """Auth-key letters; the key itself is never stored in clear."""

    list_display = ("id", "member", "status", "requested_at", "issued_on", "valid_until")
    list_filter = ("status",)
    exclude = ("key_hash",)
    search_fields = ("=member__member_id", "=contract__customer_id")


class ApproveForm(forms.Form):
    """Approval picks the contract."""

    customer_id = forms.CharField(label="お客さまID", max_length=20)


class RejectForm(forms.Form):
    """Rejection gives a reason, which the applicant reads."""

    reason = forms.CharField(
        label="却下理由（申請者へのメールに記載されます）", widget=forms.Textarea
    )


@admin.register(EasyRegistration)
class EasyRegistrationAdmin(AuditedAdmin):
    """The easy-registration review queue: approve with a contract, or reject with a reason."""

    list_display = (
        "id",
        "created_at",
        "holder_name",
        "postal_code",
        "status",
        "match_note",
        "review",
    )
    list_filter = ("status",)
    search_fields = ("holder_name", "phone", "email")
    readonly_fields = [f.name for f in EasyRegistration._meta.fields]
    ordering = ("status", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Requests come from the portal only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Requests are kept."""
        return False

    @admin.display(description="審査")
    def review(self, obj: EasyRegistration) -> str:
        """A link to the review page while the request waits."""
        if obj.status != EasyStatus.PENDING:
            return "—"
        url = reverse("admin:access_easyregistration_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">審査する</a>', url)

    def get_urls(self) -> list[URLPattern]:
        """Add the review page."""
        review = path(
            "<int:request_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="access_easyregistration_review",
        )
        return [review, *super().get_urls()]

    def review_view(self, request: HttpRequest, request_id: int) -> HttpResponse:
        """Show the request with candidate contracts; approve or reject it."""
        if not request.user.has_perm("access.change_easyregistration"):
            raise PermissionDenied
        easy = get_object_or_404(EasyRegistration, pk=request_id)
        typed = request.POST.get("customer_id_text", "").strip()
        approve_form = ApproveForm(
            {"customer_id": typed or request.POST.get("customer_id", "")}
            if "approve" in request.POST
            else None
        )
        reject_form = RejectForm(request.POST if "reject" in request.POST else None)
        site_url = request.build_absolute_uri("/").rstrip("/")
        staff = request.user
        assert isinstance(staff, AbstractBaseUser)
        try:
            if "approve" in request.POST and approve_form.is_valid():
                customer_id = approve_form.cleaned_data["customer_id"]
                easy_registration_approve(
                    request_id=easy.pk, customer_id=customer_id, staff=staff, site_url=site_url
                )
                audit_record(
                    staff=staff,
                    action="approve",
                    object_type="access.EasyRegistration",
                    object_id=easy.pk,
                    customer_id=customer_id.strip().upper(),
                )
                self.message_user(request, "承認しました。申請者に登録用リンクを送ります。")
                return HttpResponseRedirect(reverse("admin:access_easyregistration_changelist"))
            if "reject" in request.POST and reject_form.is_valid():
                reason = reject_form.cleaned_data["reason"]
                easy_registration_reject(
                    request_id=easy.pk, reason=reason, staff=staff, site_url=site_url
                )
                audit_record(
                    staff=staff,
                    action="reject",
                    object_type="access.EasyRegistration",
                    object_id=easy.pk,
                    detail=reason,
                )
                self.message_user(request, "却下しました。申請者に理由をお知らせします。")
                return HttpResponseRedirect(reverse("admin:access_easyregistration_changelist"))
        except Refused as error:
            self.message_user(request, str(error), messages.ERROR)
        candidates = easy_candidates(
            postal_code=easy.postal_code, phone=easy.phone, holder_name=easy.holder_name
        )
        audit_record(
            staff=staff,
            action="view",
            object_type="access.EasyRegistration",
            object_id=easy.pk,
            detail="review: " + " ".join(c.customer_id for c in candidates[:20]),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"らくらく登録の審査 #{easy.pk}",
            "easy": easy,
            "candidates": candidates[:20],
            "approve_form": approve_form,
            "reject_form": reject_form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "console/easy_review.html", context)


@admin.register(Notice)
class NoticeAdmin(AuditedAdmin):
    """Club notices on the portal's top page."""

    member_data = False
    list_display = ("published_on", "title_ja", "program", "until")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log (read only)."""

    member_data = False
    list_display = ("at", "staff", "action", "object_type", "object_id", "customer_id")
    list_filter = ("action", "object_type")
    search_fields = ("=customer_id", "staff__username")
