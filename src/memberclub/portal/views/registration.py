"""Standard and easy registration, and the one-time link that completes both."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from memberclub.access import attempts
from memberclub.contracts.models import Contract
from memberclub.domain.errors import Refused
from memberclub.domain.program_end import RegistrationClosed
from memberclub.membership.registration import (
    contract_verify,
    easy_registration_submit,
    signup_complete,
    signup_for,
    signup_start,
)
from memberclub.portal.forms import (
    TOO_MANY,
    AccessKeyForm,
    EasyRegistrationForm,
    SignupCompleteForm,
    SignupEmailForm,
)
from memberclub.portal.program_end import registration_closed_page
from memberclub.portal.views.common import set_language_cookie, site_url
from memberclub.programs.ending import registration_check
from memberclub.web import client_ip

SESSION_CONTRACT = "signup_contract"


def register_view(request: HttpRequest) -> HttpResponse:
    """Step 1: the customer ID and access key of the service start notice."""
    form = AccessKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer_id = form.cleaned_data["customer_id"].strip().upper()
        ip = client_ip(request)
        if attempts.attempts_blocked(scope=attempts.ACCESS_KEY, ident=customer_id, ip=ip):
            form.add_error(None, TOO_MANY)
        else:
            contract = contract_verify(
                customer_id=customer_id, access_key=form.cleaned_data["access_key"]
            )
            if contract is None:
                attempts.attempt_failed(scope=attempts.ACCESS_KEY, ident=customer_id, ip=ip)
                form.add_error(
                    None,
                    translation.gettext(
                        "We could not register with this customer ID and access key. Check "
                        "them on your service start notice. A contract that already has a "
                        "member cannot be registered again."
                    ),
                )
            else:
                attempts.attempts_clear(scope=attempts.ACCESS_KEY, ident=customer_id)
                try:
                    registration_check(program=contract.program, on=timezone.localdate())
                except RegistrationClosed as closed:
                    return registration_closed_page(request, closed)
                request.session.cycle_key()
                request.session[SESSION_CONTRACT] = contract.pk
                return HttpResponseRedirect(reverse("portal:register_email"))
    return render(request, "portal/register.html", {"form": form, "step": 1})


def register_email_view(request: HttpRequest) -> HttpResponse:
    """Step 2: the email address the one-time link goes to, and a nickname."""
    contract_id = request.session.get(SESSION_CONTRACT)
    contract = Contract.objects.filter(pk=contract_id).first() if contract_id else None
    if contract is None:
        return HttpResponseRedirect(reverse("portal:register"))
    form = SignupEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signup_start(
                contract=contract,
                email=form.cleaned_data["email"],
                nickname=form.cleaned_data["nickname"],
                language=translation.get_language() or "ja",
                site_url=site_url(request),
                easy=False,
            )
        except RegistrationClosed as closed:
            return registration_closed_page(request, closed)
        del request.session[SESSION_CONTRACT]
        return render(
            request,
            "portal/register_sent.html",
            {"email": form.cleaned_data["email"], "step": 3},
        )
    return render(request, "portal/register_email.html", {"form": form, "step": 2})


def signup_complete_view(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4, from the emailed link: password and preferences; the member ID is shown."""
    signup = signup_for(token=token)
    if signup is None:
        return render(request, "portal/link_invalid.html", status=410)
    form = SignupCompleteForm(
        request.POST or None,
        initial={"language": signup.language, "mail_opt_in": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = signup_complete(
                token=token,
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"],
                mail_opt_in=form.cleaned_data["mail_opt_in"],
                today=timezone.localdate(),
                site_url=site_url(request),
            )
        except RegistrationClosed as closed:
            return registration_closed_page(request, closed)
        except Refused:
            return render(request, "portal/link_invalid.html", status=410)
        response = render(request, "portal/signup_done.html", {"new_member": member, "step": 5})
        set_language_cookie(response, member.language)
        return response
    return render(
        request, "portal/signup_complete.html", {"form": form, "signup": signup, "step": 4}
    )


def easy_view(request: HttpRequest) -> HttpResponse:
    """Easy registration: the request is matched at once or goes to the review queue."""
    form = EasyRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            easy_registration_submit(
                **form.cleaned_data,
                language=translation.get_language() or "ja",
                site_url=site_url(request),
            )
        except RegistrationClosed as closed:
            return registration_closed_page(request, closed)
        # The same page whatever the match found: the answer comes by email.
        return render(request, "portal/easy_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "portal/easy.html", {"form": form})
