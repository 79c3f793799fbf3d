"""The member's settings: email address, password, preferences, trusted devices."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from memberclub.access.devices import device_revoke, devices_of
from memberclub.domain.errors import Refused
from memberclub.membership.profile import (
    email_change_confirm,
    email_change_request,
    preferences_update,
)
from memberclub.portal.forms import EmailChangeForm, PreferencesForm
from memberclub.portal.guards import MemberRequest, level_required
from memberclub.portal.views.common import set_language_cookie, site_url
from memberclub.portal.views.errors import page_not_found


def _page(
    request: MemberRequest,
    *,
    email_form: EmailChangeForm | None = None,
    password_form: PasswordChangeForm | None = None,
    preferences_form: PreferencesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = request.member
    password_form = password_form or PasswordChangeForm(member.user)
    # Django focuses the old password; on a page of several forms that would scroll away.
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return render(
        request,
        "portal/settings.html",
        {
            "email_form": email_form or EmailChangeForm(),
            "password_form": password_form,
            "preferences_form": preferences_form
            or PreferencesForm(
                initial={"language": member.language, "mail_opt_in": member.mail_opt_in}
            ),
            "devices": devices_of(member=member),
        },
        status=status,
    )


@level_required("change_settings")
def settings_view(request: MemberRequest) -> HttpResponse:
    """All settings on one page (LINE level)."""
    return _page(request)


@require_POST
@level_required("change_settings")
def email_change_view(request: MemberRequest) -> HttpResponse:
    """Send a confirmation link to the new address."""
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _page(request, email_form=form, status=400)
    email_change_request(
        member=request.member, new_email=form.cleaned_data["email"], site_url=site_url(request)
    )
    messages.success(
        request,
        _("We sent a confirmation link to %(email)s. Your address changes when you open it.")
        % {"email": form.cleaned_data["email"]},
    )
    return HttpResponseRedirect(reverse("portal:settings"))


def email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Apply the new address from the emailed link."""
    try:
        member = email_change_confirm(token=token)
    except Refused:
        return render(request, "portal/link_invalid.html", status=410)
    return render(request, "portal/email_confirmed.html", {"email": member.email})


@require_POST
@level_required("change_settings")
def password_change_view(request: MemberRequest) -> HttpResponse:
    """Change the password; this session stays logged in."""
    form = PasswordChangeForm(request.member.user, request.POST)
    if not form.is_valid():
        return _page(request, password_form=form, status=400)
    user = form.save()
    update_session_auth_hash(request, user)
    messages.success(request, _("Your password has been changed."))
    return HttpResponseRedirect(reverse("portal:settings"))


@require_POST
@level_required("change_settings")
def preferences_view(request: MemberRequest) -> HttpResponse:
    """Change the language and the mail magazine choice."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _page(request, preferences_form=form, status=400)
    language = form.cleaned_data["language"]
    preferences_update(
        member=request.member, language=language, mail_opt_in=form.cleaned_data["mail_opt_in"]
    )
    messages.success(request, _("Your preferences have been saved."))
    response = HttpResponseRedirect(reverse("portal:settings"))
    set_language_cookie(response, language)
    return response


@require_POST
@level_required("change_settings")
def device_revoke_view(request: MemberRequest, device_id: int) -> HttpResponse:
    """Stop trusting one of the member's devices."""
    if not device_revoke(member=request.member, device_id=device_id):
        return page_not_found(request)
    messages.success(request, _("The device is no longer trusted."))
    return HttpResponseRedirect(reverse("portal:settings"))
