"""The member API and the operator API, as a client program sees them."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from memberclub.api.tokens import api_key_create, personal_token_create
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from memberclub.rewards.services import codes_load
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db
ON_THE_LINE = "192.0.2.10"
OFF_THE_LINE = "203.0.113.9"


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000, on=timezone.localdate().replace(day=1))
    return member


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def line_token(member) -> dict[str, str]:
    return bearer(personal_token_create(member=member, name="t", level=Level.LINE).secret)


@pytest.fixture
def password_token(member) -> dict[str, str]:
    return bearer(personal_token_create(member=member, name="p", level=Level.PASSWORD).secret)


def post(client: Client, path: str, body: object, key: str | None = None, **headers: Any):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **headers)


def test_me_tells_who_is_calling_and_at_which_level(client, member, line_token):
    response = client.get("/api/v1/me", **line_token)

    assert response.status_code == 200
    assert response.json()["member_id"] == member.member_id
    assert response.json()["level"] == "LINE"


def test_without_credentials_the_answer_is_a_json_401(client, member):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_no_longer_works(client, member):
    from memberclub.api.tokens import personal_token_revoke

    issued = personal_token_create(member=member, name="t", level=Level.LINE)
    personal_token_revoke(member=member, token_id=issued.id)

    assert client.get("/api/v1/me", **bearer(issued.secret)).status_code == 401


def test_a_session_on_the_contract_line_is_at_line_level(member):
    client = Client(REMOTE_ADDR=ON_THE_LINE)
    client.force_login(member.user)

    assert client.get("/api/v1/me").json()["level"] == "LINE"


def test_a_session_off_the_line_is_at_password_level_and_cannot_see_history(member):
    client = Client(REMOTE_ADDR=OFF_THE_LINE)
    client.force_login(member.user)

    assert client.get("/api/v1/me").json()["level"] == "PASSWORD"
    assert client.get("/api/v1/me/history").status_code == 403


def test_points_show_the_balance_and_what_expires_this_fiscal_year(client, member, line_token):
    body = client.get("/api/v1/me/points", **line_token).json()

    assert body["balance"] == 10_000
    assert body["lots"][0]["remaining"] == 10_000


def test_the_catalog_lists_todays_items_and_can_keep_to_what_i_can_afford(
    client, member, line_token
):
    post(client, "/api/v1/me/redemptions", {"item": "E-WAGYU-400"}, "k1", **line_token)
    everything = client.get("/api/v1/catalog", **line_token).json()
    affordable = client.get("/api/v1/catalog?affordable=true", **line_token).json()

    assert len(everything) >= 12
    assert {item["kind"] for item in everything} == {
        "SHIPPED",
        "DIGITAL_CODE",
        "SERVICE",
        "BILL_CREDIT",
    }
    assert all(item["points"] is None or item["points"] <= 2000 for item in affordable)
    assert len(affordable) < len(everything)


def test_a_redemption_with_a_key_is_made_once(client, member, line_token):
    first = post(client, "/api/v1/me/redemptions", {"item": "E-RICE-5KG"}, "key-1", **line_token)
    again = post(client, "/api/v1/me/redemptions", {"item": "E-RICE-5KG"}, "key-1", **line_token)

    assert first.status_code == 201
    assert first.json()["balance_after"] == 7000
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/v1/me/points", **line_token).json()["balance"] == 7000


def test_the_same_key_with_another_body_is_a_409(client, member, line_token):
    post(client, "/api/v1/me/redemptions", {"item": "E-RICE-5KG"}, "key-1", **line_token)

    response = post(client, "/api/v1/me/redemptions", {"item": "E-LED-4"}, "key-1", **line_token)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"


def test_a_redemption_without_an_idempotency_key_is_refused(client, member, line_token):
    response = post(client, "/api/v1/me/redemptions", {"item": "E-RICE-5KG"}, **line_token)

    assert response.status_code == 422


def test_goods_need_a_line_token_but_fee_payment_does_not(client, member, password_token):
    goods = post(client, "/api/v1/me/redemptions", {"item": "E-RICE-5KG"}, "k1", **password_token)
    fee = post(
        client, "/api/v1/me/redemptions", {"item": "E-FEE", "points": 500}, "k2", **password_token
    )

    assert goods.status_code == 403
    assert fee.status_code == 201
    assert fee.json()["bill_month"] is not None


def test_an_item_dearer_than_the_balance_is_a_409(client, member, line_token):
    give(member, 1, on=timezone.localdate().replace(day=1), key="tiny")
    post(client, "/api/v1/me/redemptions", {"item": "E-FEE", "points": 5000}, "k0", **line_token)
    post(client, "/api/v1/me/redemptions", {"item": "E-SWEETS"}, "k1", **line_token)

    response = post(client, "/api/v1/me/redemptions", {"item": "E-WAGYU-400"}, "k2", **line_token)

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_points"


def test_a_digital_code_comes_back_in_the_response(client, member, line_token):
    codes_load(item_code="E-EBOOK-1", codes=["BOOK-1"])

    response = post(client, "/api/v1/me/redemptions", {"item": "E-EBOOK-1"}, "k1", **line_token)

    assert response.json()["digital_code"] == "BOOK-1"
    assert response.json()["status"] == "FULFILLED"


def test_history_lists_the_redemption(client, member, line_token):
    made = post(client, "/api/v1/me/redemptions", {"item": "E-LED-4"}, "k1", **line_token).json()

    entries = client.get("/api/v1/me/history", **line_token).json()["entries"]

    assert entries[0]["kind"] == "REDEEM"
    assert entries[0]["redemption_number"] == made["number"]


def test_a_session_write_needs_the_csrf_token(member):
    client = Client(REMOTE_ADDR=ON_THE_LINE, enforce_csrf_checks=True)
    client.force_login(member.user)

    response = post(client, "/api/v1/me/redemptions", {"item": "E-LED-4"}, "k1")

    assert response.status_code in (401, 403)


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/me/redemptions" in response.json()["paths"]


@pytest.fixture
def operator():
    secret = api_key_create(
        name="crm", scopes=["contracts:write", "members:read", "points:write", "reports:read"]
    ).secret
    return bearer(secret)


def test_an_operator_reads_a_member_and_their_points(client, member, operator):
    info = client.get(f"/api/v1/members/{member.member_id}", **operator)
    points = client.get(f"/api/v1/members/{member.member_id}/points", **operator)

    assert info.json()["customer_id"] == member.contract.customer_id
    assert points.json()["balance"] == 10_000


def test_a_key_without_the_scope_is_a_403(client, member):
    reader = bearer(api_key_create(name="reader", scopes=["members:read"]).secret)

    response = post(
        client,
        f"/api/v1/members/{member.member_id}/adjustments",
        {"points": 5, "on": "2026-11-01", "reason": "r"},
        "a1",
        **reader,
    )

    assert response.status_code == 403


def test_a_member_token_is_no_operator_key(client, member, line_token):
    assert client.get(f"/api/v1/members/{member.member_id}", **line_token).status_code == 401


def test_an_adjustment_is_idempotent_and_a_reused_key_is_a_409(client, member, operator):
    path = f"/api/v1/members/{member.member_id}/adjustments"
    body = {"points": 250, "on": "2026-11-01", "reason": "goodwill"}

    first = post(client, path, body, "adj-1", **operator)
    again = post(client, path, body, "adj-1", **operator)
    other = post(client, path, {**body, "points": 300}, "adj-1", **operator)

    assert first.status_code == 201 and again.json() == first.json()
    assert other.status_code == 409
    assert ledger_audit().ok


def test_a_contract_event_is_applied_once(client, member, operator):
    body = {
        "event_id": "ev-1",
        "customer_id": member.contract.customer_id,
        "kind": "PLAN_CHANGED",
        "effective_on": "2026-11-01",
        "payload": {"plan": "MANSION"},
    }

    first = post(client, "/api/v1/contracts/events", body, **operator)
    again = post(client, "/api/v1/contracts/events", body, **operator)

    assert first.json()["applied"] is True
    assert again.json()["applied"] is False


def test_an_event_for_an_unknown_contract_is_a_400(client, member, operator):
    body = {
        "event_id": "e",
        "customer_id": "NOPE0001",
        "kind": "CANCELED",
        "effective_on": "2026-11-01",
    }

    response = post(client, "/api/v1/contracts/events", body, **operator)

    assert response.status_code == 400
    assert "NOPE0001" in response.json()["error"]


def test_the_liability_report_rolls_forward(client, member, operator):
    fy = (
        timezone.localdate().year
        if timezone.localdate().month >= 4
        else timezone.localdate().year - 1
    )

    body = client.get(f"/api/v1/reports/liability?program=east&fy={fy}", **operator).json()

    assert body["closing"] == body["opening"] + body["adjusted"] == 10_000 + body["opening"]
    assert body["months"] == []  # months only with by=month


def test_the_liability_report_by_month_lists_twelve_months_that_add_up(client, member, operator):
    fy = (
        timezone.localdate().year
        if timezone.localdate().month >= 4
        else timezone.localdate().year - 1
    )

    body = client.get(f"/api/v1/reports/liability?program=east&fy={fy}&by=month", **operator).json()

    assert len(body["months"]) == 12
    assert body["months"][0]["opening"] == body["opening"]
    assert body["months"][-1]["closing"] == body["closing"]
    assert sum(month["adjusted"] for month in body["months"]) == body["adjusted"]
    assert (
        client.get(
            f"/api/v1/reports/liability?program=east&fy={fy}&by=week", **operator
        ).status_code
        == 422
    )


def test_the_openapi_document_describes_every_figure_of_the_liability_report(client):
    document = client.get("/api/v1/openapi.json").json()

    response = document["paths"]["/api/v1/reports/liability"]["get"]["responses"]["200"]
    name = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    figures = [
        "program", "fiscal_year", "opening", "issued", "redeemed", "refunded", "expired",
        "forfeited", "revoked", "adjusted", "closing",
    ]  # fmt: skip
    assert set(figures) <= set(schema["properties"])
    for figure in figures[2:]:
        assert schema["properties"][figure]["type"] == "integer"


def test_an_unknown_member_is_a_404(client, operator):
    assert client.get("/api/v1/members/MC0000000000", **operator).status_code == 404
    assert client.get("/api/v1/members/x%00y", **operator).status_code in (404, 422)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"item": null}',
        '{"item": "E-FEE", "points": 1e309}',
        '{"item": "E-FEE", "points": 99999999999999999999}',
        '{"item": "E-FEE", "points": "12"}',
        '{"item": "\\u0000"}',
        '{"item": "E-RICE-5KG", "shipping": {"name": "", "postal_code": "x"}}',
        '{"item": "E-RICE-5KG", "shipping": {"name": "a", "postal_code": "1234567", "address": "b",'
        ' "phone": "xxxxxxxxxx"}}',
        '{"item": "E-RICE-5KG", "extra": 1}',
    ],
)
def test_bad_input_is_a_json_error_below_500(client, member, line_token, body):
    response = post(client, "/api/v1/me/redemptions", body, "k1", **line_token)

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_a_date_that_does_not_exist_is_a_422(client, member, operator):
    body = {"points": 5, "on": "2026-02-30", "reason": "r"}

    response = post(
        client, f"/api/v1/members/{member.member_id}/adjustments", body, "a", **operator
    )

    assert response.status_code == 422
    assert dt.date(2026, 2, 28)


def test_the_docs_page_loads_swagger_ui_from_this_site_not_a_cdn(client):
    page = client.get("/api/v1/docs").text

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
