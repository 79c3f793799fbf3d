"""Who is calling: a member by session or personal token, or an operator by API key."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from memberclub.api.tokens import api_key_scopes, personal_token_check, personal_token_points
from memberclub.contracts.models import Contract
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.members.models import Member
from memberclub.rewards.selectors import PointsSummary
from memberclub.web import request_level, request_member


def _attach(request: HttpRequest, member: Member, level: Level) -> Member:
    request.member = member  # type: ignore[attr-defined]
    request.level = level  # type: ignore[attr-defined]
    return member


class MemberToken(HttpBearer):
    """`Authorization: Bearer mcp_…`: a personal token, at the level it was made at.

    With `points=True` (GET me/points) the statement that checks the token also reads the
    member's points summary of today, kept for the endpoint as `points_of(request)`.
    """

    def __init__(self, *, points: bool = False) -> None:
        super().__init__()
        self.points = points

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        """The token's member, with the token's level."""
        if self.points:
            read = personal_token_points(secret=token, as_of=timezone.localdate())
            if read is None:
                return None
            member, level, request.points = read  # type: ignore[attr-defined]
            return _attach(request, member, level)
        found = personal_token_check(secret=token)
        return _attach(request, *found) if found else None


class MemberSession(SessionAuth):
    """The portal's login session (CSRF-checked for writes), at the request's own level."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Member | None:
        """The logged-in user's current member, at the level of this request."""
        member = request_member(request)
        if member is None:
            return None
        return _attach(request, member, request_level(request, member))


class OperatorKey(HttpBearer):
    """`Authorization: Bearer mco_…`: an operator key; each endpoint names the scope it needs."""

    def authenticate(self, request: HttpRequest, token: str) -> frozenset[str] | None:
        """The key's scopes."""
        return api_key_scopes(secret=token)


MEMBER_AUTH: list[Any] = [MemberToken(), MemberSession()]
# The same two ways in; the token's statement reads the points too.
POINTS_AUTH: list[Any] = [MemberToken(points=True), MemberSession()]
OPERATOR_AUTH: list[Any] = [OperatorKey()]


CONTRACTS = rawsql.Table(Contract)


def contract_of(member: Member) -> Contract:
    """The member's contract, read in plain SQL unless already at hand (a token's member
    comes without it: most endpoints never look at it)."""
    if not Member.contract.is_cached(member):
        found = rawsql.fetch(
            f"SELECT {CONTRACTS.columns('c')} FROM contracts_contract c WHERE c.id = %s",
            [member.contract_id],
        )
        rawsql.cache_related(member, "contract", CONTRACTS.build(found[0]))
    return member.contract


def member_of(request: HttpRequest) -> Member:
    """The authenticated member of a member endpoint."""
    return request.member  # type: ignore[attr-defined, no-any-return]


def points_of(request: HttpRequest) -> PointsSummary | None:
    """The points summary of today read with the caller's token (POINTS_AUTH), or None."""
    return getattr(request, "points", None)


def level_of(request: HttpRequest) -> Level:
    """The access level of the authenticated member's request."""
    return request.level  # type: ignore[attr-defined, no-any-return]


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse an operator call whose key lacks `scope`."""
    scopes: frozenset[str] = request.auth  # type: ignore[attr-defined]
    if scope not in scopes:
        raise HttpError(403, f"this API key lacks the scope {scope}")
