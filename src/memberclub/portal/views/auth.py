"""Logging in and out, the language switch, and password reset."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from memberclub.members.models import Member
from memberclub.portal.forms import LoginForm, MemberPasswordResetForm
from memberclub.portal.views.common import safe_next, set_language_cookie


def login_view(request: HttpRequest) -> HttpResponse:
    """Member ID and password; the session key is rotated by Django's login."""
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user)
        member = Member.objects.get(user=form.user)
        response = HttpResponseRedirect(safe_next(request, reverse("portal:top")))
        set_language_cookie(response, member.language)
        return response
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session (the trusted-device cookie stays: it belongs to the browser)."""
    logout(request)
    messages.success(request, _("You have logged out."))
    return HttpResponseRedirect(reverse("portal:top"))


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch the page language of this browser."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, reverse("portal:top")))
    if language in dict(settings.LANGUAGES):
        set_language_cookie(response, language)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email address; the answer is the same whether it is known."""

    form_class = MemberPasswordResetForm
    template_name = "portal/password_reset_form.html"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """Tell the visitor to look at their mail."""

    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link."""

    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """The password was changed."""

    template_name = "portal/password_reset_complete.html"
