"""The API's routes, and a JSON 404 for any other path under /api/v1/."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from memberclub.api.site import api


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers (no database, no authentication)."""
    return JsonResponse({"ok": True})


def unknown(request: HttpRequest) -> JsonResponse:
    """A path the API does not have."""
    return JsonResponse({"error": "not found", "code": "not_found"}, status=404)


patterns, app_name, namespace = api.urls
urlpatterns = [path("health", health), *patterns, re_path(r"", unknown)]
