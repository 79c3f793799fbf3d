"""A real SMTP server for the notice tests that can refuse chosen recipients."""

import email
import email.policy
import socket
import threading
from typing import Any

from aiosmtpd.controller import Controller


class RefusingSmtp:
    """aiosmtpd on a free local port: 550 for `bouncing` addresses, 451 the first time for
    `busy_once` addresses, 250 otherwise; keeps every message it accepts."""

    def __init__(self, *, bouncing: tuple[str, ...] = (), busy_once: tuple[str, ...] = ()):
        self.bouncing = set(bouncing)
        self.busy_once = set(busy_once)
        self.messages: list[email.message.EmailMessage] = []
        self.connections = 0
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """Count the connections (one EHLO each)."""
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Refuse or accept one recipient."""
        if address in self.bouncing:
            return "550 5.1.1 No such user here"
        with self._lock:
            if address in self.busy_once:
                self.busy_once.discard(address)
                return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message."""
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def __enter__(self) -> "RefusingSmtp":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def recipients(self) -> list[str]:
        """The To address of every message accepted, in order."""
        return [str(message["To"]) for message in self.messages]

    @staticmethod
    def part(message: email.message.EmailMessage, kind: str) -> str:
        """The plain or html part of a message."""
        body = message.get_body(preferencelist=(kind,))
        return body.get_content() if body is not None else ""
