"""Issuing, checking and revoking personal tokens and API keys.

Tokens are 256-bit random strings, so a plain SHA-256 digest protects them at rest and lets a
request find its token by one indexed lookup (a slow password hash would cost every request).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from memberclub.api.models import ApiKey, PersonalToken
from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.ledger.models import Account
from memberclub.members.models import Member

PERSONAL_PREFIX = "mcp_"
OPERATOR_PREFIX = "mco_"
SCOPES = frozenset({"contracts:write", "members:read", "points:write", "reports:read"})
MAX_TOKENS = 10
# How stale `last_used_at` may get before a request writes it again.
TOUCH_EVERY = dt.timedelta(minutes=10)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A new credential: the stored row and the secret, shown once."""

    id: int
    secret: str


def personal_token_create(*, member: Member, name: str, level: Level) -> Issued:
    """Issue a personal token at the member's current level."""
    name = name.strip()
    if not name or len(name) > 50:
        raise Refused("a token needs a name of 1 to 50 characters")
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)
        if PersonalToken.objects.filter(member=member, revoked_at__isnull=True).count() >= (
            MAX_TOKENS
        ):
            raise Refused(f"at most {MAX_TOKENS} tokens; revoke one first")
        secret = PERSONAL_PREFIX + secrets.token_urlsafe(32)
        token = PersonalToken.objects.create(
            member=member, name=name, prefix=secret[:10], digest=_digest(secret), level=level
        )
    return Issued(token.pk, secret)


def personal_token_revoke(*, member: Member, token_id: int) -> bool:
    """Revoke one of the member's tokens; False when there was no such live token."""
    return bool(
        PersonalToken.objects.filter(pk=token_id, member=member, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def personal_tokens(*, member: Member) -> list[PersonalToken]:
    """The member's live tokens, newest first."""
    return list(PersonalToken.objects.filter(member=member, revoked_at__isnull=True))


PERSONAL_TOKENS = rawsql.Table(PersonalToken)
MEMBERS = rawsql.Table(Member)
ACCOUNTS = rawsql.Table(Account)
# Every API request of a member starts here, so one statement finds the live token, its
# current member and the member's account (the contract is read when an endpoint needs it).
TOKEN_MEMBER = f"""
    SELECT t.id, t.level, t.last_used_at, {MEMBERS.columns("m")}, {ACCOUNTS.columns("a")}
    FROM api_personaltoken t
    JOIN members_member m ON m.id = t.member_id
    JOIN ledger_account a ON a.member_id = m.id
    WHERE t.digest = %s AND t.revoked_at IS NULL AND m.left_on IS NULL
"""


def personal_token_check(*, secret: str) -> tuple[Member, Level] | None:
    """The current member and level a token stands for, or None."""
    if not secret.startswith(PERSONAL_PREFIX) or len(secret) > 100:
        return None
    found = rawsql.fetch(TOKEN_MEMBER, [_digest(secret)])
    if not found:
        return None
    row = found[0]
    member = MEMBERS.build(row, 3)
    account = ACCOUNTS.build(row, 3 + MEMBERS.width)
    rawsql.cache_related(member, "account", account)
    rawsql.cache_related(account, "member", member)
    now = timezone.now()
    last_used_at = PERSONAL_TOKENS.convert("last_used_at", row[2])
    if last_used_at is None or now - last_used_at > TOUCH_EVERY:
        PersonalToken.objects.filter(pk=row[0]).update(last_used_at=now)
    return member, Level(row[1])


def api_key_create(*, name: str, scopes: list[str]) -> Issued:
    """Issue an operator API key with the given scopes."""
    unknown = sorted(set(scopes) - SCOPES)
    if unknown or not scopes:
        raise Refused(f"scopes must be some of {', '.join(sorted(SCOPES))}")
    if not name.strip() or len(name) > 100:
        raise Refused("an API key needs a name of 1 to 100 characters")
    if ApiKey.objects.filter(name=name.strip()).exists():
        raise Refused(f"an API key named {name!r} exists")
    secret = OPERATOR_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(), prefix=secret[:10], digest=_digest(secret), scopes=" ".join(scopes)
    )
    return Issued(key.pk, secret)


def api_key_revoke(*, name: str) -> bool:
    """Revoke an operator key by name."""
    return bool(
        ApiKey.objects.filter(name=name, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def api_key_scopes(*, secret: str) -> frozenset[str] | None:
    """The scopes of a live API key, or None."""
    if not secret.startswith(OPERATOR_PREFIX) or len(secret) > 100:
        return None
    key = ApiKey.objects.filter(digest=_digest(secret), revoked_at__isnull=True).first()
    return frozenset(key.scopes.split()) if key else None
