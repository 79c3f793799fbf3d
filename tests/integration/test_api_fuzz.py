"""Whatever a client sends, the API answers with JSON and a status below 500: hand-made
hypothesis bodies, and schemathesis over every operation of /api/v1/openapi.json as a member
with a personal token and as an operator with a key of every scope."""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from memberclub.api.tokens import SCOPES, api_key_create, personal_token_create
from memberclub.config.wsgi import application
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
    key = api_key_create(name="fuzz", scopes=sorted(SCOPES)).secret
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


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MEMBER_TAG = "member"
# The schema gives the shape of a request; whether an item or an event kind exists is the
# catalog's and the feed's business (a 400 with its reason), and the shape checks below are
# the ones the API promises: no 5xx, documented statuses, bodies and headers as the schema says.
NOT_PROMISED = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture
def _connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the connection after each request, as Django's test client
    does not: that would close the test's own transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept_open")
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case: Any, clients: Any) -> None:
    member, token, key = clients
    as_member = MEMBER_TAG in (case.operation.tags or [])
    path = case.path_parameters or {}
    # About half the calls on the real member, so that the happy paths are reached too.
    if not as_member and len(str(path.get("member_id", ""))) % 2:
        path["member_id"] = member.member_id
    auth = token if as_member else key
    case.call_and_validate(headers={"Authorization": auth}, excluded_checks=NOT_PROMISED)


def test_after_all_that_the_ledger_still_adds_up(clients):
    assert ledger_audit().ok
