"""What the web ways in (portal, exchange, API) read from a request: client IP, member, level."""

from django.conf import settings
from django.http import HttpRequest

from memberclub.access.devices import COOKIE_NAME
from memberclub.access.gate import member_level, member_of_user
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


def request_member(request: HttpRequest) -> Member | None:
    """The current member of the logged-in user, if any."""
    if not request.user.is_authenticated:
        return None
    return member_of_user(user_id=request.user.pk)


def request_level(request: HttpRequest, member: Member) -> Level:
    """LINE when the request is on the member's contract line or from a trusted device."""
    return member_level(
        member=member, client_ip=client_ip(request), device_token=request.COOKIES.get(COOKIE_NAME)
    )
