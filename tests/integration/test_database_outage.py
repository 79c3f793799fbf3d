"""A database that fails is a 503 with Retry-After: JSON for the API, the portal's own page in
the visitor's language, one line and exit 1 for the CLI (SPEC §12)."""

import json
import subprocess
import sys

import pytest
from django.db import OperationalError, connection

from memberclub.api.tokens import personal_token_create
from memberclub.domain.program import Level
from tests.portal_support import logged_in
from tests.processes import free_port

pytestmark = pytest.mark.django_db


def refuse(*args: object) -> None:
    raise OperationalError("server closed the connection unexpectedly\n\tmore detail")


def test_the_api_answers_503_with_a_code_while_the_database_fails(client, make_member):
    token = personal_token_create(member=make_member(), name="t", level=Level.LINE).secret

    with connection.execute_wrapper(refuse):
        response = client.get("/api/v1/me/points", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 503
    assert response.json() == {
        "error": "database unavailable; try again later",
        "code": "database_unavailable",
    }
    assert response.headers["Retry-After"] == "10"
    assert client.get("/api/v1/me/points", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@pytest.mark.parametrize(
    ("language", "title", "phrase"),
    [
        ("ja", "ただいまご利用いただけません", "しばらくしてからもう一度お試しください"),
        ("en", "Temporarily unavailable", "Please try again in a few minutes"),
    ],
)
def test_the_portal_shows_its_own_page_in_the_members_language(
    settings, make_member, language, title, phrase
):
    browser = logged_in(make_member())
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    with connection.execute_wrapper(refuse):
        response = browser.get("/")

    page = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert f'<html lang="{language}">' in page
    assert title in page
    assert phrase in page
    assert "Traceback" not in page
    assert browser.get("/").status_code == 200


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_command_without_its_database_says_so_in_one_line_and_exits_1(json_flag):
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"

    done = subprocess.run(  # noqa: S603 - this interpreter running memberclub
        [sys.executable, "-m", "memberclub", "points", "show", "CAF0000001", *json_flag],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": unreachable},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("memberclub: database unavailable: ")
    assert "Traceback" not in done.stderr
    if json_flag:
        error = json.loads(done.stdout.strip().splitlines()[-1])["error"]
        assert error.startswith("database unavailable: ")
