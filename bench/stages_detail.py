"""What each part of the ledger's shape costs the accrual's and the expiry's writes (PostgreSQL).

`python -m bench.stages_detail [accrual|expiry] [MEMBERS]` (outside `make bench`: it takes a
while; 200,000 members by default, in its own database). On the bare tables
of bench.stages (b), it times the same statements once per variant, each adding one thing the
ledger carries, read from the catalog (each foreign key, CHECK, index incl. the BRIN, column
default, trigger), or changing one thing of the write path (a compact unique key instead of the
text key, no lot upsert, ON CONFLICT, the job's WITH … RETURNING statement, 50,000-account
chunks, the expiry's account locks), and prints the time each adds to the bare write.

Each variant runs in one transaction that makes its change (DDL is transactional here), starts
the clock, runs the statements, fires the deferred foreign-key checks (SET CONSTRAINTS ALL
IMMEDIATE, as COMMIT would), stops the clock and rolls back; the tables are vacuumed and the
server checkpointed before the next. So every variant meets the same tables. The measure is
the server process's CPU time (wall time beside it): on a shared machine the wall clock mostly
counts waiting for a core. The bare write is timed first and last, the two showing the noise.
"""

import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stages import (
    AS_OF,
    BARE,
    BARE_ENTRY_INDEX,
    LOT_COLUMNS,
    WHOLE_RANGE,
    JobSql,
    bare_tables,
    expiry_statements,
    fill_like_ledger,
    grant_statements,
    job_sql,
)
from bench.synthetic import Database, drop, ensure_members, memberclub, prepare, reset_ledger
from bench.tables import checks, foreign_keys, indexes, renamed, triggers

ENTRY, LOT = BARE["ledger_entry"], BARE["ledger_lot"]
CHUNK_ACCOUNTS = 50_000
# Each variant writes every row once: at a fifth of bench.stages' million members the whole
# decomposition takes minutes, and each part's cost per row is the same.
MEMBERS = 200_000


@dataclass(frozen=True)
class Variant:
    """One change to the bare write: DDL made first (not timed), then the timed statements."""

    name: str
    setup: Sequence[str]
    statements: Sequence[str]


def catalog_variants(
    connection: Any, base: Sequence[str], written: Mapping[str, Sequence[str]]
) -> list[Variant]:
    """One variant per foreign key, CHECK, index, default and trigger of the ledger's tables
    (the defaults of the columns the writers leave out: only those are evaluated)."""
    variants = []
    for source, copy in BARE.items():
        short = source.removeprefix("ledger_")
        for name, definition in foreign_keys(connection, source):
            alter = f"ALTER TABLE {copy} ADD CONSTRAINT {copy}_{name} {renamed(definition, BARE)}"
            variants.append(Variant(f"+ FK {short}.{name}", [alter], base))
        for name, definition in checks(connection, source):
            alter = f"ALTER TABLE {copy} ADD CONSTRAINT {copy}_{name} {definition}"
            variants.append(Variant(f"+ CHECK {short}.{name}", [alter], base))
        for name, definition in indexes(connection, source):
            if _columns_of(definition) == list(BARE_ENTRY_INDEX) and source == "ledger_entry":
                continue  # the bare journal has this index already
            index = renamed(definition.replace(f"INDEX {name} ", f"INDEX {copy}_{name} "), BARE)
            variants.append(Variant(f"+ index {short}.{name}", [index], base))
        for column, default in _defaults(connection, source, written[source]):
            alter = f"ALTER TABLE {copy} ALTER COLUMN {column} SET DEFAULT {default}"
            variants.append(Variant(f"+ default {short}.{column} = {default}", [alter], base))
        for name, definition in triggers(connection, source):
            trigger = re.sub(
                rf"\bON (public\.)?{source}\b",
                f"ON {copy}",
                definition.replace(f"TRIGGER {name} ", f"TRIGGER {copy}_{name} ", 1),
                count=1,
            )
            variants.append(Variant(f"+ trigger {short}.{name}", [trigger], base))
    return variants


def _columns_of(index_definition: str) -> list[str]:
    found = re.search(r"USING \w+ \(([^)]*)\)", index_definition)
    return [column.strip() for column in found.group(1).split(",")] if found else []


def _defaults(connection: Any, table: str, written: Sequence[str]) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
        "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = %s::regclass AND a.attname <> 'id' ORDER BY a.attnum",
        [table],
    ).fetchall()
    return [(column, default) for column, default in rows if column not in written]


def write_path_variants(sql: JobSql, base: list[str], *, job: str) -> list[Variant]:
    """Changes of the write path itself: the key, ON CONFLICT, the job's statement, chunks."""
    key = ", ".join(sql.entry_key)
    # What tells the jobs' entries apart without the text key: a grant by its rule and month,
    # an expiry by its lot (account and expiry date).
    compact = "account_id, kind, rule, period, expires_on"
    on_conflict = [f"{base[0]} ON CONFLICT ({key}) DO NOTHING", *base[1:]]
    write = sql.accrual_write if job == "accrual" else sql.expiry_write
    variants = [
        Variant("- the unique key", [f"DROP INDEX {ENTRY}_unique"], base),
        Variant(
            f"compact unique key ({compact}) instead of ({key})",
            [
                f"DROP INDEX {ENTRY}_unique",
                f"CREATE UNIQUE INDEX {ENTRY}_compact ON {ENTRY} ({compact})",
            ],
            base,
        ),
        Variant(f"+ ON CONFLICT ({key}) DO NOTHING", [], on_conflict),
        Variant(
            "the job's statement (WITH … RETURNING, lots from it)",
            [],
            [renamed(s, BARE) for s in write],
        ),
    ]
    if job == "accrual":
        variants.append(Variant("- the lot upsert", [], base[:1]))
    else:
        lock = (
            "SELECT id FROM ledger_account WHERE id IN "
            f"(SELECT account_id FROM {LOT} WHERE expires_on < date '{AS_OF}' AND remaining > 0) "
            "ORDER BY id FOR UPDATE"
        )
        variants.append(Variant("+ lock the lots' accounts first (FOR UPDATE)", [], [lock, *base]))
    return variants


