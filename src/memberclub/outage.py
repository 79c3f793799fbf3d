"""A database that does not answer is a 503 with Retry-After, never a 500 (SPEC §12)."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils import translation

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
UNAVAILABLE = (OperationalError, InterfaceError)


def outage_summary(error: BaseException) -> str:
    """The first line of a database error: what an operator needs, without the traceback."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The API's JSON 503, or the portal's own page in the visitor's language."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": "database unavailable; try again later", "code": "database_unavailable"},
            status=503,
        )
    else:
        # Rendered without the context processors: the session, the messages and the member
        # are in the database that just failed.
        context = {
            "request": request,
            "LANGUAGE_CODE": translation.get_language(),
            "messages": [],
            "member": None,
        }
        response = HttpResponse(get_template("portal/unavailable.html").render(context), status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost or refused database connection raised by a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A 503 for a database outage; any other error goes on to Django's handling."""
        if not isinstance(exception, UNAVAILABLE):
            return None
        # Django closes the broken connection at the end of this request (errors_occurred);
        # the next one reconnects, so the server recovers by itself.
        logger.warning("database unavailable: %s", outage_summary(exception))
        return unavailable_response(request)
