"""The member's personal API tokens: create (shown once) and revoke, at LINE level."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from memberclub.api.tokens import personal_token_create, personal_token_revoke, personal_tokens
from memberclub.domain.errors import Refused
from memberclub.exchange.forms import TokenForm
from memberclub.portal.guards import MemberRequest, level_required

# No program file names this action, so it needs LINE (the strictest level).
ACTION = "api_tokens"


@level_required(ACTION)
@require_http_methods(["GET", "POST"])
def tokens_view(request: MemberRequest) -> HttpResponse:
    """List the member's tokens and make a new one, whose secret is shown only now."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = personal_token_create(
                member=request.member, name=form.cleaned_data["name"], level=request.level
            )
        except Refused as error:
            form.add_error(None, str(error))
        else:
            secret = issued.secret
            form = TokenForm()
    response = render(
        request,
        "exchange/tokens.html",
        {"form": form, "secret": secret, "tokens": personal_tokens(member=request.member)},
    )
    # The secret is on this page once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@level_required(ACTION)
@require_POST
def token_revoke_view(request: MemberRequest, token_id: int) -> HttpResponse:
    """Revoke one token at once."""
    if personal_token_revoke(member=request.member, token_id=token_id):
        messages.success(request, _("The token was revoked."))
    return HttpResponseRedirect(reverse("exchange:tokens"))
