"""Members served during the monthly run: 32 connections of mixed portal and API traffic against
`memberclub serve` while `accrue` grants 1,000,000 members on the same PostgreSQL.

Prints p50/p99 per request kind with and without the job running, the errors, and the job's
time with and without the traffic (each the baseline of the other, in the same run); then the
ledger audit. Its own scratch database (soak_monthly).
"""

# Models are imported inside functions: this module also runs as a child process that must
# call django.setup() first.
# ruff: noqa: PLC0415

import datetime as dt
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict

import django

from bench.scratch import ROOT, environment
from bench.synthetic import Database, ensure_members, prepare, reset_ledger, settle

# Smaller figures for a quick check of the benchmark itself (not for the reported line).
MEMBERS = int(os.environ.get("BENCH_SOAK_MEMBERS", "1000000"))
TRAFFIC_MEMBERS = 256
PORT = 8793
CONNECTIONS = 32
PROCESSES = 4
SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "60"))
MONTH = "2027-05"
KINDS = (
    "api GET me/points",
    "api POST item",
    "api POST fee",
    "portal GET top",
    "portal GET catalog",
)


def _request(conn: http.client.HTTPConnection, kind: str, who: dict[str, str], n: int) -> int:
    """One request of `kind` as member `who`; its HTTP status."""
    auth = {"Authorization": f"Bearer {who['token']}", "Content-Type": "application/json"}
    cookie = {"Cookie": f"sessionid={who['session']}"}
    key = {"Idempotency-Key": f"soak-{who['token'][-12:]}-{n}-{time.time_ns()}"}
    if kind == "api GET me/points":
        conn.request("GET", "/api/v1/me/points", headers=auth)
    elif kind == "api POST item":
        conn.request("POST", "/api/v1/me/redemptions", json.dumps({"item": "E-LED-4"}),
                     {**auth, **key})  # fmt: skip
    elif kind == "api POST fee":
        conn.request("POST", "/api/v1/me/redemptions", json.dumps({"item": "E-FEE", "points": 1}),
                     {**auth, **key})  # fmt: skip
    elif kind == "portal GET top":
        conn.request("GET", "/", headers=cookie)
    else:
        conn.request("GET", "/exchange/", headers=cookie)
    response = conn.getresponse()
    response.read()
    return response.status


def _client(
    members: list[dict[str, str]], offset: int, until: float, out: "multiprocessing.Queue[dict]"
) -> None:
    """One client process: its share of the connections, each cycling through the kinds."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def loop(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        who = members[(offset + slot) % len(members)]
        mine: dict[str, list[float]] = defaultdict(list)
        failed: dict[str, int] = defaultdict(int)
        n = slot
        while time.monotonic() < until:
            kind = KINDS[n % len(KINDS)]
            started = time.perf_counter()
            try:
                status = _request(conn, kind, who, n)
            except (OSError, http.client.HTTPException):
                status = 599
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            if status >= 500:
                failed[kind] += 1
            else:  # 409 (a fee cap reached) is an answer, not an error
                mine[kind].append(time.perf_counter() - started)
            n += 1
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)
            for kind, count in failed.items():
                errors[kind] += count

    per_process = CONNECTIONS // PROCESSES
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(per_process)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"latencies": dict(latencies), "errors": dict(errors)})


class Traffic:
    """CONNECTIONS connections of mixed traffic in PROCESSES client processes."""

    def __init__(self, members: list[dict[str, str]], seconds: float) -> None:
        self.queue: multiprocessing.Queue[dict] = multiprocessing.Queue()
        until = time.monotonic() + seconds
        self.clients = [
            multiprocessing.Process(
                target=_client, args=(members, i * CONNECTIONS, until, self.queue)
            )
            for i in range(PROCESSES)
        ]
        for client in self.clients:
            client.start()

    def result(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        """Latencies (s) and errors per kind, once every client is done."""
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        for _ in self.clients:
            part = self.queue.get()
            for kind, values in part["latencies"].items():
                latencies[kind].extend(values)
            for kind, count in part["errors"].items():
                errors[kind] += count
        for client in self.clients:
            client.join()
        return latencies, errors


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    return ordered[len(ordered) // 2] * 1000, ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def _serve(url: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "memberclub", "serve", "--port", str(PORT)],
        env=environment(url), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("memberclub serve did not answer")


def _traffic_members(url: str) -> list[dict[str, str]]:
    """Points, a LINE token and a portal session for the first members, made in a child."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_soak", "members"],
        env=environment(url), cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def _accrue(database: Database) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "memberclub", "accrue", "--program", "east", "--month", MONTH],
        env=environment(database.url), cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _finish(job: subprocess.Popen[bytes], started: float) -> float:
    _, err = job.communicate()
    if job.returncode:
        raise RuntimeError(f"accrue failed: {err.decode()[-400:]}")
    return time.monotonic() - started


