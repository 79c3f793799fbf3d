"""Options and the progress bar shared by the batch commands (accrue, expire, notices, program)."""

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from django.core.management.base import CommandParser, OutputWrapper
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from memberclub.jobs.runner import DEFAULT_CHUNK_ACCOUNTS, AccountRange, RunResult, WorkerShare

# The batch commands skip Django's system checks: they were 0.4 s of each command's start (the
# median of ten runs of a `memberclub expire` that had nothing to do went from 1.33 s to
# 0.94 s; most of it is importing every URL and view of the portal and the console), paid by
# every run and every worker of a split run, while `migrate` and `serve`, which a deployment
# runs first, check the same project.
BATCH_SYSTEM_CHECKS: list[str] = []


def account_range_argument(text: str) -> AccountRange:
    """Parse `LO-HI` account keys (either end may be left open: `LO-` or `-HI`)."""
    low, dash, high = text.partition("-")
    try:
        if not dash:
            raise ValueError(text)
        first = int(low) if low else None
        last = int(high) if high else None
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an account key range (LO-HI): {text!r}") from None
    if first is not None and last is not None and first > last:
        raise argparse.ArgumentTypeError(f"the range {text!r} is empty")
    return AccountRange(first, last)


def worker_argument(text: str) -> WorkerShare:
    """Parse `I/N`: this is worker I of N (1-based)."""
    index, slash, count = text.partition("/")
    try:
        if not slash:
            raise ValueError(text)
        share = (int(index), int(count))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a worker share (I/N): {text!r}") from None
    if not 1 <= share[0] <= share[1]:
        raise argparse.ArgumentTypeError(f"worker {text}: use I/N with 1 <= I <= N")
    return WorkerShare(*share)


def add_split_arguments(parser: CommandParser) -> None:
    """--accounts, --worker and --chunk: how a run is split across workers and transactions."""
    parser.add_argument(
        "--accounts",
        type=account_range_argument,
        default=AccountRange(),
        metavar="LO-HI",
        help="only the accounts whose key is in LO..HI (either end may be open)",
    )
    parser.add_argument(
        "--worker",
        type=worker_argument,
        default=WorkerShare(),
        metavar="I/N",
        help="be worker I of N: take every N-th chunk, starting with the I-th",
    )
    parser.add_argument(
        "--chunk",
        type=int,
        default=DEFAULT_CHUNK_ACCOUNTS,
        metavar="N",
        help=f"accounts per transaction (default {DEFAULT_CHUNK_ACCOUNTS})",
    )


def split_options(options: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a job service taken from the split options."""
    return {
        "accounts": options["accounts"],
        "worker": options["worker"],
        "chunk_size": options["chunk"],
    }


@contextmanager
def progress_bar(
    stdout: OutputWrapper, description: str
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over accounts when stdout is a terminal; nothing otherwise."""
    if not stdout.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    # Drawn on the command's own stream (OutputWrapper keeps it in _out), erased when done so
    # that the summary line stays.
    console = Console(file=cast(IO[str], stdout._out))
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(accounts: int, total: int) -> None:
            bar.update(task, total=total, advance=accounts)

        yield advance


def chunks_summary(run: RunResult) -> str:
    """How many chunks a run did and found already done."""
    if run.chunks_done == 0 and run.chunks_skipped:
        return f"already done, nothing changed ({_chunks(run.chunks_skipped)})"
    skipped = f", {run.chunks_skipped} already done" if run.chunks_skipped else ""
    return f"{_chunks(run.chunks_done)} done{skipped}"


def _chunks(count: int) -> str:
    return f"{count} chunk" if count == 1 else f"{count} chunks"
