"""Former members sign in here to download their files until the keep date (read-only)."""

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from memberclub.access import attempts
from memberclub.members.models import Member
from memberclub.members.selectors import former_members
from memberclub.portal.forms import TOO_MANY
from memberclub.portal.views.storage_common import FORMER_MEMBER
from memberclub.storage.selectors import storage_space
from memberclub.web import client_ip


class FormerMemberForm(forms.Form):
    """Member ID and password of a membership that has ended."""

    username = forms.CharField(label=_("Member ID"), max_length=12)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


def _former(member_id: str, password: str) -> Member | None:
    """The former member whose files are still kept, when the password is theirs."""
    member = former_members(
        Member.objects.select_related("user").filter(member_id=member_id)
    ).first()
    if member is None or not member.user.check_password(password):
        return None
    until = storage_space(member=member, on=timezone.localdate()).read_only_until
    if until is None or until < timezone.localdate():
        return None
    return member


@require_http_methods(["GET", "POST"])
def former_login_view(request: HttpRequest) -> HttpResponse:
    """Sign in with the old member ID and password; the session reaches only the files."""
    form = FormerMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member_id = form.cleaned_data["username"].strip().upper()
        ip = client_ip(request)
        if attempts.attempts_blocked(scope=attempts.LOGIN, ident=member_id, ip=ip):
            form.add_error(None, TOO_MANY)
        else:
            member = _former(member_id, form.cleaned_data["password"])
            if member is None:
                attempts.attempt_failed(scope=attempts.LOGIN, ident=member_id, ip=ip)
                form.add_error(
                    None, _("The member ID or the password is not correct, or no files are kept.")
                )
            else:
                attempts.attempts_clear(scope=attempts.LOGIN, ident=member_id)
                request.session.cycle_key()
                request.session[FORMER_MEMBER] = member.pk
                return HttpResponseRedirect(reverse("storage:list"), status=303)
    return render(request, "storage/former_login.html", {"form": form})
