"""The demo's outbox: mail the local SMTP sink received, readable in the browser."""

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def _read(path: Path) -> dict[str, str]:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    return {
        "subject": str(message["Subject"]),
        "to": str(message["To"]),
        "date": str(message["Date"]),
        "text": body.get_content() if body is not None else "",
    }


def outbox_view(request: HttpRequest) -> HttpResponse:
    """List the sink's messages, newest first (demo mode only)."""
    if not settings.DEMO_MODE:
        raise Http404
    directory = Path(settings.DEMO_OUTBOX_DIR)
    paths = sorted(directory.glob("*.eml"), reverse=True)[:50] if directory.is_dir() else []
    return render(request, "portal/outbox.html", {"messages_": [_read(path) for path in paths]})
