"""Human-readable summaries and progress shared by several commands."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from memberclub.csvio import Progress


def import_summary(result: dict[str, Any]) -> str:
    """Counts of an import, then one line per rejected row."""
    lines = [
        f"created {result['created']}, updated {result['updated']}, "
        f"unchanged {result['unchanged']}, rejected {len(result['rejected'])}"
    ]
    lines += [f"  line {item['line']}: {item['reason']}" for item in result["rejected"]]
    return "\n".join(lines)


@contextmanager
def file_progress(label: str, stream: TextIO | None = None) -> Iterator[Progress | None]:
    """A progress bar over the bytes of a file, shown only when the output is a terminal."""
    stream = stream or sys.stdout
    if not stream.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only needed on a terminal
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as Bar  # noqa: PLC0415

    columns = (
        TextColumn(label),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
