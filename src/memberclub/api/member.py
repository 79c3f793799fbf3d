"""Member endpoints: /me, /me/points, /me/history, /catalog, /me/redemptions."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Status
from ninja.errors import HttpError
from pydantic import StringConstraints

from memberclub.access.gate import level_missing
from memberclub.api.auth import (
    MEMBER_AUTH,
    POINTS_AUTH,
    contract_of,
    level_of,
    member_of,
    points_of,
)
from memberclub.api.schemas import (
    CatalogItem,
    Error,
    HistoryEntry,
    HistoryPage,
    LotOut,
    Me,
    PointsOut,
    RedemptionIn,
    RedemptionOut,
)
from memberclub.rewards.models import Kind, Redemption
from memberclub.rewards.selectors import account_history, catalog_items, points_summary
from memberclub.rewards.services import Shipping, digital_code_show, redemption_request

router = Router(auth=MEMBER_AUTH, tags=["member"])
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,100}$")]
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _need(request: HttpRequest, action: str) -> None:
    """Refuse with 403 when the request's level is below what the program asks for `action`."""
    missing = level_missing(
        member=member_of(request), action=action, level=level_of(request), on=timezone.localdate()
    )
    if missing is not None:
        raise HttpError(403, f"this needs access level {missing}")


@router.get("/me", response={200: Me, **ERRORS})
def me(request: HttpRequest) -> Me:
    """The member behind the request and its access level."""
    member = member_of(request)
    return Me(
        member_id=member.member_id,
        nickname=member.nickname,
        program=member.program,
        customer_id=member.contract.customer_id,
        language=member.language,
        joined_on=member.joined_on,
        level=str(level_of(request)),
    )


@router.get("/me/points", response={200: PointsOut, **ERRORS}, auth=POINTS_AUTH)
def my_points(request: HttpRequest) -> HttpResponse:
    """Balance today, its lots, and the points expiring at the end of this fiscal year."""
    summary = points_of(request)  # read with the token, in the same statement
    if summary is None:
        member = member_of(request)
        summary = points_summary(
            account_id=member.account.pk, program=member.program, as_of=timezone.localdate()
        )
    # The busiest read: its schema serializes it straight (in pydantic's core) without checking
    # again values that come typed from the selector, a third of what the request costs.
    points = PointsOut.model_construct(
        as_of=summary.as_of,
        balance=summary.balance,
        expiring_points=summary.expiring_points,
        expiring_on=summary.expiring_on,
        lots=[
            LotOut.model_construct(expires_on=lot.expires_on, remaining=lot.remaining)
            for lot in summary.lots
        ],
    )
    return HttpResponse(points.model_dump_json(), content_type="application/json")


@router.get("/me/history", response={200: HistoryPage, **ERRORS})
def my_history(
    request: HttpRequest,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HistoryPage:
    """The points history (LINE level), newest first."""
    _need(request, "points_history")
    entries = account_history(account_id=member_of(request).account.pk)
    page = list(entries[offset : offset + limit])
    return HistoryPage(
        count=entries.count(),
        entries=[
            HistoryEntry(
                id=entry.pk,
                kind=entry.kind,
                points=entry.points,
                on=entry.effective_on,
                expires_on=entry.expires_on,
                reason=entry.reason,
                redemption_number=_redemption_number(entry),
            )
            for entry in page
        ],
    )


def _redemption_number(entry: object) -> str | None:
    for relation in ("redemption", "refunded_redemption"):
        redemption = getattr(entry, relation, None)
        if redemption is not None:
            return str(redemption.number)
    return None


@router.get("/catalog", response={200: list[CatalogItem], **ERRORS})
def catalog(
    request: HttpRequest,
    category: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z0-9_-]+$")] = None,
    affordable: bool = False,
) -> list[CatalogItem]:
    """The items offered today, optionally of one category or only what the balance affords."""
    member = member_of(request)
    today = timezone.localdate()
    balance = (
        points_summary(account_id=member.account.pk, program=member.program, as_of=today).balance
        if affordable
        else None
    )
    items = catalog_items(
        program=member.program, on=today, category=category, affordable_with=balance
    )
    return [
        CatalogItem(
            code=item.code,
            name_ja=item.name_ja,
            name_en=item.name_en,
            category=item.category.code,
            kind=item.kind,
            points=item.points,
            stock=item.stock,
            required_level=item.required_level,
        )
        for item in items
    ]


@router.post("/me/redemptions", response={200: RedemptionOut, 201: RedemptionOut, **ERRORS})
def redeem(
    request: HttpRequest,
    response: HttpResponse,
    body: RedemptionIn,
    idempotency_key: Annotated[IdempotencyKey, Header(alias="Idempotency-Key")],
) -> Status[RedemptionOut]:
    """Exchange points for an item; the same key and body again return the first result."""
    member = member_of(request)
    shipping = None
    if body.shipping is not None:
        shipping = Shipping(**body.shipping.model_dump())
    else:
        contract = contract_of(member)
        shipping = Shipping(
            name=contract.holder_name,
            postal_code=contract.postal_code,
            address=contract.address,
            phone=contract.phone,
        )
    outcome = redemption_request(
        member=member,
        item_code=body.item,
        on=timezone.localdate(),
        key=idempotency_key,
        level=level_of(request),
        points=body.points,
        shipping=shipping,
        via="api",
    )
    if not outcome.created:
        response.headers["Idempotent-Replayed"] = "true"
    return Status(201, redemption_out(outcome.redemption))


def redemption_out(redemption: Redemption) -> RedemptionOut:
    """A redemption as the API returns it (showing a digital code marks it shown)."""
    code, status = None, redemption.status
    if redemption.kind == Kind.DIGITAL_CODE:
        code = digital_code_show(redemption=redemption)
        status = Redemption.objects.values_list("status", flat=True).get(pk=redemption.pk)
    return RedemptionOut(
        number=redemption.number,
        item=redemption.item.code,
        kind=redemption.kind,
        points=redemption.points,
        status=status,
        requested_on=redemption.requested_on,
        bill_month=f"{redemption.bill_month:%Y-%m}" if redemption.bill_month else None,
        balance_after=redemption.balance_after,
        digital_code=code,
    )
