"""The schema of a catalog file (programs/*-catalog.toml) and how it is read; no Django here."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_core import ErrorDetails

from memberclub.domain.program import Level
from memberclub.domain.tomlfile import Strict, toml_parse


class FulfilmentKind(StrEnum):
    """How a redeemed item reaches the member (SPEC §7)."""

    SHIPPED = "SHIPPED"
    DIGITAL_CODE = "DIGITAL_CODE"
    SERVICE = "SERVICE"
    BILL_CREDIT = "BILL_CREDIT"


# Kinds a club must not offer (electronic money and partner points, SPEC §7), under the names an
# operator might use for them; any other unknown kind is refused as unknown.
FORBIDDEN_KINDS = frozenset(
    {
        "E_MONEY", "EMONEY", "ELECTRONIC_MONEY", "PREPAID", "GIFT_CARD_BALANCE",
        "PARTNER_POINTS", "POINT_TRANSFER", "POINTS_TRANSFER", "MILES", "CASH",
    }
)  # fmt: skip

CODE = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"


IMAGE = r"^$|^[a-z0-9][a-z0-9._-]{0,95}\.(svg|png|jpg|jpeg|webp)$"


class CategoryDefinition(Strict):
    """A catalog category with its names."""

    ja: str = Field(min_length=1, max_length=50)
    en: str = Field(min_length=1, max_length=50)


class ItemDefinition(Strict):
    """One catalog item as written in the file."""

    code: str = Field(pattern=CODE)
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    description_ja: str = ""
    description_en: str = ""
    category: str
    kind: str
    # Fee payment has no price: the member chooses how many points to pay.
    points: Annotated[int, Field(gt=0, le=1_000_000)] | None = None
    # Absent: unlimited. Digital codes take their stock from the loaded pool instead.
    stock: Annotated[int, Field(ge=0)] | None = None
    active_from: dt.date | None = None
    active_until: dt.date | None = None
    level: Level | None = None
    # A picture shipped under programs/images/ (beside the catalog file), by file name.
    image: str = Field(default="", pattern=IMAGE)

    @field_validator("kind")
    @classmethod
    def _offered_kind(cls, kind: str) -> str:
        if kind.upper() in FORBIDDEN_KINDS:
            raise ValueError(
                f"{kind} is not offered: electronic money and partner points are refused"
            )
        if kind not in FulfilmentKind.__members__:
            raise ValueError(
                f"unknown fulfilment kind {kind!r}: use one of {', '.join(FulfilmentKind)}"
            )
        return kind

    @model_validator(mode="after")
    def _consistent(self) -> "ItemDefinition":
        if self.kind == FulfilmentKind.BILL_CREDIT:
            if self.points is not None or self.stock is not None:
                raise ValueError("a BILL_CREDIT item has neither points nor stock")
        elif self.points is None:
            raise ValueError(f"item {self.code} needs points")
        if self.kind == FulfilmentKind.DIGITAL_CODE and self.stock is not None:
            raise ValueError("a DIGITAL_CODE item's stock is its pool: load codes instead")
        if self.active_from and self.active_until and self.active_until < self.active_from:
            raise ValueError("active_until must not be before active_from")
        return self


class CatalogDefinition(Strict):
    """A whole catalog file of one program."""

    program: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    categories: dict[str, CategoryDefinition] = Field(min_length=1)
    items: list[ItemDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "CatalogDefinition":
        codes = [item.code for item in self.items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"item codes appear twice: {', '.join(duplicates)}")
        for item in self.items:
            if item.category not in self.categories:
                raise ValueError(f"item {item.code}: unknown category {item.category!r}")
        return self


def parse_catalog(text: str, *, source: str = "catalog file") -> CatalogDefinition:
    """Validate a catalog file, or refuse it with the item and the reason."""
    return toml_parse(CatalogDefinition, text, source=source, describe=_item_and_reason)


def _item_and_reason(text: str, data: dict[str, Any], first: ErrorDetails) -> str:
    """Name the error's item by its code, with the reason."""
    message = str(first["msg"]).removeprefix("Value error, ")
    return f" {_where(data, first['loc'])}{message}"


def _where(data: dict[str, object], loc: tuple[int | str, ...]) -> str:
    """Name the item an error is in by its code, which the operator can search for."""
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            code = items[loc[1]].get("code", f"#{loc[1] + 1}")
            rest = ".".join(str(part) for part in loc[2:])
            return f"item {code}{' ' + rest if rest else ''}: "
    return f"{'.'.join(str(part) for part in loc)}: " if loc else ""
