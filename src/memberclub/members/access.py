"""The access level of a request (SPEC §5): from where it comes and which browser sends it."""

from django.conf import settings
from django.http import HttpRequest

from memberclub.access.devices import COOKIE_NAME, device_is_trusted
from memberclub.domain import access
from memberclub.domain.program import Level
from memberclub.members.models import Member


def client_ip(request: HttpRequest) -> str:
    """The client IP: the socket peer, or what a trusted proxy forwarded for it."""
    return access.client_ip(
        peer=str(request.META.get("REMOTE_ADDR", "")),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted_proxies=settings.TRUSTED_PROXIES,
    )


def request_level(request: HttpRequest, member: Member) -> Level:
    """LINE when the request is on the member's contract line or from a trusted device."""
    on_the_line = access.on_line(client_ip(request), member.contract.line_prefixes)
    trusted = not on_the_line and device_is_trusted(
        member=member, token=request.COOKIES.get(COOKIE_NAME)
    )
    return access.level(on_the_line=on_the_line, trusted_device=trusted)
