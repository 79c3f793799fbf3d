"""A local SMTP server for the demo that keeps every message as a .eml file.

Run as `python -m memberclub.demo.smtpsink --port 1025 --dir var/demo/outbox`.
"""

import argparse
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class OutboxHandler:
    """Store each received message in a directory, named so that the newest sorts last."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        """Write the message and accept it."""
        content: Any = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else str(content).encode()
        with self._lock:
            self._count += 1
            name = f"{time.time_ns():020d}-{self._count:04d}.eml"
        (self.directory / name).write_bytes(data)
        return "250 Message accepted for delivery"


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, required=True)
    options = parser.parse_args()
    controller = Controller(OutboxHandler(options.dir), hostname=options.host, port=options.port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
