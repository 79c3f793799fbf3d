"""Redemption throughput: 8 processes redeeming on 10,000 accounts, against pgbench -c 8 -j 2.

Both run on this PostgreSQL server in the same run, each on a scratch database; the line ends
with the audit of the redemption database. For where the time goes, the line also gives
pgbench's own clients calling the server half of a redemption (the `rewards_redeem` function)
with nothing in Python: the most any client could reach.
"""

# Models are imported inside functions: these modules also run as child processes that
# must call django.setup() first.
# ruff: noqa: PLC0415

import datetime as dt
import json
import re
import subprocess
import sys
import time

import django
import psycopg

from bench.scratch import ROOT, analyze, environment, memberclub, prepared, recreate

WORKERS = 8
ACCOUNTS = 10_000
SECONDS = 15
WARM_UP = 20  # redemptions per worker before the clock starts (imports, caches, statements)
ITEM = "E-LED-4"  # shipped, unlimited stock: the ledger and the journal are what is measured


def work(index: int, seconds: float) -> None:
    """One worker: say "ready", wait for "go", then redeem for its own accounts in turn."""
    from memberclub.domain.program import Level
    from memberclub.members.models import Member
    from memberclub.rewards.services import Shipping, redemption_request

    members = list(Member.objects.select_related("contract").order_by("id")[index::WORKERS])
    shipping = Shipping("ベンチ 太郎", "100-0001", "東京都千代田区千代田1-1", "03-1234-5678")
    on = dt.date.today()

    def redeem(member: Member, key: str) -> None:
        redemption_request(
            member=member, item_code=ITEM, on=on, key=key, level=Level.LINE, shipping=shipping,
            via="bench",
        )  # fmt: skip

    for n in range(WARM_UP):
        redeem(members[-1 - n], f"bench-warm-{index}-{n}")
    print("ready", flush=True)
    sys.stdin.readline()
    done, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        redeem(members[done % len(members)], f"bench-{index}-{done}")
        done += 1
    print(json.dumps({"done": done, "seconds": time.monotonic() - started}), flush=True)


def redemptions_per_second(url: str) -> float:
    """Start the workers, release them together once all are ready, and add up their rates."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.bench_redemption", str(i), str(SECONDS)],
            env=environment(url),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout is not None
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a redemption worker did not start")
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    rate = 0.0
    for worker in workers:
        out, _ = worker.communicate()
        if worker.returncode:
            raise RuntimeError("a redemption worker failed")
        result = json.loads(out.strip().splitlines()[-1])
        rate += result["done"] / result["seconds"]
    return rate


def pgbench_database() -> str:
    """A scratch database initialised for pgbench at scale WORKERS."""
    url = recreate("xchg_pgbench")
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(WORKERS), url], check=True, capture_output=True
    )
    return url


def pgbench_tps(url: str) -> float:
    """pgbench's built-in TPC-B-like transaction, 8 clients, 2 threads."""
    done = subprocess.run(
        ["pgbench", "-c", str(WORKERS), "-j", "2", "-T", str(SECONDS), url],
        check=True,
        capture_output=True,
        text=True,
    )
    return _tps(done.stdout)


# One redemption of ITEM by a random seeded member, as the service calls it (fresh keys).
SERVER_ONLY_SCRIPT = """
\\set member random(:first, :last)
SELECT outcome FROM rewards_redeem(:member, :item, 'SHIPPED', :points, CURRENT_DATE,
    md5(random()::text), 'bench', md5(random()::text), 'shipped', 'bench', false, NULL,
    NULL, NULL, NULL, 'ベンチ 太郎', '1000001', '東京都千代田区千代田1-1', '03-1234-5678',
    'bench', ARRAY['B' || lpad((random() * 1e12)::bigint::text, 12, '0')]);
"""


def server_only_tps(url: str) -> float:
    """pgbench's clients calling rewards_redeem directly: the server's side of a redemption."""
    with psycopg.connect(url) as connection:
        first, last = connection.execute(
            "SELECT min(member_id), max(member_id) FROM ledger_account"
        ).fetchone()  # type: ignore[misc]
        item, points = connection.execute(
            "SELECT id, points FROM rewards_item WHERE code = %s", [ITEM]
        ).fetchone()  # type: ignore[misc]
    done = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", str(WORKERS), "-j", "2", "-T", str(SECONDS),
         "-D", f"first={first}", "-D", f"last={last}", "-D", f"item={item}",
         "-D", f"points={points}", "-f", "-", url],
        input=SERVER_ONLY_SCRIPT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return _tps(done.stdout)


def _tps(pgbench_output: str) -> float:
    found = re.search(r"tps = ([0-9.]+)", pgbench_output)
    if not found:
        raise RuntimeError(f"pgbench said: {pgbench_output[-300:]}")
    return float(found.group(1))


def run() -> None:
    """Measure both, then audit the redemption database; print one line."""
    url = prepared("xchg_bench", accounts=ACCOUNTS, points=1_000_000)
    analyze(url)
    baseline = pgbench_database()
    # pgbench before and after ours, so a drift in the machine's load weighs on both alike.
    before = pgbench_tps(baseline)
    ours = redemptions_per_second(url)
    server_only = server_only_tps(url)
    after = pgbench_tps(baseline)
    theirs = (before + after) / 2
    audit = json.loads(memberclub(url, "audit", "--json").strip().splitlines()[-1])
    print(
        f"bench_redemption: {ours:,.0f} redemptions/s ({WORKERS} workers, {ACCOUNTS:,} accounts, "
        f"PostgreSQL) vs pgbench TPC-B-like -c {WORKERS} -j 2 {theirs:,.0f} tps "
        f"(mean of {before:,.0f} before and {after:,.0f} after): ratio {ours / theirs:.2f} "
        f"(aim >= 0.5); the server's side alone (pgbench calling rewards_redeem) "
        f"{server_only:,.0f} tps, ratio {server_only / theirs:.2f}; "
        f"audit {'clean' if audit['ok'] else 'VIOLATED'}",
        flush=True,
    )


if __name__ == "__main__":
    django.setup()
    work(int(sys.argv[1]), float(sys.argv[2]))
