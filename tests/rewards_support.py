"""Helpers for the exchange tests: load the shipped catalogs, give a member points."""

import datetime as dt
from pathlib import Path

from memberclub.domain.program import Level
from memberclub.ledger.services import points_adjust
from memberclub.members.models import Member
from memberclub.rewards.catalog import catalogs_load_files
from memberclub.rewards.models import Item
from memberclub.rewards.services import RedemptionOutcome, Shipping, redemption_request

ROOT = Path(__file__).resolve().parent.parent
CATALOG_FILES = [ROOT / "programs" / "east-catalog.toml", ROOT / "programs" / "west-catalog.toml"]
TODAY = dt.date(2026, 11, 26)
HOME = Shipping(
    name="山田 太郎",
    postal_code="100-0001",
    address="東京都千代田区千代田1-1",
    phone="03-1234-5678",
)


def load_catalogs() -> None:
    """Load both shipped catalogs (the programs must be loaded first)."""
    catalogs_load_files(paths=CATALOG_FILES)


def give(member: Member, points: int, *, on: dt.date = dt.date(2026, 4, 1), key: str = "") -> None:
    """Credit a member's account with points awarded on `on`."""
    points_adjust(
        account_id=member.account.pk,
        points=points,
        on=on,
        reason="テスト用ポイント",
        key=key or f"give:{member.pk}:{on}:{points}",
    )


def item_with(code: str, **fields: object) -> Item:
    """Change a catalog item for a test (stock, points, …) and return it."""
    Item.objects.filter(code=code).update(**fields)
    return Item.objects.get(code=code)


def redeem(
    member: Member,
    code: str,
    *,
    key: str,
    on: dt.date = TODAY,
    points: int | None = None,
    level: Level = Level.LINE,
) -> RedemptionOutcome:
    """Redeem as the portal would, at LINE level, shipping to the test address."""
    return redemption_request(
        member=member,
        item_code=code,
        on=on,
        key=key,
        level=level,
        points=points,
        shipping=HOME,
    )
