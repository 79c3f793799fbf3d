"""Issuing, checking and revoking personal tokens and API keys.

Tokens are 256-bit random strings, so a plain SHA-256 digest protects them at rest and lets a
request find its token by one indexed lookup (a slow password hash would cost every request).
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone

from memberclub.api.models import ApiKey, PersonalToken
from memberclub.domain.errors import Refused
from memberclub.domain.program import Level
from memberclub.ledger import rawsql
from memberclub.ledger.models import Account
from memberclub.members.models import Member
from memberclub.members.selectors import current_member_sql
from memberclub.rewards.selectors import (
    SUMMARY_COLUMNS,
    PointsSummary,
    points_summary_of,
    summary_days,
    summary_joins,
)

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
# Whether `last_used_at` is due to be written again is asked of the database (bound: the
# oldest time that is still fresh), so the statement returns no timestamp to convert.
STALE = "(t.last_used_at IS NULL OR t.last_used_at < %s)"
CALLER_COLUMNS = f"t.id, t.level, {STALE}, {MEMBERS.columns('m')}, {ACCOUNTS.columns('a')}"
CALLER_FROM = """
    FROM api_personaltoken t
    JOIN members_member m ON m.id = t.member_id
    JOIN ledger_account a ON a.member_id = m.id
"""
# The member is current: not left, and the program not closed (members.selectors).
CALLER_WHERE = f"WHERE t.digest = %s AND t.revoked_at IS NULL AND {current_member_sql('m')}"
TOKEN_MEMBER = f"SELECT {CALLER_COLUMNS} {CALLER_FROM} {CALLER_WHERE}"
# GET me/points, the busiest read, asks the same statement for the member's points too: one
# round trip to the database instead of two. It reads only the member's key and program (any
# other field, or the account, is loaded if something asks for it, as Django's deferred fields
# are); each of the summary's rows repeats them.
POINTS_CALLER_COLUMNS = f"t.id, t.level, {STALE}, m.id, m.member_id, m.program"
POINTS_CALLER_WIDTH = 6
TOKEN_POINTS = f"""
    SELECT {POINTS_CALLER_COLUMNS}, {SUMMARY_COLUMNS} {CALLER_FROM}
    {summary_joins(program="m.program", account="a.id")}
    {CALLER_WHERE}
"""


def _token_digest(secret: str) -> str | None:
    """The digest to look a personal token up by, or None for what cannot be one."""
    if not secret.startswith(PERSONAL_PREFIX) or len(secret) > 100:
        return None
    return _digest(secret)


def _fresh_after() -> Any:
    """The value STALE binds: a token last used before it is noted as used now."""
    return PERSONAL_TOKENS.prep("last_used_at", timezone.now() - TOUCH_EVERY)


def _touched(row: Sequence[Any]) -> Level:
    """The level of a token's row (id, level, STALE first); notes that the token was used
    when its last note is older than TOUCH_EVERY, so that calls with it seldom write."""
    if row[2]:
        PersonalToken.objects.filter(pk=row[0]).update(last_used_at=timezone.now())
    return Level(row[1])


def _first_read(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """rawsql.fetch for the token's statement, the first of a member's API request, which is
    its own health check of the kept connection.

    Django checks a kept connection with a `SELECT 1` before a request's first statement
    (DB_CONN_HEALTH_CHECKS), a round trip that cost as much as the token's statement. That
    statement only reads, so it can be the check: if it fails on a connection kept from an
    earlier request (the database restarted), the connection is replaced and the statement run
    once more, which is what the check would have done, and no request fails for it.
    """
    db: Any = rawsql.database()  # its health_check_* attributes are not in django-stubs
    unchecked = (
        db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    )
    if not unchecked:
        return rawsql.fetch(sql, params)
    db.health_check_done = True
    try:
        return rawsql.fetch(sql, params)
    except (DataError, IntegrityError):
        raise  # errors of the values, not of the connection (as Django tells them apart)
    except DatabaseError:
        db.close()
    return rawsql.fetch(sql, params)


def personal_token_check(*, secret: str) -> tuple[Member, Level] | None:
    """The current member and level a token stands for, or None."""
    digest = _token_digest(secret)
    found = _first_read(TOKEN_MEMBER, [_fresh_after(), digest]) if digest else None
    if not found:
        return None
    row = found[0]
    member = MEMBERS.build(row, 3)
    account = ACCOUNTS.build(row, 3 + MEMBERS.width)
    rawsql.cache_related(member, "account", account)
    rawsql.cache_related(account, "member", member)
    return member, _touched(row)


def personal_token_points(
    *, secret: str, as_of: dt.date
) -> tuple[Member, Level, PointsSummary] | None:
    """What personal_token_check finds, with the member's points_summary on `as_of`, in one
    statement; None for a token that is not live."""
    digest = _token_digest(secret)
    params = [_fresh_after(), *summary_days(as_of), digest]
    found = _first_read(TOKEN_POINTS, params) if digest else None
    if not found:
        return None
    row = found[0]
    member = Member.from_db(DEFAULT_DB_ALIAS, ["id", "member_id", "program"], row[3:6])
    summary = points_summary_of(
        found, start=POINTS_CALLER_WIDTH, program=member.program, as_of=as_of
    )
    return member, _touched(row), summary


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
