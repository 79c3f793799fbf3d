"""Scratch PostgreSQL databases and child processes for the exchange benchmarks."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Prepended to every scratch database's name, so that two benchmark runs on one server don't meet.
PREFIX = os.environ.get("BENCH_DB_PREFIX", "")
ROOT = Path(__file__).resolve().parent.parent


def recreate(name: str) -> str:
    """Drop and create a scratch database; return its URL."""
    name = f"{PREFIX}{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def environment(database_url: str) -> dict[str, str]:
    """The environment of a memberclub process on the scratch database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "memberclub.config.settings",
        "MEMBERCLUB_HOME": str(ROOT),
        "LOG_LEVEL": "ERROR",
        # Plain HTTP on this machine, and load from one address far past a member's rate limit.
        "INSECURE_HTTP": "1",
        "API_RATE_LIMITS": "0",
    }


def memberclub(database_url: str, *args: str) -> str:
    """Run a memberclub command on the scratch database and return its output."""
    done = subprocess.run(
        [sys.executable, "-m", "memberclub", *args],
        env=environment(database_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def prepared(name: str, *, accounts: int, points: int) -> str:
    """A migrated scratch database with both programs, their catalogs and funded accounts."""
    url = recreate(name)
    memberclub(url, "migrate", "--verbosity", "0")
    subprocess.run(
        [sys.executable, "-m", "bench.seed", str(accounts), str(points)],
        env=environment(url),
        check=True,
        cwd=ROOT,
    )
    return url


def analyze(database_url: str) -> None:
    """Gather the planner's statistics of a freshly seeded database, as autovacuum would keep
    them (pgbench's own initialisation analyzes its tables too)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ANALYZE")
