"""The member API over HTTP: GET me/points and POST me/redemptions with 32 connections against
`memberclub serve` (gunicorn, as in docs/operations.md), each as a ratio against a trivial
Django view (/api/v1/health) on the same server in the same run."""

# Models are imported inside functions: these modules also run as child processes that
# must call django.setup() first.
# ruff: noqa: PLC0415

import http.client
import json
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import django

from bench.scratch import ROOT, analyze, environment, prepared

PORT = 8791
CONNECTIONS = 32
PROCESSES = 4  # client processes, so the client is not held back by one interpreter
SECONDS = 8
WARM_UP_SECONDS = 2  # each endpoint's first requests (imports, caches, connections) not counted
MEMBERS = 256


def _client(
    *,
    path: str,
    method: str,
    tokens: list[str],
    offset: int,
    seconds: float,
    out: "multiprocessing.Queue[list[float]]",
) -> None:
    """One client process: CONNECTIONS / PROCESSES keep-alive connections for `seconds`."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def connection_loop(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        token = tokens[(offset + slot) % len(tokens)]
        mine: list[float] = []
        n = 0
        while time.monotonic() < stop:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            body = None
            if method == "POST":
                headers["Idempotency-Key"] = f"http-{offset}-{slot}-{n}-{time.time_ns()}"
                body = json.dumps({"item": "E-LED-4"})
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                raise RuntimeError(f"{method} {path}: {response.status}")
            mine.append(time.perf_counter() - started)
            n += 1
        with lock:
            latencies.extend(mine)

    per_process = CONNECTIONS // PROCESSES
    threads = [threading.Thread(target=connection_loop, args=(i,)) for i in range(per_process)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(latencies)


def measure(
    path: str, method: str, tokens: list[str], seconds: float = SECONDS
) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 (ms) of one endpoint under CONNECTIONS connections."""
    queue: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(
            target=_client,
            kwargs={
                "path": path,
                "method": method,
                "tokens": tokens,
                "offset": i * CONNECTIONS,
                "seconds": seconds,
                "out": queue,
            },
        )
        for i in range(PROCESSES)
    ]
    for client in clients:
        client.start()
    latencies = [x for _ in clients for x in queue.get()]
    for client in clients:
        client.join()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return len(latencies) / seconds, p50, p99


def warmed_measure(path: str, method: str, tokens: list[str]) -> tuple[float, float, float]:
    """`measure` after WARM_UP_SECONDS of the same load, whose requests are not counted."""
    measure(path, method, tokens, WARM_UP_SECONDS)
    return measure(path, method, tokens)


def _tokens(url: str) -> list[str]:
    """Personal LINE tokens of the seeded members, made in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_api_http", "tokens"],
        env=environment(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def _serve(url: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "memberclub", "serve", "--port", str(PORT)],
        env=environment(url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("memberclub serve did not answer")


def run() -> None:
    """Serve a scratch database, measure three endpoints, print one line."""
    url = prepared("xchg_http", accounts=MEMBERS, points=100_000_000)
    analyze(url)
    tokens = _tokens(url)
    server = _serve(url)
    try:
        # The baseline before and after the endpoints, so a drift in the machine's load
        # during the run weighs on both sides alike.
        before = warmed_measure("/api/v1/health", "GET", tokens)
        read = warmed_measure("/api/v1/me/points", "GET", tokens)
        write = warmed_measure("/api/v1/me/redemptions", "POST", tokens)
        after = measure("/api/v1/health", "GET", tokens)
    finally:
        server.terminate()
        server.wait()
    base = (
        (before[0] + after[0]) / 2,
        (before[1] + after[1]) / 2,
        (before[2] + after[2]) / 2,
    )

    def show(name: str, figures: tuple[float, float, float]) -> str:
        return f"{name} {figures[0]:,.0f} req/s p50 {figures[1]:.1f} ms p99 {figures[2]:.1f} ms"

    print(
        f"bench_api_http ({CONNECTIONS} connections, gunicorn): {show('GET me/points', read)} "
        f"ratio {read[0] / base[0]:.2f} (aim >= 0.7); {show('POST me/redemptions', write)} "
        f"ratio {write[0] / base[0]:.2f}; baseline {show('GET health', base)} "
        f"(mean of {before[0]:,.0f} before and {after[0]:,.0f} after)",
        flush=True,
    )


def _make_tokens() -> None:
    from memberclub.api.tokens import personal_token_create
    from memberclub.domain.program import Level
    from memberclub.members.models import Member

    secrets = [
        personal_token_create(member=member, name="bench", level=Level.LINE).secret
        for member in Member.objects.order_by("id")[:MEMBERS]
    ]
    print(json.dumps(secrets))


if __name__ == "__main__":
    django.setup()
    _make_tokens()
