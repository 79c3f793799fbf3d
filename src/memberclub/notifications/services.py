"""Queueing email: call inside the transaction of the change, so both commit or neither."""

from typing import Any

from memberclub.notifications.tasks import send_email


def email_enqueue(*, kind: str, to: str, language: str, context: dict[str, Any], key: str) -> None:
    """Queue an email for the worker; the same key is sent at most once."""
    send_email.enqueue(kind=kind, to=to, language=language, context=context, key=key)
