"""Guards for portal views: a logged-in member, and the access level an action needs.

Use `@member_required` for pages any logged-in member may see, and `@level_required("action")`
with an action named in the program file's [access.levels] (e.g. "points_history",
"item_exchange"). A view behind either gets `request.member` and `request.level`.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from memberclub.access.gate import level_missing
from memberclub.domain.program import Level
from memberclub.members.models import Member
from memberclub.web import request_level, request_member

SESSION_LEVEL = "portal_level"


class MemberRequest(HttpRequest):
    """A request from a logged-in member, as a guarded view sees it."""

    member: Member
    level: Level


View = Callable[..., HttpResponse]


def current_level(request: HttpRequest, member: Member) -> Level:
    """The request's level; the session key is rotated when it rises to LINE."""
    level = request_level(request, member)
    if level == Level.LINE and request.session.get(SESSION_LEVEL) != Level.LINE:
        request.session.cycle_key()
    request.session[SESSION_LEVEL] = str(level)
    return level


def auth_key_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Send the member to the auth-key screen, to come back here afterwards."""
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('portal:auth_key')}?{query}", status=303)


def member_required(view: View) -> View:
    """Let only a logged-in, current member in; others go to the login page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = request_member(request)
        if member is None:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        guarded_request = cast(MemberRequest, request)
        guarded_request.member = member
        guarded_request.level = current_level(request, member)
        return view(guarded_request, *args, **kwargs)

    return guarded


def level_required(action: str) -> Callable[[View], View]:
    """Let a member in only at the level the program asks for `action`, else to the auth key."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: MemberRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            missing = level_missing(
                member=request.member, action=action, level=request.level, on=timezone.localdate()
            )
            if missing is not None:
                return auth_key_redirect(request)
            return view(request, *args, **kwargs)

        return member_required(guarded)

    return decorate
