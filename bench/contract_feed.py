"""A generated contract feed (SPEC §11) of any size, deterministic, cached under var/bench/."""

import datetime as dt
from pathlib import Path

from memberclub.domain.rows import CONTRACT_COLUMNS

CACHE = Path("var") / "bench"
SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "さくら"]
TOWNS = [
    "東京都千代田区千代田",
    "大阪府大阪市北区梅田",
    "北海道札幌市中央区北一条西",
    "福岡県福岡市博多区",
]
EAST_PLANS = ["FAMILY", "MANSION", "LIGHT"]
WEST_PLANS = ["FAMILY", "MANSION", "CROSS", "BIZ"]
# Four-year spread of service start dates, so every service year occurs.
FIRST_START = dt.date(2012, 4, 1)
LINES_PER_WRITE = 10_000


def contract_line(number: int) -> str:
    """One CSV line of the feed: about 1 in 20 contracts ended, 3 in 5 with the discount."""
    customer_id = f"CAF{number:07d}"
    key = f"{number * 2_654_435_761 % 16**12:012X}"
    program = "east" if number % 3 else "west"
    plans = EAST_PLANS if program == "east" else WEST_PLANS
    plan = plans[number % len(plans)]
    name = f"{SURNAMES[number % 10]} {GIVEN[number // 10 % 10]}"
    kind = "CORPORATE" if number % 17 == 0 else "INDIVIDUAL"
    phone = f"0{number % 9 + 1}-{number % 10_000:04d}-{number // 10_000 % 10_000:04d}"
    postal = f"{number % 1000:03d}-{number // 1000 % 10_000:04d}"
    address = f"{TOWNS[number % 4]}{number % 9 + 1}-{number % 30 + 1}-{number % 20 + 1}"
    started = FIRST_START + dt.timedelta(days=number % 5000)
    status, status_on = "ACTIVE", ""
    if number % 20 == 7:
        status = "CANCELED" if number % 40 == 7 else "CONVERTED"
        status_on = (started + dt.timedelta(days=400)).replace(day=1).isoformat()
    discount = discount_on = discount_off = ""
    if program == "east" and number % 5 < 3:
        discount, discount_on = "NINEN_WARI", started.isoformat()
        if number % 11 == 0:
            discount_off = (started + dt.timedelta(days=730)).isoformat()
    prefix = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}/32"
    if number % 4 == 0:
        prefix += f" 2001:db8:{number >> 8 & 0xFFFF:x}:{number & 255:02x}00::/56"
    return (
        f"{customer_id},{key},{program},{plan},{name},{kind},{phone},{postal},{address},"
        f"{started.isoformat()},{status},{status_on},{discount},{discount_on},{discount_off},"
        f"{prefix}\n"
    )


def contract_feed(rows: int) -> Path:
    """Return the path of a feed with `rows` contracts, writing it once if it is not cached."""
    path = CACHE / f"contracts-{rows}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(CONTRACT_COLUMNS) + "\n")
        for start in range(1, rows + 1, LINES_PER_WRITE):
            stop = min(start + LINES_PER_WRITE, rows + 1)
            out.write("".join(contract_line(number) for number in range(start, stop)))
    partial.rename(path)
    return path
