"""The member's own pages: top, contract details, points history, auth key, leaving."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from memberclub.access import attempts
from memberclub.access.authkeys import KeyOutcome, auth_key_enter, auth_key_request, live_key
from memberclub.access.devices import COOKIE_NAME, device_trust
from memberclub.domain.program import Level
from memberclub.ledger.selectors import account_balance
from memberclub.membership.profile import member_leave
from memberclub.notifications.selectors import notices_for
from memberclub.portal.forms import (
    HISTORY_KINDS,
    TOO_MANY,
    AuthKeyForm,
    HistoryFilterForm,
    LeaveForm,
)
from memberclub.portal.guards import (
    SESSION_LEVEL,
    MemberRequest,
    level_required,
)
from memberclub.portal.views.common import safe_next
from memberclub.programs.selectors import program_on
from memberclub.rewards.selectors import account_history, points_summary
from memberclub.web import client_ip, request_member


def top_view(request: HttpRequest) -> HttpResponse:
    """The member's top page, or the club's front page for a visitor."""
    if request_member(request) is None:
        return render(request, "portal/home_anon.html")
    return member_top(request)


@level_required("balance")
def member_top(request: MemberRequest) -> HttpResponse:
    """Nickname, balance, the next expiry date and its points (by the program's rule), club
    notices."""
    member, today = request.member, timezone.localdate()
    definition = program_on(program=member.program, on=today)
    summary = points_summary(account_id=member.account.pk, program=member.program, as_of=today)
    return render(
        request,
        "portal/home.html",
        {
            "balance": summary.balance,
            "expiring": summary.expiring_points,
            "expiring_on": summary.expiring_on,
            "program_name": (
                definition.name_ja if request.LANGUAGE_CODE == "ja" else definition.name_en
            ),
            "notices": notices_for(program=member.program, on=today),
        },
    )


@level_required("contract_details")
def contract_view(request: MemberRequest) -> HttpResponse:
    """The contract behind the membership (LINE level)."""
    return render(request, "portal/contract.html", {"contract": request.member.contract})


@level_required("points_history")
def history_view(request: MemberRequest) -> HttpResponse:
    """Every change of the member's points, newest first, with the balance after each; filtered
    by kind and period, 20 a page (LINE level)."""
    form = HistoryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "kinds": HISTORY_KINDS.get(form.cleaned_data["kind"], ()),
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    entries = account_history(account_id=request.member.account.pk, **filters)
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/history.html",
        {"page": page, "form": form, "filtered": any(filters.values())},
    )


@level_required("request_auth_key")
def auth_key_view(request: MemberRequest) -> HttpResponse:
    """Request an auth key letter, or enter the key from it to trust this browser."""
    member = request.member
    form = AuthKeyForm(request.POST if request.POST.get("action") == "enter" else None)
    next_url = safe_next(request, "")
    if request.method == "POST" and request.POST.get("action") == "request":
        auth_key_request(member=member)
        messages.success(
            request,
            _("Your auth key letter is being prepared. It is posted to your contract address."),
        )
        return HttpResponseRedirect(request.get_full_path())
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if attempts.attempts_blocked(scope=attempts.AUTH_KEY, ident=member.member_id, ip=ip):
            form.add_error(None, TOO_MANY)
        else:
            outcome = auth_key_enter(
                member=member, key=form.cleaned_data["key"], today=timezone.localdate()
            )
            if outcome == KeyOutcome.ACCEPTED:
                return _trust_browser(request, next_url or reverse("portal:top"))
            attempts.attempt_failed(scope=attempts.AUTH_KEY, ident=member.member_id, ip=ip)
            form.add_error("key", _key_error(outcome))
    return render(
        request,
        "portal/auth_key.html",
        {"form": form, "auth_key": live_key(member=member), "next": next_url},
    )


def _key_error(outcome: KeyOutcome) -> str:
    if outcome == KeyOutcome.VOIDED:
        return _("The key was entered wrongly too many times and is now void. Request a new one.")
    if outcome == KeyOutcome.NO_KEY:
        return _("You have no valid auth key. Request a new letter below.")
    return _("The key is not correct.")


def _trust_browser(request: MemberRequest, target: str) -> HttpResponse:
    """Remember this browser as the member's trusted device; the level rises to LINE."""
    member = request.member
    days = program_on(program=member.program, on=timezone.localdate()).access.trusted_device_days
    label = request.headers.get("User-Agent", "")
    _device, token = device_trust(member=member, label=label, days=days)
    request.session.cycle_key()
    request.session[SESSION_LEVEL] = str(Level.LINE)
    messages.success(request, _("This browser is now registered as a trusted device."))
    response = HttpResponseRedirect(target)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=days * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@level_required("leave")
def leave_view(request: MemberRequest) -> HttpResponse:
    """Leave the club: a warning with the points that will be forfeited, then a confirmation."""
    member, today = request.member, timezone.localdate()
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        forfeited = member_leave(member=member, on=today)
        logout(request)
        return render(request, "portal/left.html", {"forfeited": forfeited})
    balance = account_balance(account_id=member.account.pk, as_of=today)
    return render(request, "portal/leave.html", {"form": form, "balance": balance})
