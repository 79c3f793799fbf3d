"""Error pages in the portal's layout and the member's language, each with a way back.

`error_page` is the one way to render one; Django's handlers (400, 403, 404, 500) and the
CSRF failure view call it, and so can any view or middleware for another status (a 503 while
the database is down passes its own title, message and a Retry-After header).
"""

import contextlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# A bare page in both languages, for the rare case the layout itself cannot be rendered.
FALLBACK = (
    '<!doctype html><html lang="ja"><meta charset="utf-8"><title>エラー / Error</title>'
    "<h1>エラーが発生しました / Something went wrong</h1>"
    '<p><a href="/">トップページへ戻る / Back to the top page</a></p></html>'
)


def error_page(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    message: str,
    back_url: str | None = None,
    back_label: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The portal's error page with `status`; JSON under /api/, as the API answers errors."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": message, "code": str(status)}, status=status, headers=headers)
    context = {
        "status": status,
        "title": title,
        "message": message,
        "back_url": back_url or reverse("portal:top"),
        "back_label": back_label or _("Back to the top page"),
        "hide_top": back_url is None,
    }
    body: str = FALLBACK
    with contextlib.suppress(Exception):  # the error page must never fail in its turn
        body = loader.render_to_string("portal/error.html", context, request=request)
    return HttpResponse(body, status=status, headers=headers)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a request the portal cannot read."""
    del exception
    return error_page(
        request,
        status=400,
        title=_("The request could not be read"),
        message=_("Please go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: a page this visitor may not open."""
    del exception
    return error_page(
        request,
        status=403,
        title=_("You cannot open this page"),
        message=_("This page is not available with your login. Log in again or go back."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: no such page, or nothing of this member's (another club's item)."""
    del exception
    return error_page(
        request,
        status=404,
        title=_("Page not found"),
        message=_(
            "The page you asked for does not exist or is not offered in your club. Check the "
            "address, or go back to the top page."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500: something went wrong on our side."""
    return error_page(
        request,
        status=500,
        title=_("Something went wrong"),
        message=_(
            "Sorry, the page could not be shown because of a problem on our side. Nothing was "
            "changed by it. Please try again in a few minutes."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose security check failed (CSRF_FAILURE_VIEW): usually a page left
    open too long, or cookies turned off."""
    del reason
    referer = request.META.get("HTTP_REFERER", "")
    return error_page(
        request,
        status=403,
        title=_("The form could not be sent"),
        message=_(
            "The page was open for too long or cookies are turned off in this browser. Go back, "
            "reload the page and send the form again."
        ),
        back_url=referer if _same_site(request, referer) else None,
        back_label=_("Back to the form"),
    )


def _same_site(request: HttpRequest, url: str) -> bool:
    """Whether `url` points at this site (a referer from elsewhere is no way back)."""
    return bool(url) and url.startswith(request.build_absolute_uri("/"))
