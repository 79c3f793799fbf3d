"""A memberclub subprocess timed by the wall clock and by the CPU it and its server used.

On a shared machine the wall clock of a command mostly counts waiting for a core; the CPU time
of the command and of its PostgreSQL server processes counts the work itself, which is what
grows with the number of members. The server processes are found by an application name given
to the command's connections (libpq's PGAPPNAME) and their CPU read from /proc, so the server
must run on this host; where it does not, the server's CPU is reported as None.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.synthetic import PG_SERVER, ROOT, Database

POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Measured:
    """A finished command: output, wall seconds, peak MiB, its own and its server's CPU."""

    out: str
    seconds: float
    peak_mib: int
    cpu: float
    server_cpu: float | None

    @property
    def all_cpu(self) -> float:
        """CPU seconds of the command and its server processes together."""
        return self.cpu + (self.server_cpu or 0.0)


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process on this host, None when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # stat's fields 14 and 15 (utime, stime), counted here after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """Follows the server processes of connections with one application name, in a thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.by_pid: dict[int, float] = {}
        self.readable = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "ServerCpu":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float | None:
        """CPU seconds of those processes, as last seen (None: /proc did not show them)."""
        return sum(self.by_pid.values()) if self.readable else None

    def _poll(self) -> None:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            while not self._stop.is_set():
                rows = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.name]
                ).fetchall()
                for (pid,) in rows:
                    cpu = process_cpu_seconds(pid)
                    if cpu is None:
                        self.readable = False
                    else:
                        self.by_pid[pid] = max(cpu, self.by_pid.get(pid, 0.0))
                self._stop.wait(POLL_SECONDS)


def memberclub_measured(database: Database, *args: str) -> Measured:
    """Run a memberclub command in a subprocess; fail loudly if it fails."""
    name = f"bench-{uuid.uuid4().hex[:12]}"
    environment = {
        **os.environ,
        "DATABASE_URL": database.url,
        "MEMBERCLUB_HOME": str(ROOT),
        "PGAPPNAME": name,
    }
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, ServerCpu(name) as cpu:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "memberclub", *args], env=environment, stdout=out, stderr=err
        )
        # wait4 reports this child's own resource usage: its peak memory and CPU are its own.
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        printed, complaint = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"memberclub {' '.join(args)} failed: {complaint.strip()[-400:]}")
    return Measured(
        printed,
        elapsed,
        usage.ru_maxrss // 1024,
        usage.ru_utime + usage.ru_stime,
        cpu.seconds,
    )
