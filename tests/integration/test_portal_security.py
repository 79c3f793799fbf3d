"""Production settings: `check --deploy` is clean with the documented environment."""

import os
import secrets
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "club.example.jp",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production environment: none of the test run's own switches (the browser tests allow
    # the ORM next to Playwright's event loop, which --deploy rightly reports).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SECURE_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "memberclub", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_reports_nothing_with_the_production_environment():
    result = check_deploy(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_it():
    result = check_deploy({"DEBUG": "1"})

    for warning in (
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
        "security.W018",
    ):
        assert warning in result.stderr + result.stdout
