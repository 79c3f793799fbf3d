"""Production settings: safe with DEBUG=0 alone, and `check --deploy` says so."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import memberclub

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "club.example.jp",
}
# Run in a production process: what a browser is told over HTTP and over HTTPS.
PROBE = """
import json
from django.conf import settings
from django.test import Client

import memberclub
plain = Client().get("/login/", HTTP_HOST="club.example.jp")
secure = Client().get("/login/", secure=True, HTTP_HOST="club.example.jp")
switch = Client().post(
    "/language/", {"language": "en"}, secure=True, HTTP_HOST="club.example.jp"
)
print(json.dumps({
    "redirect": [plain.status_code, plain.headers.get("Location")],
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "csrf_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "language_secure": bool(switch.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"]),
    "session_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def run_memberclub(*args: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production environment: none of the test run's own switches (the browser tests allow
    # the ORM next to Playwright's event loop, which --deploy rightly reports).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SECURE_")
        and key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "INSECURE_HTTP", "DEBUG"}
    }
    env.update(extra)
    return subprocess.run(  # noqa: S603 - this interpreter running memberclub
        [sys.executable, "-m", "memberclub", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_memberclub("check", "--deploy", "--fail-level", "WARNING", extra=extra)


def test_check_deploy_is_clean_with_only_debug_off_a_secret_key_and_the_hosts():
    result = check_deploy(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_plain_http_was_turned_on():
    result = check_deploy({**PRODUCTION, "INSECURE_HTTP": "1"})

    assert result.returncode != 0
    output = result.stderr + result.stdout
    for warning in ("memberclub.W001", "security.W004", "security.W008", "security.W012"):
        assert warning in output


def test_check_deploy_names_what_is_missing_with_debug_on():
    result = check_deploy({"DEBUG": "1"})

    for warning in (
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
        "security.W018",
    ):
        assert warning in result.stderr + result.stdout


def test_with_debug_off_alone_cookies_are_secure_and_http_goes_to_https():
    result = run_memberclub("shell", "-c", PROBE, extra=PRODUCTION)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://club.example.jp/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_secure"] is True
    assert seen["language_secure"] is True
    assert seen["session_secure"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/v1/catalog", "/console/login/", "/nowhere/"])
def test_every_response_carries_the_security_headers(path):
    response = Client().get(path)

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_of_the_site_carries_an_inline_script():
    root = Path(memberclub.__file__).parent
    inline = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if "notifications" not in path.parts
        for line in path.read_text().splitlines()
        if "<script" in line and "src=" not in line and "application/json" not in line
    ]
    assert inline == []
