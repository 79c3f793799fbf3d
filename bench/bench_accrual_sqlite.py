"""East accrual of 1,000,000 eligible members on SQLite against a raw INSERT … SELECT."""

from bench.bench_accrual import accrual_bench
from bench.synthetic import Database


def run() -> None:
    """Print the SQLite line (the same measurement as bench_accrual, in var/bench_jobs.sqlite3)."""
    print(accrual_bench(Database.sqlite("bench_jobs"), "SQLite"), flush=True)
