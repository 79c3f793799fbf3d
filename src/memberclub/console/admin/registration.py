"""The easy-registration review queue: approve with a contract, or reject with a reason."""

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from memberclub.access.models import EasyRegistration, EasyStatus
from memberclub.console.admin.audited import (
    AuditedAdmin,
    choice_column,
    choice_filter,
    date_column,
)
from memberclub.console.audit import audit_record
from memberclub.contracts.models import Contract
from memberclub.domain.errors import Refused
from memberclub.membership.registration import (
    easy_candidates,
    easy_registration_approve,
    easy_registration_reject,
    normalise_digits,
    normalise_name,
)


class ApproveForm(forms.Form):
    """Approval picks the contract."""

    customer_id = forms.CharField(label=_("customer ID"), max_length=20)


class RejectForm(forms.Form):
    """Rejection gives a reason, which the applicant reads."""

    reason = forms.CharField(
        label=_("Reason for rejection (the applicant reads it in an email)"),
        widget=forms.Textarea,
    )


def _address(text: str) -> str:
    """An address compared without spaces and with half-width digits."""
    return normalise_name(text)


@dataclass(frozen=True)
class Candidate:
    """A candidate contract and which of the applicant's details differ from it."""

    contract: Contract
    name_differs: bool
    phone_differs: bool
    address_differs: bool


def candidates_compared(easy: EasyRegistration, contracts: list[Contract]) -> list[Candidate]:
    """Each candidate with the details where it differs from the request (normalised)."""
    return [
        Candidate(
            contract=contract,
            name_differs=normalise_name(contract.holder_name) != normalise_name(easy.holder_name),
            phone_differs=normalise_digits(contract.phone) != normalise_digits(easy.phone),
            address_differs=_address(contract.address) != _address(easy.address),
        )
        for contract in contracts
    ]


@admin.register(EasyRegistration)
class EasyRegistrationAdmin(AuditedAdmin):
    """The easy-registration review queue: approve with a contract, or reject with a reason."""

    list_display = (
        "id",
        date_column("created_at", _("received at")),
        "holder_name",
        "postal_code",
        choice_column("status", "easy_status", _("status")),
        "match_note",
        "review",
    )
    list_filter = (choice_filter("status", "easy_status", _("status")),)
    search_fields = ("holder_name", "phone", "email")
    readonly_fields = [f.name for f in EasyRegistration._meta.fields]
    coded_fields: ClassVar[dict[str, str]] = {"status": "easy_status", "language": "language"}
    ordering = ("status", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Requests come from the portal only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Requests are kept."""
        return False

    @admin.display(description=_("review"))
    def review(self, obj: EasyRegistration) -> str:
        """A link to the review page while the request waits."""
        if obj.status != EasyStatus.PENDING:
            return "—"
        url = reverse("admin:access_easyregistration_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Review"))

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
                self.message_user(
                    request, gettext("Approved. The applicant is sent the registration link.")
                )
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
                self.message_user(request, gettext("Rejected. The applicant is told the reason."))
                return HttpResponseRedirect(reverse("admin:access_easyregistration_changelist"))
        except Refused as error:
            self.message_user(request, str(error), messages.ERROR)
        candidates = easy_candidates(
            postal_code=easy.postal_code, phone=easy.phone, holder_name=easy.holder_name
        )[:20]
        audit_record(
            staff=staff,
            action="view",
            object_type="access.EasyRegistration",
            object_id=easy.pk,
            detail="review: " + " ".join(c.customer_id for c in candidates),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Easy registration review #%(number)s") % {"number": easy.pk},
            "easy": easy,
            "candidates": candidates_compared(easy, candidates),
            "approve_form": approve_form,
            "reject_form": reject_form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "console/easy_review.html", context)
