"""The exchange flow (SPEC §7): catalog → item → agree → (auth key) → entry → はい → confirm →
送信 → done. The confirmation carries a one-time token that is the redemption's idempotency key,
so a double click, the back button or a resubmitted form make one redemption."""

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from memberclub import formats
from memberclub.domain.access import allows
from memberclub.domain.calendar import add_months
from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.domain.program import Level
from memberclub.domain.program_end import ProgramEnded
from memberclub.exchange.forms import FeePaymentForm, ShippingForm
from memberclub.ledger.selectors import account_balance
from memberclub.portal.guards import (
    MemberRequest,
    auth_key_redirect,
    level_required,
    member_required,
)
from memberclub.programs.selectors import program_on
from memberclub.rewards.errors import FeeCapExceeded, LevelRequired, OutOfStock
from memberclub.rewards.models import Item, Kind
from memberclub.rewards.selectors import (
    catalog_categories,
    catalog_item,
    catalog_items,
    fee_payment_item,
    member_redemptions,
    redemption_for_member,
)
from memberclub.rewards.services import (
    Shipping,
    digital_code_show,
    fee_payment_used,
    redemption_request,
)

DRAFTS = "exchange_drafts"
KEPT_DRAFTS = 10


def _balance(request: MemberRequest) -> int:
    return account_balance(account_id=request.member.account.pk, as_of=timezone.localdate())


def _item(request: MemberRequest, code: str) -> Item:
    try:
        return catalog_item(program=request.member.program, code=code, on=timezone.localdate())
    except Refused:
        raise Http404(code) from None


def _may(request: MemberRequest, item: Item) -> bool:
    return allows(request.level, Level(item.required_level))


@member_required
def catalog_view(request: MemberRequest) -> HttpResponse:
    """The catalog by category, optionally only what the balance affords."""
    balance = _balance(request)
    category = request.GET.get("category") or None
    affordable = request.GET.get("affordable") == "1"
    items = catalog_items(
        program=request.member.program,
        on=timezone.localdate(),
        category=category,
        affordable_with=balance if affordable else None,
    )
    return render(
        request,
        "exchange/catalog.html",
        {
            "balance": balance,
            "items": items,
            "categories": catalog_categories(program=request.member.program),
            "category": category,
            "affordable": affordable,
        },
    )


