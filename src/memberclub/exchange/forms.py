"""Exchange forms: shipping details, fee payment points, token names."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.contracts.models import Contract
from memberclub.rewards.errors import ShippingInvalid
from memberclub.rewards.services import Shipping

FIELDS = ("name", "postal_code", "address", "phone")


class ShippingForm(forms.Form):
    """Where to ship an item; prefilled from the contract."""

    name = forms.CharField(label=_("Name"), max_length=200)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    @classmethod
    def initial_from(cls, contract: Contract) -> dict[str, str]:
        """The contract's details, as the form starts."""
        postal = contract.postal_code
        return {
            "name": contract.holder_name,
            "postal_code": f"{postal[:3]}-{postal[3:]}" if len(postal) == 7 else postal,
            "address": contract.address,
            "phone": contract.phone,
        }

    def clean(self) -> dict[str, Any]:
        """Validate the address as the redemption service will."""
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.shipping = Shipping(**{key: data[key] for key in FIELDS}).cleaned()
        except ShippingInvalid as error:
            self.add_error(error.field, _("Please check this entry."))
        return data


class FeePaymentForm(forms.Form):
    """How many points to pay toward next month's bill."""

    points = forms.IntegerField(
        label=_("Points to use"),
        min_value=1,
        error_messages={
            "required": _("Enter how many points to use."),
            "invalid": _("Enter a whole number of points."),
            "min_value": _("Use at least 1 point."),
        },
    )

    def __init__(self, *args: Any, most: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.most = most
        self.fields["points"].widget.attrs.update(
            {"min": 1, "max": max(most, 1), "step": 1, "inputmode": "numeric"}
        )

    def clean_points(self) -> int:
        """At most what the cap and the balance allow."""
        points = int(self.cleaned_data["points"])
        if points > self.most:
            raise forms.ValidationError(
                _("You can use at most %(most)s points now."),
                params={"most": formats.points(self.most)},
            )
        return points


class TokenForm(forms.Form):
    """A name for a new personal API token."""

    name = forms.CharField(label=_("Token name"), max_length=50)
