"""Whatever a client sends, the API answers with JSON and a status below 500."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memberclub.api.tokens import api_key_create, personal_token_create
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["E-RICE-5KG", "E-FEE", "E-CINEMA", "E-LED-4", "W-CRAB-1KG", "2026-02-30"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
redemption_bodies = st.fixed_dictionaries(
    {},
    optional={
        "item": values,
        "points": values,
        "shipping": st.fixed_dictionaries(
            {}, optional={"name": values, "postal_code": values, "address": values, "phone": values}
        )
        | values,
    },
)
adjustment_bodies = st.fixed_dictionaries(
    {}, optional={"points": values, "on": values, "reason": values, "extra": values}
)
headers = st.text(max_size=120)


@pytest.fixture
def clients(make_member):
    load_catalogs()
    member = make_member()
    give(member, 50_000, on=timezone.localdate().replace(day=1))
    token = personal_token_create(member=member, name="fuzz", level=Level.LINE).secret
    key = api_key_create(name="fuzz", scopes=["points:write", "contracts:write"]).secret
    return member, f"Bearer {token}", f"Bearer {key}"


def send(path: str, body: object, auth: str, key: str | None) -> None:
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": auth}
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    response = Client().post(path, json.dumps(body), content_type="application/json", **extra)
    assert response.status_code < 500, response.content
    assert "json" in response.headers["Content-Type"]
    json.loads(response.content)


SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(body=redemption_bodies, key=st.none() | headers)
def test_redemption_bodies_never_break_the_api(clients, body, key):
    _, token, _ = clients
    send("/api/v1/me/redemptions", body, token, key)


@SETTINGS
@given(body=adjustment_bodies, key=st.none() | headers, member_id=st.text(max_size=14))
def test_adjustment_bodies_never_break_the_api(clients, body, key, member_id):
    member, _, operator = clients
    send(f"/api/v1/members/{member.member_id}/adjustments", body, operator, key)
    send(f"/api/v1/members/{quote(member_id, safe='')}/adjustments", body, operator, key)


@SETTINGS
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "event_id": values,
            "customer_id": values,
            "kind": values,
            "effective_on": values,
            "payload": values,
        },
    )
)
def test_event_bodies_never_break_the_api(clients, body):
    _, _, operator = clients
    send("/api/v1/contracts/events", body, operator, None)


def test_after_all_that_the_ledger_still_adds_up(clients):
    assert ledger_audit().ok