def run() -> None:
    """Job alone, traffic alone, then both together; print the lines and the audit."""
    database = Database.postgres("soak_monthly")
    prepare(database)
    ensure_members(database, count=MEMBERS)
    reset_ledger(database)
    with database.connect() as connection:
        settle(connection, database.vendor)
    started = time.monotonic()
    alone = _finish(_accrue(database), started)
    reset_ledger(database)
    with database.connect() as connection:
        connection.execute("ANALYZE")
        settle(connection, database.vendor)
    members = _traffic_members(database.url)
    server = _serve(database.url)
    try:
        Traffic(members, 3).result()  # warm-up: imports, connections, caches; not counted
        quiet, quiet_errors = Traffic(members, SECONDS).result()
        started = time.monotonic()
        job = _accrue(database)
        busy_traffic = Traffic(members, SECONDS)
        with_traffic = _finish(job, started)
        busy, busy_errors = busy_traffic.result()
    finally:
        server.terminate()
        server.wait()
    audit = subprocess.run(
        [sys.executable, "-m", "memberclub", "audit", "--json"],
        env=environment(database.url), cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    kinds = []
    for kind in KINDS:
        q50, q99 = _percentiles(quiet.get(kind, []))
        b50, b99 = _percentiles(busy.get(kind, []))
        kinds.append(
            f"{kind} p50 {q50:.0f}/{b50:.0f} ms p99 {q99:.0f}/{b99:.0f} ms "
            f"({len(quiet.get(kind, [])):,}/{len(busy.get(kind, [])):,} requests)"
        )
    errors = sum(quiet_errors.values()) + sum(busy_errors.values())
    print(
        f"bench_soak ({CONNECTIONS} connections, {SECONDS} s, accrue over {MEMBERS:,} members; "
        f"without/with the job): " + "; ".join(kinds) + f"; errors {errors} "
        f"({dict(quiet_errors)} / {dict(busy_errors)}); accrue {alone:.1f} s alone, "
        f"{with_traffic:.1f} s under traffic = {with_traffic / alone:.2f}x; "
        f"audit {'clean' if audit.returncode == 0 else 'FAILED: ' + audit.stdout[-300:]}",
        flush=True,
    )


def _make_members() -> None:
    from django.test import Client

    from memberclub.api.tokens import personal_token_create
    from memberclub.domain.program import Level
    from memberclub.ledger.services import points_adjust
    from memberclub.members.models import Member

    made = []
    today = dt.date.today()
    for member in Member.objects.select_related("user", "account").order_by("id")[:TRAFFIC_MEMBERS]:
        points_adjust(
            account_id=member.account.pk, points=100_000_000, on=today.replace(day=1),
            reason="soak", key=f"soak:{member.pk}",
        )  # fmt: skip
        browser = Client()
        browser.force_login(member.user)
        made.append(
            {
                "token": personal_token_create(member=member, name="soak", level=Level.LINE).secret,
                "session": browser.cookies["sessionid"].value,
            }
        )
    print(json.dumps(made))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberclub.config.settings")
    django.setup()
    _make_members()
