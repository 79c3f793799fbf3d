"""Sending club notices: messages/s of 2 workers into a local SMTP sink against bare smtplib.

The workers (`memberclub worker --batch`, two subprocesses on one PostgreSQL queue) claim,
render and send the balance notices of MEMBERS members; the sink (aiosmtpd, in this process)
keeps what they send. The baseline sends those same messages, already rendered, to the same
sink in a plain smtplib loop over one connection. Both rates are messages a second, wall time;
the workers' includes starting up.
"""

import os
import smtplib
import socket
import subprocess
import sys
import time
from typing import Any

from aiosmtpd.controller import Controller

from bench.synthetic import ROOT, Database, ensure_members, memberclub, prepare, reset_ledger

MEMBERS = 5_000
WORKERS = 2
RATE_AIM = 0.5


class Sink:
    """Keeps the raw bytes and envelope of every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        """Keep the message."""
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _workers(database: Database, port: int) -> float:
    """Run the workers until the queue is empty; return the wall time."""
    environment = {
        **os.environ,
        "DATABASE_URL": database.url,
        "MEMBERCLUB_HOME": str(ROOT),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "LOG_LEVEL": "ERROR",
    }
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "memberclub", "worker", "--batch", "--json"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(WORKERS)
    ]
    for process in processes:
        _, err = process.communicate(timeout=1800)
        if process.returncode:
            raise RuntimeError(f"worker failed: {err.decode()[-400:]}")
    return time.monotonic() - started


def _bare_loop(port: int, messages: list[tuple[str, list[str], bytes]]) -> float:
    """Send the pre-rendered messages over one connection; return the wall time."""
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, content in messages:
            smtp.sendmail(sender, recipients, content)
    return time.monotonic() - started


def sending_bench(database: Database, label: str) -> str:
    """Measure the workers, then the baseline with what they sent; return the benchmark line."""
    prepare(database)
    ensure_members(database, count=MEMBERS)
    reset_ledger(database)
    with database.connect() as connection:
        connection.execute("TRUNCATE notifications_noticemail")
        connection.execute(
            "UPDATE members_member SET mail_opt_in = true, email_bouncing_since = NULL, "
            "email = 'm' || id || '@example.com'"
        )
    memberclub(database, "notices", "--program", "east", "--month", "2027-02")
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        workers = _workers(database, port)
        sent = list(sink.messages)
        if len(sent) != MEMBERS:
            raise RuntimeError(f"the workers sent {len(sent)} of {MEMBERS} notices")
        baseline = _bare_loop(port, sent)
    finally:
        controller.stop()
    worker_rate, baseline_rate = MEMBERS / workers, MEMBERS / baseline
    ratio = worker_rate / baseline_rate
    verdict = "meets" if ratio >= RATE_AIM else "MISSES"
    return (
        f"notice sending, {MEMBERS:,} notices, {WORKERS} workers, {label}: "
        f"{worker_rate:.0f} msg/s vs bare smtplib {baseline_rate:.0f} msg/s = {ratio:.2f}x "
        f"({verdict} aim >= {RATE_AIM}x)"
    )


def run() -> None:
    """Print the PostgreSQL line."""
    print(sending_bench(Database.postgres("bench_mail"), "PostgreSQL"), flush=True)
