"""`python -m memberclub.dbcheck URL`: exit 0 when the PostgreSQL server at URL answers."""

import sys

import psycopg


def main(url: str) -> int:
    """Try to connect to the server (to its `postgres` database) within a few seconds."""
    base, _, _ = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=5):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
