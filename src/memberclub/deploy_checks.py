"""`check --deploy`: a production setting that turned plain HTTP on is reported."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def insecure_http_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Warn when INSECURE_HTTP=1 turned off secure cookies, HSTS and the HTTPS redirect."""
    if not settings.INSECURE_HTTP:
        return []
    return [
        Warning(
            "INSECURE_HTTP=1: cookies are not Secure, HSTS and the HTTPS redirect are off.",
            hint="Unset INSECURE_HTTP outside a plain-HTTP test setup.",
            id="memberclub.W001",
        )
    ]
