"""Schemathesis against /api/v1/openapi.json: every operation, as a member with a personal
token and as an operator with a key of every scope; no 5xx, answers as the schema says."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from memberclub.api.tokens import SCOPES, api_key_create, personal_token_create
from memberclub.config.wsgi import application
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from tests.rewards_support import give, load_catalogs

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MEMBER_TAG = "member"
# The schema gives the shape of a request; whether an item or an event kind exists is the
# catalog's and the feed's business (a 400 with its reason), and the shape checks below are
# the ones the API promises: no 5xx, documented statuses, bodies and headers as the schema says.
NOT_PROMISED = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the connection after each request, as Django's test client
    does not: that would close the test's own transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(make_member: Any) -> dict[str, str]:
    """A member with points and a LINE token, and an operator key with every scope."""
    load_catalogs()
    member = make_member()
    give(member, 50_000, on=timezone.localdate().replace(day=1))
    token = personal_token_create(member=member, name="fuzz", level=Level.LINE).secret
    key = api_key_create(name="fuzz", scopes=sorted(SCOPES)).secret
    return {"member": f"Bearer {token}", "operator": f"Bearer {key}", "id": member.member_id}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case: Any, credentials: dict[str, str]) -> None:
    as_member = MEMBER_TAG in (case.operation.tags or [])
    path = case.path_parameters or {}
    # About half the calls on the real member, so that the happy paths are reached too.
    if not as_member and len(str(path.get("member_id", ""))) % 2:
        path["member_id"] = credentials["id"]
    auth = credentials["member" if as_member else "operator"]
    case.call_and_validate(headers={"Authorization": auth}, excluded_checks=NOT_PROMISED)


@pytest.mark.django_db
def test_after_the_schema_fuzzing_the_ledger_adds_up(credentials: dict[str, str]) -> None:
    assert ledger_audit().ok
