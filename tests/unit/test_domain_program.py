"""Program files are validated; a bad file is refused with its line and reason."""

from pathlib import Path

import pytest

from memberclub.domain.errors import Refused
from memberclub.domain.program import Level, parse_program

PROGRAMS = Path(__file__).resolve().parents[2] / "programs"


def _east() -> str:
    return (PROGRAMS / "east.toml").read_text(encoding="utf-8")


def test_the_shipped_programs_carry_the_spec_defaults():
    east = parse_program(_east())
    west = parse_program((PROGRAMS / "west.toml").read_text(encoding="utf-8"))

    assert east.accrual.kind == "monthly"
    assert east.accrual.monthly_points("FAMILY", 1) == 100
    assert east.accrual.monthly_points("FAMILY", 9) == 500
    assert east.accrual.monthly_points("MANSION", 3) == 150
    assert east.accrual.monthly_points("LIGHT", 4) == 50
    assert east.redemption.fee_payment_monthly_cap == 5000
    assert east.access.level_for("fee_payment") == Level.PASSWORD
    assert east.access.level_for("item_exchange") == Level.LINE
    assert west.accrual.kind == "usage"
    assert west.accrual.welcome_points == 500
    assert west.lifecycle.on_converted == "keep"
    assert east.lifecycle.on_converted == "forfeit"


def test_west_ranks_follow_holder_plan_and_conversion():
    west = parse_program((PROGRAMS / "west.toml").read_text(encoding="utf-8"))
    assert west.accrual.kind == "usage"
    rank = west.accrual.rank

    assert rank(plan="CROSS", holder_kind="INDIVIDUAL", status="ACTIVE") == "GOLD"
    assert rank(plan="CROSS", holder_kind="CORPORATE", status="ACTIVE") == "BRONZE"
    assert rank(plan="BASIC", holder_kind="INDIVIDUAL", status="ACTIVE") == "BRONZE"
    assert rank(plan="FAMILY", holder_kind="INDIVIDUAL", status="CONVERTED") == "HIKARI_WITH"
    assert rank(plan="FAMILY", holder_kind="INDIVIDUAL", status="CANCELED") == "GENERAL"


def test_a_negative_rate_is_refused_with_its_line():
    text = _east().replace("FAMILY = [100,", "FAMILY = [-100,")

    with pytest.raises(Refused, match=r"east-bad.toml: line 20 .*FAMILY.*greater than or equal"):
        parse_program(text, source="east-bad.toml")


def test_an_unknown_key_is_refused():
    text = _east().replace("plus_months = 0", "plus_months = 0\nbonus_months = 3")

    with pytest.raises(Refused, match="bonus_months"):
        parse_program(text, source="east-bad.toml")


def test_a_file_that_is_not_toml_is_refused_with_its_line():
    with pytest.raises(Refused, match=r"line 2"):
        parse_program('code = "east"\nname_ja = \n', source="broken.toml")


def test_electronic_money_cannot_be_smuggled_in_as_an_accrual_kind():
    text = _east().replace('kind = "monthly"', 'kind = "emoney"')

    with pytest.raises(Refused, match="accrual"):
        parse_program(text, source="east-bad.toml")


def test_personal_data_is_kept_a_year_after_leaving_unless_the_file_says_otherwise():
    without = _east().split("[privacy]")[0]
    shorter = without + "\n[privacy]\nretention_days = 90\n"

    assert parse_program(_east()).privacy.retention_days == 365
    assert parse_program(without).privacy.retention_days == 365
    assert parse_program(shorter).privacy.retention_days == 90
    with pytest.raises(Refused):
        parse_program(without + "\n[privacy]\nretention_days = 0\n")
