"""Deterministic demo contracts and members, written as the CSV feeds an operator would send."""

import csv
import datetime as dt
import random
from pathlib import Path

from memberclub.domain.calendar import add_months
from memberclub.domain.rows import CONTRACT_COLUMNS, MEMBER_COLUMNS

FAMILY_NAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN_NAMES = ["太郎", "花子", "一郎", "美咲", "健太", "さくら", "大輔", "陽菜", "翔", "結衣"]
EAST_PLANS = ["FAMILY", "FAMILY", "MANSION", "LIGHT"]
WEST_PLANS = ["FAMILY", "MANSION", "CROSS", "BASIC"]
DEMO_CONTRACTS = 300
# The demo's history: monthly jobs from this month to the current one.
DEMO_FIRST_MONTH = dt.date(2024, 4, 1)
# The first contract is the demo member's; its line is this machine, so LINE level shows.
DEMO_CUSTOMER_ID = "CAF0000001"
DEMO_ACCESS_KEY = "DEMO-KEY-0001"
# A west contract without a member, for trying standard registration (and welcome points).
REGISTER_CUSTOMER_ID = "CAF0000015"
REGISTER_ACCESS_KEY = "DEMO-KEY-0015"
# An east contract without a member, for trying easy registration.
EASY_CUSTOMER_ID = "CAF0000010"


def _access_key(number: int, rng: random.Random) -> str:
    key = f"KEY-{rng.randrange(10**8):08d}" if number != 1 else DEMO_ACCESS_KEY
    return REGISTER_ACCESS_KEY if number == 15 else key


def _contract_row(number: int, rng: random.Random) -> list[str]:
    program = "east" if number % 3 else "west"
    plans = EAST_PLANS if program == "east" else WEST_PLANS
    started = dt.date(2012, 4, 1) + dt.timedelta(days=rng.randrange(0, 14 * 365))
    canceled = number % 41 == 0
    discount = program == "east" and number % 7 != 0
    prefix = "127.0.0.0/8" if number == 1 else f"198.51.{number // 250}.{number % 250}/32"
    return [
        f"CAF{number:07d}",
        _access_key(number, rng),
        program,
        "FAMILY" if number == 1 else rng.choice(plans),
        f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
        "CORPORATE" if number % 17 == 0 else "INDIVIDUAL",
        f"0{rng.randrange(1, 9)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        f"{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        f"東京都千代田区千代田{number % 9 + 1}-{number % 20 + 1}",
        ("2018-04-01" if number == 1 else started.isoformat()),
        "CANCELED" if canceled else "ACTIVE",
        "2026-10-01" if canceled else "",
        "NINEN_WARI" if discount else "",
        ("2018-04-01" if number == 1 else started.isoformat()) if discount else "",
        "",
        prefix,
    ]


def write_demo_feeds(directory: Path) -> tuple[Path, Path]:
    """Write contracts.csv and members.csv for the demo and return their paths."""
    rng = random.Random(20261126)  # noqa: S311 - demo data, not secrets
    directory.mkdir(parents=True, exist_ok=True)
    contracts_path = directory / "contracts.csv"
    members_path = directory / "members.csv"
    with (
        contracts_path.open("w", newline="", encoding="utf-8") as contracts,
        members_path.open("w", newline="", encoding="utf-8") as members,
    ):
        contract_writer = csv.writer(contracts)
        member_writer = csv.writer(members)
        contract_writer.writerow(CONTRACT_COLUMNS)
        member_writer.writerow(MEMBER_COLUMNS)
        for number in range(1, DEMO_CONTRACTS + 1):
            row = _contract_row(number, rng)
            contract_writer.writerow(row)
            # Four in five contracts have a member who joined after service start.
            if number % 5 and row[10] == "ACTIVE":
                joined = max(dt.date.fromisoformat(row[9]), dt.date(2019, 4, 1))
                joined += dt.timedelta(days=rng.randrange(0, 300))
                member_writer.writerow(
                    [
                        row[0],
                        f"member{number}@example.com",
                        "デモ会員" if number == 1 else f"会員{number}",
                        joined.isoformat(),
                        "true" if number % 2 else "false",
                        "en" if number % 10 == 3 else "ja",
                    ]
                )
    return contracts_path, members_path


def write_demo_usage(directory: Path, contracts_path: Path, *, last_month: dt.date) -> Path:
    """Write usage.csv: a bill per west contract and month up to `last_month`, a few unpaid."""
    rng = random.Random(20261127)  # noqa: S311 - demo data, not secrets
    usage_path = directory / "usage.csv"
    with (
        contracts_path.open(newline="", encoding="utf-8") as contracts,
        usage_path.open("w", newline="", encoding="utf-8") as usage,
    ):
        writer = csv.writer(usage)
        writer.writerow(["customer_id", "billing_month", "billed_yen", "paid"])
        for contract in csv.DictReader(contracts):
            if contract["program"] != "west":
                continue
            month = max(dt.date.fromisoformat(contract["service_started_on"]), DEMO_FIRST_MONTH)
            month = month.replace(day=1)
            while month <= last_month:
                paid = "false" if rng.randrange(25) == 0 else "true"
                yen = rng.randrange(3800, 9800)
                writer.writerow([contract["customer_id"], month.strftime("%Y-%m"), yen, paid])
                month = add_months(month, 1)
    return usage_path
