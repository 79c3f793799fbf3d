"""The points adjustment form of ADMIN: a reason is required and a double submit adds once."""

import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.console.audit import audit_record
from memberclub.console.labels import choice_label
from memberclub.console.reasons import reason_text
from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member

# Who may adjust: the ADMIN role holds this permission, SUPPORT and FINANCE do not.
ADJUST_PERMISSION = "console.adjust_points"
HISTORY_ROWS = 50


class AdjustmentForm(forms.Form):
    """Points to add (or take away, negative), the day they count from, and why."""

    points = forms.IntegerField(
        label=_("points (negative to take away)"), min_value=-1_000_000, max_value=1_000_000
    )
    on = forms.DateField(label=_("effective date"), widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(label=_("reason (shown in the member's history)"), max_length=500)
    # One key per form shown: submitting the same form twice writes one adjustment.
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def clean_points(self) -> int:
        """Zero changes nothing, so it is refused."""
        points = int(self.cleaned_data["points"])
        if points == 0:
            raise forms.ValidationError(gettext("Enter a number of points other than 0."))
        return points

    def clean_reason(self) -> str:
        """A reason of spaces only is no reason."""
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(gettext("Enter the reason."))
        return reason


def adjust_view(
    model_admin: admin.ModelAdmin[Member], request: HttpRequest, member_id: int
) -> HttpResponse:
    """Show the form for one member, or write the adjustment and go back to the member."""
    if not request.user.has_perm(ADJUST_PERMISSION):
        raise PermissionDenied
    member = get_object_or_404(Member.objects.select_related("contract", "account"), pk=member_id)
    today = timezone.localdate()
    if request.method == "POST":
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = points_adjust(
                    account_id=member.account.pk,
                    points=data["points"],
                    on=data["on"],
                    reason=data["reason"],
                    key=f"console-adjust:{data['key']}",
                )
            except InsufficientPoints as error:
                form.add_error(
                    "points",
                    gettext("Only %(available)s points can be taken away on that day.")
                    % {"available": formats.points(error.available)},
                )
            except Refused:
                form.add_error(None, gettext("The adjustment was refused: check the figures."))
            else:
                audit_record(
                    staff=request.user,
                    action="adjust",
                    object_type="ledger.Entry",
                    object_id=entry.pk,
                    customer_id=member.contract.customer_id,
                    detail=f"{entry.points:+d} {entry.reason}",
                )
                model_admin.message_user(
                    request,
                    gettext("Adjusted by %(points)s points. Balance: %(balance)s points.")
                    % {
                        "points": f"{entry.points:+,}",
                        "balance": formats.points(
                            account_balance(account_id=member.account.pk, as_of=today)
                        ),
                    },
                )
                return HttpResponseRedirect(
                    reverse("admin:members_member_change", args=[member.pk])
                )
    else:
        form = AdjustmentForm(initial={"on": today, "key": uuid.uuid4().hex})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Adjust the points of %(member)s") % {"member": member.member_id},
        "member": member,
        "balance": account_balance(account_id=member.account.pk, as_of=today),
        "form": form,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "console/adjust.html", context)


def history_html(member: Member) -> Any:
    """The member's latest journal entries as a small table, each with its reason."""
    entries = Entry.objects.filter(account=member.account).order_by("-effective_on", "-id")[
        :HISTORY_ROWS
    ]
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td class='num'>{}</td><td>{}</td></tr>",
        (
            (
                formats.date(entry.effective_on),
                choice_label("entry_kind", entry.kind),
                f"{entry.points:+,}",
                reason_text(entry.reason),
            )
            for entry in entries
        ),
    )
    return format_html(
        "<table id='history'><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        gettext("effective date"),
        gettext("kind"),
        gettext("points"),
        gettext("reason"),
        rows,
    )
