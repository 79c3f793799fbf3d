"""The API at /api/v1/: its routers, and errors as JSON with a status below 500 for bad input."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from memberclub.api import member, operator
from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.domain.program_end import ProgramEnded
from memberclub.rewards.errors import FeeCapExceeded, KeyReused, LevelRequired, OutOfStock

api = NinjaAPI(
    title="memberclub API",
    version="1",
    description="Member endpoints (session or personal token) and operator endpoints (API key).",
    urls_namespace="api",
)
api.add_router("/", member.router)
api.add_router("/", operator.router)

# Refusals a member can act on, each with its status and code; any other is plain bad input.
REFUSALS: list[tuple[type[Refused], int, str]] = [
    (KeyReused, 409, "idempotency_key_reused"),
    (LevelRequired, 403, "level_required"),
    (InsufficientPoints, 409, "insufficient_points"),
    (OutOfStock, 409, "out_of_stock"),
    (FeeCapExceeded, 409, "fee_payment_cap"),
    (ProgramEnded, 409, "program_ended"),
]


def _error(
    request: HttpRequest, status: int, message: str, code: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"error": message, "code": code, **extra}, status=status)


@api.exception_handler(Refused)
def refused(request: HttpRequest, error: Refused) -> HttpResponse:
    """A refusal by the rules or of the input."""
    for kind, status, code in REFUSALS:
        if isinstance(error, kind):
            return _error(request, status, str(error), code)
    return _error(request, 400, str(error), "refused")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A body, query, path or header that does not fit the schema."""
    detail = [
        {"loc": [str(part) for part in item.get("loc", [])], "msg": str(item.get("msg", ""))}
        for item in error.errors
    ]
    return _error(request, 422, "invalid input", "invalid", detail=detail)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """No valid session, token or key."""
    return _error(request, 401, "authentication required", "unauthenticated")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """An error an endpoint raised with its status."""
    codes = {403: "forbidden", 404: "not_found", 409: "conflict"}
    return _error(request, error.status_code, str(error), codes.get(error.status_code, "error"))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    """Nothing there."""
    return _error(request, 404, "not found", "not_found")
