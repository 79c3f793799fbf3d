"""Console page for operator API keys (issued with `memberclub apikeys create`)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from memberclub.api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Operator keys: name, scopes and state; the secret is never stored."""

    list_display = ["name", "prefix", "scopes", "created_at", "revoked_at"]
    fields = ["name", "prefix", "scopes", "created_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "scopes", "created_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A key is issued on the command line, where its secret is shown once."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Revoke with `memberclub apikeys revoke NAME`."""
        return False
