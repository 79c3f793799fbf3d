"""Real memberclub processes for tests that kill or cut them off: the test database's URL
and a command started on it (the data they need is committed: transactional tests)."""

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

from django.db import connection

from tests.conftest import ROOT


def database_url() -> str:
    """The URL of the test database this process uses."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memberclub(*args: str, log: IO[str] | None = None, **env: str) -> subprocess.Popen[str]:
    """Start `memberclub ARGS` on the test database, with extra environment variables; its
    output goes to pipes, or to `log` for a long-running process that nobody reads meanwhile
    (a full pipe would stop it)."""
    return subprocess.Popen(  # noqa: S603 - this interpreter running memberclub
        [sys.executable, "-m", "memberclub", *args],
        env={**os.environ, "DATABASE_URL": database_url(), "MEMBERCLUB_HOME": str(ROOT), **env},
        stdout=log or subprocess.PIPE,
        stderr=log or subprocess.PIPE,
        text=True,
    )
