"""Portal forms: labels and messages are translated; checks that touch data call services."""

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from memberclub.access import attempts
from memberclub.members.models import Language, Member
from memberclub.members.selectors import current_members
from memberclub.notifications.services import email_enqueue
from memberclub.web import client_ip

TOO_MANY = _("Too many failed attempts. Please wait a while and try again.")


class LoginForm(forms.Form):
    """Member ID and password, with attempt limits per ID and per client IP."""

    username = forms.CharField(
        label=_("Member ID"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        """Authenticate a current member; every failure reads the same."""
        data = super().clean() or {}
        member_id = str(data.get("username", "")).strip().upper()
        password = data.get("password")
        if not member_id or not password:
            return data
        ip = client_ip(self.request)
        if attempts.attempts_blocked(scope=attempts.LOGIN, ident=member_id, ip=ip):
            raise forms.ValidationError(TOO_MANY, code="blocked")
        user = authenticate(self.request, username=member_id, password=password)
        if user is None or not current_members(Member.objects.filter(user=user)).exists():
            attempts.attempt_failed(scope=attempts.LOGIN, ident=member_id, ip=ip)
            raise forms.ValidationError(
                _("The member ID or the password is not correct."), code="invalid_login"
            )
        attempts.attempts_clear(scope=attempts.LOGIN, ident=member_id)
        self.user = user
        return data


class AccessKeyForm(forms.Form):
    """Step 1 of standard registration: the customer ID and access key of the notice."""

    customer_id = forms.CharField(
        label=_("Customer ID"),
        max_length=20,
        help_text=_("Printed on your service start notice, e.g. CAF1234567."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    access_key = forms.CharField(
        label=_("Access key"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class SignupEmailForm(forms.Form):
    """Step 2: where to send the one-time link, and the name the club greets the member by."""

    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    nickname = forms.CharField(
        label=_("Nickname"), max_length=50, help_text=_("Shown on your member page.")
    )


def language_field() -> forms.ChoiceField:
    """The language choice offered wherever a member picks one."""
    return forms.ChoiceField(label=_("Language"), choices=Language.choices)


class SignupCompleteForm(forms.Form):
    """Step 4: the password and preferences that complete the registration."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = language_field()
    mail_opt_in = forms.BooleanField(
        label=_("Send me the club's mail magazine"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        """Both passwords must agree and pass the password rules."""
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class EasyRegistrationForm(forms.Form):
    """Easy registration: who holds the contract and where, to match it without the notice."""

    holder_name = forms.CharField(
        label=_("Contract holder's name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\s*[0-9０-９]{3}[-ー－]?[0-9０-９]{4}\s*$",
        error_messages={"invalid": _("Enter a postal code like 123-4567.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    nickname = forms.CharField(label=_("Nickname"), max_length=50)


class AuthKeyForm(forms.Form):
    """The 12-character key from the letter."""

    key = forms.CharField(
        label=_("Auth key"),
        max_length=40,
        help_text=_("12 characters, as printed in the letter. Hyphens are optional."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class EmailChangeForm(forms.Form):
    """A new email address, confirmed by a link sent to it."""

    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class PreferencesForm(forms.Form):
    """Language and the mail magazine."""

    language = language_field()
    mail_opt_in = forms.BooleanField(label=_("Send me the club's mail magazine"), required=False)


class LeaveForm(forms.Form):
    """Leaving needs an explicit confirmation."""

    confirm = forms.BooleanField(
        label=_("I understand that all my points will be forfeited and cannot be restored.")
    )


class MemberPasswordResetForm(PasswordResetForm):
    """Password reset by email, sent through the worker in the member's language."""

    def get_users(self, email: str) -> Any:
        """Every current member with that address, including migrated ones without a password."""
        members = current_members(
            Member.objects.filter(email__iexact=email, user__is_active=True)
        ).select_related("user")
        return [member.user for member in members]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue one reset email per matching member."""
        request: HttpRequest = kwargs["request"]
        for user in self.get_users(self.cleaned_data["email"]):
            member = Member.objects.get(user=user)
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            link = request.build_absolute_uri(
                reverse("portal:password_reset_confirm", args=[uid, token])
            )
            email_enqueue(
                kind="password_reset",
                to=member.email,
                language=member.language,
                context={"member_id": member.member_id, "link": link},
                key=f"password-reset:{member.member_id}:{token}",
            )


# The history's kind filter: what a member calls each kind of change.
HISTORY_KINDS = {
    "earned": ("GRANT",),
    "used": ("REDEEM",),
    "returned": ("REFUND",),
    "expired": ("EXPIRE",),
    "forfeited": ("FORFEIT",),
    "taken_back": ("REVOKE",),
    "adjusted": ("ADJUST",),
}


class HistoryFilterForm(forms.Form):
    """The points history's filters: a kind of change and a period of effective dates."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("All")),
            ("earned", _("Earned")),
            ("used", _("Used")),
            ("returned", _("Returned")),
            ("expired", _("Expired")),
            ("forfeited", _("Forfeited")),
            ("taken_back", _("Taken back")),
            ("adjusted", _("Adjusted")),
        ],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        """Refuse a period that ends before it starts."""
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return cleaned