def chunked(statements: Sequence[str], members: int) -> list[str]:
    """The statements once per chunk of CHUNK_ACCOUNTS account keys (the keys are 1..members)."""
    out: list[str] = []
    for first in range(1, members + 1, CHUNK_ACCOUNTS):
        last = first + CHUNK_ACCOUNTS - 1
        bounds = f"BETWEEN {first} AND {last}"
        out.extend(statement.replace(WHOLE_RANGE, bounds) for statement in statements)
    return out


@dataclass(frozen=True)
class Timing:
    """Seconds of one variant: the server process's CPU time and the wall clock."""

    cpu: float
    wall: float


def backend_cpu_seconds(connection: Any) -> float:
    """CPU seconds (user + system) the connection's server process has used so far.

    The machine is shared: wall-clock time mostly measures how long the server waited for a
    core, while the process's own CPU time (read from /proc: the server is on this host) counts
    only the work the statements made it do.
    """
    pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat (utime, stime), counted after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(connection: Any, variant: Variant, tables: Sequence[str]) -> Timing:
    """The variant's statements timed, its change made first and all rolled back after."""
    connection.execute("BEGIN")
    try:
        for statement in variant.setup:
            connection.execute(statement)
        cpu = backend_cpu_seconds(connection)
        started = time.monotonic()
        for statement in variant.statements:
            connection.execute(statement)
        connection.execute("SET CONSTRAINTS ALL IMMEDIATE")
        timing = Timing(backend_cpu_seconds(connection) - cpu, time.monotonic() - started)
    finally:
        connection.execute("ROLLBACK")
    for table in tables:
        connection.execute(f"VACUUM {table}")
    connection.execute("CHECKPOINT")
    return timing


def report(title: str, connection: Any, base: list[str], variants: list[Variant]) -> None:
    """Time the bare write first and last and every variant between; print one line each."""
    tables = (ENTRY, LOT)
    bare = Variant("bare", [], base)
    first = measure(connection, bare, tables)
    timed = [(variant, measure(connection, variant, tables)) for variant in variants]
    last = measure(connection, bare, tables)
    cpu = (first.cpu + last.cpu) / 2
    print(
        f"{title}: bare {cpu:.2f} s server CPU (first {first.cpu:.2f} s, last {last.cpu:.2f} s; "
        f"wall {first.wall:.1f} s and {last.wall:.1f} s)",
        flush=True,
    )
    for variant, timing in timed:
        print(
            f"  {variant.name}: {timing.cpu:.2f} s, {timing.cpu - cpu:+.2f} s "
            f"({(timing.cpu - cpu) / cpu:+.0%}) (wall {timing.wall:.1f} s)",
            flush=True,
        )


def accrual_detail(connection: Any, sql: JobSql, members: int) -> None:
    """The accrual's variants on empty bare tables."""
    bare_tables(connection, sql)
    base = grant_statements(sql, ENTRY, LOT)
    variants = [
        *catalog_variants(connection, base, _written(sql)),
        *write_path_variants(sql, base, job="accrual"),
        Variant(
            f"in {CHUNK_ACCOUNTS:,}-account chunks (one transaction)",
            [],
            chunked(base, members),
        ),
    ]
    report(f"east accrual, {members:,} members", connection, base, variants)
    drop(connection, *BARE.values())


def expiry_detail(connection: Any, sql: JobSql, members: int) -> None:
    """The expiry's variants on bare tables holding the journal and lots the accrual wrote."""
    bare_tables(connection, sql)
    fill_like_ledger(connection, BARE)
    base = expiry_statements(sql, ENTRY, LOT)
    variants = [
        *catalog_variants(connection, base, _written(sql)),
        *write_path_variants(sql, base, job="expiry"),
        Variant(
            f"in {CHUNK_ACCOUNTS:,}-account chunks (one transaction)",
            [],
            chunked(base, members),
        ),
    ]
    report(f"expiry, {members:,} lots", connection, base, variants)
    drop(connection, *BARE.values())


def _written(sql: JobSql) -> dict[str, Sequence[str]]:
    return {"ledger_entry": sql.entry_columns, "ledger_lot": LOT_COLUMNS}


def main(jobs: Sequence[str], members: int = MEMBERS) -> None:
    """Print the decomposition of the accrual and/or the expiry."""
    database = Database.postgres("bench_stages_detail")
    prepare(database)
    ensure_members(database, count=members)
    sql = job_sql(database)
    reset_ledger(database)
    with database.connect() as connection:
        if "accrual" in jobs:
            accrual_detail(connection, sql, members)
    if "expiry" in jobs:
        # The expiry's tables hold what the accrual job writes: one lot per account.
        memberclub(database, "accrue", "--program", "east", "--month", "2027-05")
        with database.connect() as connection:
            expiry_detail(connection, sql, members)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sizes = [int(argument) for argument in arguments if argument.isdigit()]
    main([job for job in arguments if not job.isdigit()] or ["accrual", "expiry"], *sizes[:1])
