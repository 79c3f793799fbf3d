"""Staff users and roles with their permissions named in the staff member's language.

Django names permissions "Can add account" (stored in English when the tables were made), and
offers every model's, the task queue's and the sessions' included. The forms here offer only
the permissions of what the console shows, each named by its model and action.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from memberclub.console.labels import Promise

ACTIONS: dict[str, Promise] = {
    "add": _("add"),
    "change": _("change"),
    "delete": _("delete"),
    "view": _("view"),
}
CUSTOM: dict[str, Promise] = {
    "adjust_points": _("adjust points with a reason"),
    "cancel_redemption": _("cancel a requested redemption"),
}


def permission_name(permission: Permission) -> str:
    """'<model>: <action>' in the staff member's language."""
    model = permission.content_type.model_class()
    subject = str(model._meta.verbose_name) if model is not None else permission.content_type.model
    action, _sep, _rest = permission.codename.partition("_")
    what = CUSTOM.get(permission.codename) or ACTIONS.get(action) or permission.codename
    return f"{subject}: {what}"


class PermissionChoice(forms.ModelMultipleChoiceField):
    """Permissions by their names here."""

    def label_from_instance(self, obj: Any) -> str:
        """The permission's name in the staff member's language."""
        return permission_name(obj)


def console_permissions() -> Any:
    """The permissions of the models the console shows, and the console's own."""
    shown = Q()
    for model in admin.site._registry:
        shown |= Q(content_type__app_label=model._meta.app_label,
                   content_type__model=model._meta.model_name)  # fmt: skip
    return Permission.objects.filter(shown).select_related("content_type")


class NamedPermissions:
    """The permissions field of a form: the console's permissions, by their names."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Permissions as PermissionChoice; other fields as usual."""
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["queryset"] = console_permissions()
            kwargs["form_class"] = PermissionChoice
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class StaffGroupAdmin(NamedPermissions, GroupAdmin):
    """Roles (SPEC §2); ADMIN sees them read only."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Read only, the permissions by their names."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ["permission_names" if name == "permissions" else name for name in fields]
        return list(dict.fromkeys(fields))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The permissions' names are shown, never edited."""
        return [*super().get_readonly_fields(request, obj), "permission_names"]

    @admin.display(description=_("permissions"))
    def permission_names(self, obj: Group) -> str:
        """The role's permissions by their names."""
        held = obj.permissions.select_related("content_type")
        return "、".join(sorted(permission_name(permission) for permission in held))


class StaffUserAdmin(NamedPermissions, UserAdmin):
    """Staff users."""


for model, model_admin in ((Group, StaffGroupAdmin), (User, StaffUserAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
