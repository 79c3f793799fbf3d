"""GET /api/v1/me/points, the member API's busiest read, as a client program sees it."""

import datetime as dt
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections
from django.test import Client
from django.utils import timezone

from memberclub.api.models import PersonalToken
from memberclub.api.tokens import personal_token_create, personal_token_revoke
from memberclub.domain.fiscal import fiscal_year, fiscal_year_end
from memberclub.domain.program import Level
from memberclub.membership.profile import member_leave
from tests.rewards_support import give

pytestmark = pytest.mark.django_db
ON_THE_LINE = "192.0.2.10"


@pytest.fixture
def member(make_member):
    """A member of `east` (fiscal year from April, points kept to the end of FY+2) with a lot
    that expires at the end of this fiscal year, a later one, and one already expired."""
    member = make_member()
    today = timezone.localdate()
    this_fy = fiscal_year(today, start_month=4)
    give(member, 300, on=dt.date(this_fy - 2, 6, 1))  # usable to the end of this fiscal year
    give(member, 1_000, on=today.replace(day=1))  # usable two fiscal years longer
    give(member, 70, on=dt.date(this_fy - 3, 6, 1))  # its last day was last fiscal year's end
    return member


def token_of(member, level: Level = Level.LINE) -> dict[str, str]:
    secret = personal_token_create(member=member, name="app", level=level).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_points_show_the_usable_lots_in_expiry_order_and_what_expires_this_fiscal_year(
    client, member
):
    today = timezone.localdate()
    fy_end = fiscal_year_end(fiscal_year(today, start_month=4), start_month=4)

    body = client.get("/api/v1/me/points", **token_of(member)).json()

    assert body["as_of"] == today.isoformat()
    assert body["balance"] == 1_300
    assert [lot["remaining"] for lot in body["lots"]] == [300, 1_000]
    assert body["lots"][0]["expires_on"] == fy_end.isoformat()
    assert body["lots"][0]["expires_on"] < body["lots"][1]["expires_on"]
    assert body["expiring_points"] == 300
    assert body["expiring_on"] == fy_end.isoformat()


def test_a_west_member_reads_the_coming_april_30_as_the_next_expiry(client, make_member):
    west = make_member(program="west", discount="")
    today = timezone.localdate()
    coming = dt.date(today.year if today.month < 5 else today.year + 1, 4, 30)
    # FY N points of west are usable through April 30 of FY N+3: award them in FY (coming-3).
    give(west, 400, on=dt.date(coming.year - 3, 4, 1))
    give(west, 900, on=today.replace(day=1))

    body = client.get("/api/v1/me/points", **token_of(west)).json()

    assert (body["expiring_on"], body["expiring_points"]) == (coming.isoformat(), 400)
    assert body["balance"] == 1_300


def test_a_token_reads_the_same_points_as_the_portal_session(client, member):
    session = Client(REMOTE_ADDR=ON_THE_LINE)
    session.force_login(member.user)

    by_token = client.get("/api/v1/me/points", **token_of(member, Level.PASSWORD))
    by_session = session.get("/api/v1/me/points")

    assert by_token.status_code == by_session.status_code == 200
    assert by_token.json() == by_session.json()


def test_a_token_revoked_after_a_read_is_refused_on_the_next_one(client, member):
    issued = personal_token_create(member=member, name="app", level=Level.LINE)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/me/points", **headers).status_code == 200

    personal_token_revoke(member=member, token_id=issued.id)
    response = client.get("/api/v1/me/points", **headers)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_after_leaving_the_club_a_token_reads_nothing(client, member):
    headers = token_of(member)
    member_leave(member=member, on=timezone.localdate())

    response = client.get("/api/v1/me/points", **headers)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_token_that_is_not_one_is_a_json_401(client, member):
    for value in ["Bearer mcp_nothing", "Bearer mco_operator", "Bearer ", "Basic abc"]:
        response = client.get("/api/v1/me/points", HTTP_AUTHORIZATION=value)

        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_a_token_notes_its_use_at_most_every_ten_minutes(client, member):
    headers = token_of(member)
    token = PersonalToken.objects.get(member=member)

    client.get("/api/v1/me/points", **headers)
    first = PersonalToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/v1/me/points", **headers)
    unchanged = PersonalToken.objects.get(pk=token.pk).last_used_at
    eleven_minutes_ago = timezone.now() - dt.timedelta(minutes=11)
    PersonalToken.objects.filter(pk=token.pk).update(last_used_at=eleven_minutes_ago)
    client.get("/api/v1/me", **headers)
    noted_again = PersonalToken.objects.get(pk=token.pk).last_used_at

    assert first is not None
    assert unchanged == first
    assert noted_again is not None
    assert noted_again > eleven_minutes_ago + dt.timedelta(minutes=10)


def _database_goes_away() -> None:
    """Make the database drop this thread's kept connection, as a restart would, without
    telling the connection."""
    if connection.vendor != "postgresql":
        connection.connection.close()  # SQLite: the file's handle is gone under Django
        return
    pid = connection.connection.info.backend_pid
    admin = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.05)
    finally:
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_between_requests_fails_no_request(client, member):
    headers = token_of(member)

    # close_old_connections() is what the server does as each request starts (the test
    # client leaves it out).
    _database_goes_away()
    close_old_connections()
    points = client.get("/api/v1/me/points", **headers)
    _database_goes_away()
    close_old_connections()
    me = client.get("/api/v1/me", **headers)

    assert points.status_code == 200
    assert points.json()["balance"] == 1_300
    assert me.status_code == 200
    assert me.json()["member_id"] == member.member_id


def test_the_openapi_document_describes_the_points_read_and_its_two_ways_in(client):
    document = client.get("/api/v1/openapi.json").json()

    read = document["paths"]["/api/v1/me/points"]["get"]

    assert read["security"] == [{"MemberToken": []}, {"MemberSession": []}]
    assert read["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PointsOut"
    }
    assert set(document["components"]["schemas"]["PointsOut"]["properties"]) == {
        "as_of",
        "balance",
        "expiring_points",
        "expiring_on",
        "lots",
    }