@member_required
def item_view(request: MemberRequest, code: str) -> HttpResponse:
    """One item, its terms and the 同意して交換する button."""
    item = _item(request, code)
    if item.kind == Kind.BILL_CREDIT:
        return HttpResponseRedirect(reverse("exchange:fee"))
    balance = _balance(request)
    return render(
        request,
        "exchange/item.html",
        {
            "item": item,
            "balance": balance,
            "affordable": item.points is not None and item.points <= balance,
            "in_stock": item.stock is None or item.stock > 0,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def entry_view(request: MemberRequest, code: str) -> HttpResponse:
    """The entry form (shipping details for goods), reached only at the item's level."""
    item = _item(request, code)
    if item.kind == Kind.BILL_CREDIT:
        return HttpResponseRedirect(reverse("exchange:fee"))
    if not _may(request, item):
        return auth_key_redirect(request)
    shipped = item.kind == Kind.SHIPPED
    form = ShippingForm(
        request.POST if request.method == "POST" else None,
        initial=ShippingForm.initial_from(request.member.contract),
    )
    if request.method == "POST" and (not shipped or form.is_valid()):
        shipping = form.shipping if shipped else None
        return _to_confirmation(request, item=item, points=None, shipping=shipping)
    return render(
        request,
        "exchange/entry.html",
        {"item": item, "form": form if shipped else None, "balance": _balance(request)},
    )


def _to_confirmation(
    request: MemberRequest, *, item: Item, points: int | None, shipping: Shipping | None
) -> HttpResponse:
    """Keep what was entered under a fresh one-time token and show the confirmation."""
    token = secrets.token_urlsafe(18)
    drafts: dict[str, Any] = request.session.get(DRAFTS, {})
    drafts[token] = {
        "item": item.code,
        "points": points,
        "shipping": vars(shipping) if shipping else None,
    }
    request.session[DRAFTS] = dict(list(drafts.items())[-KEPT_DRAFTS:])
    return HttpResponseRedirect(reverse("exchange:confirm", args=[token]), status=303)


@member_required
@require_http_methods(["GET", "POST"])
def confirm_view(request: MemberRequest, token: str) -> HttpResponse:
    """Item, points and the balance after; 送信 redeems once for this token, however often."""
    draft = request.session.get(DRAFTS, {}).get(token)
    done = member_redemptions(member_id=request.member.pk).filter(idempotency_key=token).first()
    if done is not None:
        return HttpResponseRedirect(reverse("exchange:done", args=[done.number]), status=303)
    if draft is None:
        messages.info(request, _("That exchange form has expired. Please start again."))
        return HttpResponseRedirect(reverse("exchange:catalog"))
    item = _item(request, draft["item"])
    shipping = Shipping(**draft["shipping"]) if draft["shipping"] else None
    points = draft["points"] if item.kind == Kind.BILL_CREDIT else item.points
    error = None
    if request.method == "POST":
        try:
            outcome = redemption_request(
                member=request.member,
                item_code=item.code,
                on=timezone.localdate(),
                key=token,
                level=request.level,
                points=draft["points"],
                shipping=shipping,
                via="portal",
            )
        except LevelRequired:
            return auth_key_redirect(request)
        except InsufficientPoints:
            error = _("You do not have enough points for this exchange.")
        except OutOfStock:
            error = _("Sorry, this item is out of stock.")
        except FeeCapExceeded as refused:
            error = _("This is over the monthly limit: %(left)s points left this month.") % {
                "left": formats.points(refused.left)
            }
        except ProgramEnded:
            error = _("The program has ended: points can no longer be exchanged.")
        except Refused as refused:
            error = str(refused)
        else:
            number = outcome.redemption.number
            return HttpResponseRedirect(reverse("exchange:done", args=[number]), status=303)
    balance = _balance(request)
    return render(
        request,
        "exchange/confirm.html",
        {
            "item": item,
            "points": points,
            "shipping": shipping,
            "balance": balance,
            "balance_after": balance - int(points or 0),
            "bill_month": add_months(timezone.localdate(), 1),
            "token": token,
            "error": error,
        },
        status=409 if error else 200,
    )


@member_required
def done_view(request: MemberRequest, number: str) -> HttpResponse:
    """The completion page with the redemption number (and a digital code, shown here)."""
    try:
        redemption = redemption_for_member(member_id=request.member.pk, number=number)
    except Refused:
        raise Http404(number) from None
    code = digital_code_show(redemption=redemption)
    return render(request, "exchange/done.html", {"redemption": redemption, "code": code})


@level_required("fee_payment")
@require_http_methods(["GET", "POST"])
def fee_view(request: MemberRequest) -> HttpResponse:
    """Fee payment: any whole number of points from 1, up to the monthly cap (PASSWORD level)."""
    today = timezone.localdate()
    try:
        item = fee_payment_item(program=request.member.program, on=today)
    except Refused:
        raise Http404("fee payment") from None
    cap = program_on(program=request.member.program, on=today).redemption.fee_payment_monthly_cap
    used = fee_payment_used(account_id=request.member.account.pk, month_start=today.replace(day=1))
    balance = _balance(request)
    most = max(0, min(cap - used, balance))
    form = FeePaymentForm(request.POST if request.method == "POST" else None, most=most)
    if request.method == "POST" and form.is_valid():
        return _to_confirmation(
            request, item=item, points=form.cleaned_data["points"], shipping=None
        )
    return render(
        request,
        "exchange/fee.html",
        {
            "item": item,
            "form": form,
            "cap": cap,
            "used": used,
            "left": cap - used,
            "balance": balance,
            "most": most,
            "quick_choices": [points for points in (500, 1000) if points < most],
            "bill_month": add_months(today, 1),
        },
    )


@level_required("points_history")
def redemptions_view(request: MemberRequest) -> HttpResponse:
    """The member's exchanges with their state, refunds and digital codes (LINE level)."""
    redemptions = list(member_redemptions(member_id=request.member.pk)[:100])
    codes = {
        r.pk: digital_code_show(redemption=r) for r in redemptions if r.kind == Kind.DIGITAL_CODE
    }
    return render(
        request, "exchange/redemptions.html", {"redemptions": redemptions, "codes": codes}
    )
