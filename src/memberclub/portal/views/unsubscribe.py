"""One-click unsubscribe (RFC 8058): POST without a session turns club mail off; GET asks."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from memberclub.domain.errors import Refused
from memberclub.members.unsubscribe import mail_unsubscribe, unsubscribe_member


# The mailbox provider posts `List-Unsubscribe=One-Click` with no cookie and no CSRF token;
# the signed token in the address is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page with one button; POST: the mail magazine and balance notice off."""
    try:
        member = mail_unsubscribe(token=token) if request.method == "POST" else None
        member = member or unsubscribe_member(token=token)
    except Refused:
        return render(request, "portal/link_invalid.html", status=404)
    # The member's own language, unless this browser chose one.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or member.language
    with translation.override(language):
        return render(
            request,
            "portal/unsubscribe.html",
            {"done": request.method == "POST", "token": token, "email": member.email},
        )
