"""Helpers the portal views share."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme


def site_url(request: HttpRequest) -> str:
    """The scheme and host links in emails should point at."""
    return request.build_absolute_uri("/").rstrip("/")


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` target when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember the page language in this browser for a year."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
