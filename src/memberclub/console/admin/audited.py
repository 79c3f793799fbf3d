"""Audited admin classes and the column and filter helpers every console list uses."""

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.access.models import AuthKey, EasyRegistration
from memberclub.console.audit import audit_record
from memberclub.console.labels import CHOICES, COMMON_FIELDS, MODELS, Promise, choice_label
from memberclub.contracts.models import Contract
from memberclub.ledger.models import Account, Entry, Lot
from memberclub.members.models import Member

# A field's name by its attribute (the same attribute has the same name in every model here).
FIELD_NAMES: dict[str, Promise] = {
    **{name: label for _one, _many, fields in MODELS.values() for name, label in fields.items()},
    **COMMON_FIELDS,
}


def customer_id_of(obj: Model | None) -> str:
    """The customer ID an object belongs to, for the audit log."""
    contract: Contract | None = None
    if isinstance(obj, Contract):
        contract = obj
    elif isinstance(obj, Member | AuthKey | EasyRegistration):
        contract = obj.contract
    elif isinstance(obj, Account):
        contract = obj.member.contract
    elif isinstance(obj, Entry | Lot):
        contract = obj.account.member.contract
    return contract.customer_id if contract is not None else ""


def choice_column(field: str, group: str, description: Promise) -> Callable[[Any], str]:
    """A list column showing a coded field by its name."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        return choice_label(group, getattr(obj, field))

    return column


def points_column(field: str, description: Promise) -> Callable[[Any], str]:
    """A list column of points with thousands separators."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        value = getattr(obj, field)
        return "—" if value is None else formats.points(value)

    return column


def date_column(field: str, description: Promise) -> Callable[[Any], str]:
    """A list column of a day (or a moment) as 2026年12月2日 in JST."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        value = getattr(obj, field)
        if isinstance(value, dt.datetime):
            return formats.date_time(value)
        return formats.date(value) or "—"

    return column


@admin.display(description=_("member ID"), ordering="account__member__member_id")
def account_member(obj: Any) -> str:
    """The member ID of the account a lot or an entry belongs to."""
    return str(obj.account.member.member_id)


def choice_filter(field: str, group: str, title: Promise) -> type[admin.SimpleListFilter]:
    """A list filter on a coded field that names its values."""

    class ChoiceFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [(value, str(name)) for value, name in CHOICES[group].items() if value]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            return queryset.filter(**{field: value}) if value is not None else queryset

    ChoiceFilter.title = title
    ChoiceFilter.__name__ = f"{field.title()}Filter"
    return ChoiceFilter


class CodedFields(admin.ModelAdmin):
    """Shows coded fields (statuses, kinds, programs) by their names, on forms and read only.

    `coded_fields` maps a field to its group of names in `console.labels.CHOICES`. A read-only view
    shows `<field>_shown` in the field's place; a form's select lists the names.
    """

    coded_fields: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for field, group in cls.coded_fields.items():
            setattr(cls, f"{field}_shown", _shown(field, group))

    def coded(self, names: Any) -> list[Any]:
        """Read-only field names, each coded one followed by its `_shown` column.

        The raw name stays read only, so that the form leaves it out; `get_fields` shows the
        `_shown` column in its place.
        """
        out: list[Any] = []
        for name in names:
            out.append(name)
            if name in self.coded_fields:
                out.append(f"{name}_shown")
        return list(dict.fromkeys(out))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Each coded field shown read only appears by its name, in its place."""
        fields = list(super().get_fields(request, obj))
        readonly = set(self.get_readonly_fields(request, obj))
        view_only = obj is not None and not self.has_change_permission(request, obj)
        shown = [
            f"{name}_shown"
            if name in self.coded_fields and (view_only or name in readonly)
            else name
            for name in fields
        ]
        return list(dict.fromkeys(shown))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A read-only coded field is shown by its `_shown` column."""
        return self.coded(super().get_readonly_fields(request, obj))

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A select of a coded field lists the names of its values."""
        group = self.coded_fields.get(db_field.name)
        if group is not None:
            names = [(value, choice_label(group, value)) for value, _name in db_field.choices]
            kwargs["choices"] = [("", "---------"), *names] if db_field.blank else names
        return super().formfield_for_choice_field(db_field, request, **kwargs)


def _shown(field: str, group: str) -> Callable[..., str]:
    def shown(self: Any, obj: Any) -> str:
        return choice_label(group, getattr(obj, field))

    shown.short_description = FIELD_NAMES.get(field, field)  # type: ignore[attr-defined]
    return shown


class AuditedAdmin(CodedFields):
    """Writes the audit log for every change and, for member data, every view."""

    member_data = True

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Log a look at a list of member data, with the search that produced it."""
        if self.member_data and request.method == "GET":
            audit_record(
                staff=request.user,
                action="view_list",
                object_type=self.model._meta.label,
                detail=request.GET.urlencode(),
            )
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        """Log a look at one member's data."""
        if self.member_data and request.method == "GET":
            obj = self.get_object(request, object_id)
            audit_record(
                staff=request.user,
                action="view",
                object_type=self.model._meta.label,
                object_id=object_id,
                customer_id=customer_id_of(obj),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log an addition."""
        self._audit(request, obj, "add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        """Log a change."""
        self._audit(request, obj, "change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        """Log deletions."""
        for obj in queryset:
            self._audit(request, obj, "delete", "")
        return super().log_deletions(request, queryset)

    def _audit(self, request: HttpRequest, obj: Model, action: str, message: Any) -> None:
        audit_record(
            staff=request.user,
            action=action,
            object_type=obj._meta.label,
            object_id=obj.pk,
            customer_id=customer_id_of(obj),
            detail=str(message),
        )


class ReadOnlyAdmin(AuditedAdmin):
    """The ledger is written by services only: the console shows it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No additions."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No changes."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No deletions."""
        return False
