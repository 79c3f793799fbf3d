"""Catalog files: the shipped ones are complete, and a bad or forbidden item is refused."""

from pathlib import Path

import pytest

from memberclub.domain.errors import Refused
from memberclub.rewards.catalog_file import FulfilmentKind, parse_catalog

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = """
program = "east"
[categories]
food = { ja = "グルメ", en = "Food" }
[[items]]
code = "X-1"
name_ja = "お米"
name_en = "Rice"
category = "food"
"""


@pytest.mark.parametrize("name", ["east-catalog.toml", "west-catalog.toml"])
def test_each_shipped_catalog_offers_twelve_items_of_every_kind_in_several_categories(name):
    catalog = parse_catalog((ROOT / "programs" / name).read_text(encoding="utf-8"))

    assert len(catalog.items) >= 12
    assert {item.kind for item in catalog.items} == set(FulfilmentKind)
    assert len({item.category for item in catalog.items}) >= 3
    assert all(item.name_ja and item.name_en for item in catalog.items)


@pytest.mark.parametrize(
    "kind", ["ELECTRONIC_MONEY", "E_MONEY", "PARTNER_POINTS", "partner_points"]
)
def test_a_catalog_listing_electronic_money_or_partner_points_is_refused(kind):
    with pytest.raises(Refused, match="not offered"):
        parse_catalog(MINIMAL + f'kind = "{kind}"\npoints = 100\n', source="bad.toml")


def test_an_unknown_kind_is_refused_with_the_item_code():
    with pytest.raises(Refused, match=r"item X-1.*unknown fulfilment kind"):
        parse_catalog(MINIMAL + 'kind = "TELEPORT"\npoints = 100\n')


def test_goods_need_points_and_fee_payment_has_none():
    with pytest.raises(Refused, match="needs points"):
        parse_catalog(MINIMAL + 'kind = "SHIPPED"\n')
    with pytest.raises(Refused, match="neither points nor stock"):
        parse_catalog(MINIMAL + 'kind = "BILL_CREDIT"\npoints = 1\n')


def test_a_digital_code_item_takes_its_stock_from_its_pool():
    with pytest.raises(Refused, match="pool"):
        parse_catalog(MINIMAL + 'kind = "DIGITAL_CODE"\npoints = 500\nstock = 3\n')


def test_an_item_in_an_unknown_category_is_refused():
    text = MINIMAL.replace('category = "food"', 'category = "toys"')
    with pytest.raises(Refused, match="unknown category 'toys'"):
        parse_catalog(text + 'kind = "SHIPPED"\npoints = 100\n')


def test_a_code_listed_twice_is_refused():
    item = MINIMAL.split("[[items]]")[1] + 'kind = "SHIPPED"\npoints = 100\n'
    with pytest.raises(Refused, match="twice: X-1"):
        parse_catalog(MINIMAL + 'kind = "SHIPPED"\npoints = 100\n[[items]]' + item)


def test_an_active_period_must_not_end_before_it_starts():
    with pytest.raises(Refused, match="active_until"):
        parse_catalog(
            MINIMAL
            + 'kind = "SHIPPED"\npoints = 100\n'
            + "active_from = 2027-01-01\nactive_until = 2026-01-01\n"
        )


def test_a_file_that_is_not_toml_is_refused():
    with pytest.raises(Refused, match=r"bad\.toml"):
        parse_catalog("items = [", source="bad.toml")
