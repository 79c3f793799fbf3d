"""Operator endpoints (API key with scopes): contract events, members, adjustments, liability."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status
from ninja.errors import HttpError
from pydantic import StringConstraints

from memberclub.api.auth import OPERATOR_AUTH, require_scope
from memberclub.api.member import ERRORS, IdempotencyKey
from memberclub.api.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    EventIn,
    EventOut,
    LotOut,
    MemberOut,
    PointsOut,
)
from memberclub.contracts.lifecycle import contract_event_apply
from memberclub.ledger.selectors import account_balance
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.programs.selectors import program_codes
from memberclub.reports.selectors import Liability, liability_roll_forward
from memberclub.rewards.selectors import points_summary

router = Router(auth=OPERATOR_AUTH, tags=["operator"])
MemberId = Annotated[str, StringConstraints(pattern=r"^MC[0-9]{10}$")]


def _member(member_id: str) -> Member:
    member = Member.objects.select_related("contract", "account").filter(member_id=member_id)
    found = member.first()
    if found is None:
        raise HttpError(404, f"no member {member_id}")
    return found


@router.post("/contracts/events", response={200: EventOut, **ERRORS})
def contract_event(request: HttpRequest, body: EventIn) -> EventOut:
    """Apply a lifecycle event; the same event ID again changes nothing."""
    require_scope(request, "contracts:write")
    applied = contract_event_apply(
        event_id=body.event_id,
        customer_id=body.customer_id,
        kind=body.kind,
        effective_on=body.effective_on,
        payload=dict(body.payload),
        source="api",
    )
    return EventOut(event_id=body.event_id, applied=applied)


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS})
def member_detail(request: HttpRequest, member_id: Path[MemberId]) -> MemberOut:
    """One member and the state of their contract."""
    require_scope(request, "members:read")
    member = _member(member_id)
    return MemberOut(
        member_id=member.member_id,
        customer_id=member.contract.customer_id,
        program=member.program,
        nickname=member.nickname,
        email=member.email,
        joined_on=member.joined_on,
        left_on=membership_left_on(member=member),
        contract_status=member.contract.status,
    )


@router.get("/members/{member_id}/points", response={200: PointsOut, **ERRORS})
def member_points(
    request: HttpRequest,
    member_id: Path[MemberId],
    as_of: Annotated[dt.date | None, Query()] = None,
) -> PointsOut:
    """A member's balance and lots on a date (default today)."""
    require_scope(request, "members:read")
    member = _member(member_id)
    summary = points_summary(
        account_id=member.account.pk,
        program=member.program,
        as_of=as_of or timezone.localdate(),
    )
    return PointsOut(
        as_of=summary.as_of,
        balance=summary.balance,
        expiring_points=summary.expiring_points,
        expiring_on=summary.expiring_on,
        lots=[LotOut(expires_on=lot.expires_on, remaining=lot.remaining) for lot in summary.lots],
    )


@router.post("/members/{member_id}/adjustments", response={201: AdjustmentOut, **ERRORS})
def adjustment(
    request: HttpRequest,
    member_id: Path[MemberId],
    body: AdjustmentIn,
    idempotency_key: Annotated[IdempotencyKey, Header(alias="Idempotency-Key")],
) -> Status[AdjustmentOut]:
    """Adjust a member's points; the same key and body again return the first entry."""
    require_scope(request, "points:write")
    member = _member(member_id)
    entry = points_adjust(
        account_id=member.account.pk,
        points=body.points,
        on=body.on,
        reason=body.reason,
        key=f"api-adjust:{idempotency_key}",
    )
    if (entry.account_id, entry.points, entry.effective_on, entry.reason) != (
        member.account.pk,
        body.points,
        body.on,
        body.reason,
    ):
        raise HttpError(409, "this idempotency key was used for a different request")
    balance = account_balance(account_id=member.account.pk, as_of=body.on)
    return Status(
        201,
        AdjustmentOut(
            entry_id=entry.pk, points=entry.points, on=entry.effective_on, balance=balance
        ),
    )


@router.get("/reports/liability", response={200: Liability, **ERRORS})
def liability(
    request: HttpRequest,
    program: Annotated[str, Query(max_length=32)],
    fy: Annotated[int, Query(ge=2000, le=2100)],
    by: Annotated[Literal["month"] | None, Query()] = None,
) -> Liability:
    """Opening, movements and closing points of a program over a fiscal year."""
    require_scope(request, "reports:read")
    if program not in program_codes():
        raise HttpError(404, f"no program {program!r}")
    return liability_roll_forward(program=program, fiscal_year=fy, by_month=by == "month")
