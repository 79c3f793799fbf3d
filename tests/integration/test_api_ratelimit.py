"""API rate limits (SPEC §12): a burst past a limit gets 429 with Retry-After, the next window
is served; per personal token, per operator key and per client IP."""

import time
import uuid
from typing import Any

import pytest
from django.test import Client

from memberclub.api.tokens import api_key_create, personal_token_create
from memberclub.domain.program import Level

pytestmark = pytest.mark.django_db
WINDOW = "3/2 seconds"


@pytest.fixture(params=["memory://", "redis://127.0.0.1:6379/0"])
def limits(request, settings):
    """Tight limits, counted in this process's memory or in Redis (as in production)."""
    settings.API_RATE_LIMIT_STORAGE = request.param
    settings.API_RATE_LIMIT_PER_TOKEN = WINDOW
    settings.API_RATE_LIMIT_PER_KEY = WINDOW
    settings.API_RATE_LIMIT_PER_IP = "1000/minute"
    return settings


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def burst(client: Client, path: str, count: int, **extra: Any) -> list[int]:
    return [client.get(path, **extra).status_code for _ in range(count)]


def wait_for_the_next_window(response: Any) -> None:
    time.sleep(int(response.headers["Retry-After"]) + 0.1)


def test_a_burst_past_a_tokens_limit_is_refused_and_the_next_window_is_served(limits, make_member):
    token = personal_token_create(member=make_member(), name="t", level=Level.LINE).secret
    client = Client()

    statuses = burst(client, "/api/v1/me", 3, **bearer(token))
    refused = client.get("/api/v1/me", **bearer(token))

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json() == {"error": "too many requests; try again later", "code": "rate_limited"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    wait_for_the_next_window(refused)
    served = client.get("/api/v1/me", **bearer(token))
    assert served.status_code == 200
    assert served.headers["X-RateLimit-Remaining"] == "2"


def test_one_tokens_burst_leaves_another_members_token_served(limits, make_member):
    first = personal_token_create(member=make_member(), name="t", level=Level.LINE).secret
    second = personal_token_create(member=make_member(), name="t", level=Level.LINE).secret
    client = Client()

    burst(client, "/api/v1/me", 4, **bearer(first))

    assert client.get("/api/v1/me", **bearer(first)).status_code == 429
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200


def test_an_operator_keys_burst_is_refused(limits, make_member):
    member = make_member()
    key = api_key_create(name=f"k-{uuid.uuid4()}", scopes=["members:read"]).secret
    client = Client()

    statuses = burst(client, f"/api/v1/members/{member.member_id}", 4, **bearer(key))

    assert statuses == [200, 200, 200, 429]


def test_one_address_is_limited_whatever_it_forwards_or_presents(settings, make_member):
    settings.API_RATE_LIMIT_PER_IP = WINDOW
    settings.TRUSTED_PROXIES = ["10.0.0.5/32"]
    client = Client(REMOTE_ADDR="192.0.2.7")

    # Made-up tokens and a forged X-Forwarded-For from an untrusted peer all count for 192.0.2.7.
    statuses = [
        client.get(
            "/api/v1/me", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", **bearer(f"mcp_fake{n}")
        ).status_code
        for n in range(4)
    ]
    behind_the_proxy = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert statuses == [401, 401, 401, 429]
    assert behind_the_proxy.get("/api/v1/me").status_code == 401
    assert Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/health").status_code == 200


def test_the_health_check_and_the_portal_are_not_counted(settings):
    settings.API_RATE_LIMIT_PER_IP = "1/minute"
    client = Client()

    assert burst(client, "/api/v1/health", 3) == [200, 200, 200]
    assert burst(client, "/login/", 3) == [200, 200, 200]
