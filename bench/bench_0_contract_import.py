"""Importing a generated 1,000,000-row contract feed on PostgreSQL with `memberclub contracts
import`, as a ratio against PostgreSQL COPY of the same file into a bare table in the same
run, with the importer's peak memory. Named to run first in `make bench`."""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.contract_feed import contract_feed
from memberclub.domain.rows import CONTRACT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bench_import"
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
AIM_RATIO = 3.0
AIM_MB = 300


def _server(statement: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _memberclub(url: str, *args: str) -> str:
    """Run a memberclub command in a child process on the benchmark database."""
    environment = {**os.environ, "DATABASE_URL": url, "MEMBERCLUB_HOME": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "memberclub", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"memberclub {args[0]} failed: {done.stderr.strip()[-400:]}")
    return done.stdout


def _copy_seconds(url: str, path: Path, *, indexed: bool = False) -> float:
    """Time COPY of the file, streamed from this process, into a table of text columns.

    With `indexed`, into a copy of the contracts table with all its indexes instead: what
    PostgreSQL alone needs to store the rows, however fast the importer were.
    """
    if indexed:
        create = [
            "CREATE TABLE copied (LIKE contracts_contract INCLUDING ALL)",
            "ALTER TABLE copied ALTER COLUMN updated_at SET DEFAULT now()",
        ]
        names = ["access_key_digest" if name == "access_key" else name for name in CONTRACT_COLUMNS]
        statement = (
            f"COPY copied ({', '.join(names)}) FROM STDIN "
            "(FORMAT csv, HEADER true, FORCE_NOT_NULL (discount))"
        )
    else:
        columns = ", ".join(f"{name} text" for name in CONTRACT_COLUMNS)
        create = [f"CREATE TABLE copied ({columns})"]
        statement = "COPY copied FROM STDIN (FORMAT csv, HEADER true)"
    with psycopg.connect(url, autocommit=True) as connection:
        for step in create:
            connection.execute(step)
        started = time.perf_counter()
        with (
            path.open("rb") as data,
            connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            while block := data.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE copied")
    return seconds


def run() -> None:
    """Print one line: rows/s, the ratio against COPY and the importer's peak memory."""
    path = contract_feed(ROWS)
    _server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _server(f'CREATE DATABASE "{DATABASE}"')
    url = f"{SERVER}/{DATABASE}"
    try:
        _memberclub(url, "migrate", "--verbosity", "0")
        _memberclub(url, "programs", "load", "programs/east.toml", "programs/west.toml")
        copy_seconds = _copy_seconds(url, path)
        indexed_seconds = _copy_seconds(url, path, indexed=True)
        started = time.perf_counter()
        output = _memberclub(url, "contracts", "import", str(path), "--json")
        seconds = time.perf_counter() - started
        # The import is the largest child this process has waited for, so this is its peak.
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        _server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    if f'"created": {ROWS},' not in output.splitlines()[-1]:
        raise RuntimeError(f"the import did not create every row: {output.splitlines()[-1][:200]}")
    ratio = seconds / copy_seconds
    print(
        f"contracts import: {ROWS:,} rows in {seconds:.1f} s = {ROWS / seconds:,.0f} rows/s; "
        f"{ratio:.1f}x COPY into a bare table ({copy_seconds:.1f} s; aim <= {AIM_RATIO:.0f}x); "
        f"peak memory {peak_mb:.0f} MB (aim <= {AIM_MB} MB); COPY into a table indexed as "
        f"the contracts table takes {indexed_seconds / copy_seconds:.1f}x",
        flush=True,
    )


if __name__ == "__main__":
    run()
