"""Loading catalogs and code pools, as an operator does from the command line."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from memberclub.rewards.models import Item
from tests.rewards_support import CATALOG_FILES, load_catalogs

pytestmark = pytest.mark.django_db


def run(*args: str, capsys) -> dict:
    call_command(*args, "--json")
    result: dict = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return result


def test_catalogs_load_with_every_item_and_again_change_nothing(programs, capsys):
    first = run("catalog", "load", *map(str, CATALOG_FILES), capsys=capsys)
    again = run("catalog", "load", *map(str, CATALOG_FILES), capsys=capsys)

    assert [c["created"] for c in first["loaded"]] == [13, 13]
    assert [c["unchanged"] for c in again["loaded"]] == [13, 13]


def test_loading_again_keeps_the_stock_that_sales_left(programs):
    load_catalogs()
    Item.objects.filter(code="E-RICE-5KG").update(stock=3)

    load_catalogs()

    assert Item.objects.get(code="E-RICE-5KG").stock == 3


def test_a_catalog_for_a_program_that_is_not_loaded_is_refused(db, tmp_path: Path):
    from memberclub.domain.errors import Refused
    from memberclub.rewards.catalog import catalogs_load_files

    with pytest.raises(Refused, match="not loaded"):
        catalogs_load_files(paths=CATALOG_FILES)


def test_codes_load_adds_each_code_once_and_sets_the_stock(programs, tmp_path: Path, capsys):
    load_catalogs()
    codes = tmp_path / "codes.txt"
    codes.write_text("AAA-1\nAAA-2\n\nAAA-1\n", encoding="utf-8")

    first = run("codes", "load", "E-CINEMA", str(codes), capsys=capsys)
    again = run("codes", "load", "E-CINEMA", str(codes), capsys=capsys)

    assert (first["added"], first["stock"]) == (2, 2)
    assert (again["added"], again["already_loaded"], again["stock"]) == (0, 2, 2)


def test_codes_for_an_item_that_is_not_a_code_item_are_refused(programs, tmp_path: Path):
    from memberclub.domain.errors import Refused
    from memberclub.rewards.services import codes_load

    load_catalogs()

    with pytest.raises(Refused, match="not DIGITAL_CODE"):
        codes_load(item_code="E-RICE-5KG", codes=["X"])
