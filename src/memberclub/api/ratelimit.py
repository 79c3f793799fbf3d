"""API rate limits (SPEC §12): per personal token, per operator key and per client IP, in
fixed windows counted by `limits` in the storage of settings.API_RATE_LIMIT_STORAGE."""

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from memberclub.web import client_ip

logger = logging.getLogger(__name__)
# Load balancers poll it from one address; it touches neither the database nor a credential.
EXEMPT = frozenset({"/api/v1/health"})


@functools.cache
def _limiter(storage_url: str) -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(storage_from_string(storage_url))


@functools.cache
def _rate(text: str) -> RateLimitItem:
    return parse(text)


def ratelimits_reset() -> None:
    """Forget every count of this process's in-memory storage (tests, between cases)."""
    storage = _limiter(settings.API_RATE_LIMIT_STORAGE).storage
    if isinstance(storage, MemoryStorage):
        storage.reset()


def _buckets(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(kind, identity, rate) of each limit this request counts against."""
    buckets = [("ip", client_ip(request), settings.API_RATE_LIMIT_PER_IP)]
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        # Counted per secret presented, before it is checked: made-up ones count per IP too.
        identity = hashlib.sha256(secret.encode()).hexdigest()[:32]
        if secret.startswith("mco_"):
            buckets.append(("key", identity, settings.API_RATE_LIMIT_PER_KEY))
        else:
            buckets.append(("token", identity, settings.API_RATE_LIMIT_PER_TOKEN))
    return buckets


class ApiRateLimitMiddleware:
    """Answer 429 with Retry-After past a limit; name the tightest limit on every API answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.API_RATE_LIMITS
            or not request.path.startswith("/api/")
            or request.path in EXEMPT
        ):
            return self.get_response(request)
        try:
            limiter = _limiter(settings.API_RATE_LIMIT_STORAGE)
            counted = []
            for kind, identity, rate in _buckets(request):
                item = _rate(rate)
                allowed = limiter.hit(item, kind, identity)
                counted.append((allowed, item, limiter.get_window_stats(item, kind, identity)))
        except Exception:
            # The counter's store is down: serve rather than refuse every member.
            logger.warning("API rate limits not counted", exc_info=True)
            return self.get_response(request)
        refused = [entry for entry in counted if not entry[0]]
        _, item, stats = min(refused or counted, key=lambda entry: entry[2].remaining)
        # Redis reports the window's end in whole seconds, rounded down: one more, so that a
        # client that waits as told is served, but never past a whole window.
        wait = min(item.get_expiry(), max(1, math.ceil(stats.reset_time - time.time()) + 1))
        if refused:
            response: HttpResponse = JsonResponse(
                {"error": "too many requests; try again later", "code": "rate_limited"},
                status=429,
            )
            response.headers["Retry-After"] = str(wait)
        else:
            response = self.get_response(request)
        response.headers["X-RateLimit-Limit"] = str(item.amount)
        response.headers["X-RateLimit-Remaining"] = str(stats.remaining)
        response.headers["X-RateLimit-Reset"] = str(wait)
        return response
