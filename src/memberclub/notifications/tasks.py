"""Email tasks: rendered in the member's language, sent once per key, retried on failure."""

import datetime as dt
import email.utils
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from memberclub import formats
from memberclub.notifications.models import SentEmail
from memberclub.outage import UNAVAILABLE

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
# Emails the SMTP server accepted whose claim could not commit because the database went
# away: key -> the SentEmail fields. Written first when it is back (`sent_email_recover`), so
# the task, run again, finds its key sent and sends nothing.
_unrecorded: dict[str, dict[str, Any]] = {}


def sent_email_recover() -> int:
    """Record the emails accepted during a database outage; raises while it lasts."""
    recorded = 0
    for key, fields in list(_unrecorded.items()):
        SentEmail.objects.get_or_create(key=key, defaults=fields)
        del _unrecorded[key]
        recorded += 1
    return recorded


def _retry_delay(attempt: int) -> dt.timedelta:
    """Back off 30 s, 1 min, 2 min, … between attempts."""
    return dt.timedelta(seconds=30 * 2 ** (attempt - 1))


def render_email(*, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return the subject, text body and HTML body of an email in `language`."""
    with translation.override(language):
        subject = render_to_string(f"notifications/{kind}_subject.txt", context).strip()
        text = render_to_string(f"notifications/{kind}.txt", context)
        html = render_to_string(f"notifications/{kind}.html", context)
    return " ".join(subject.split()), text, html


def _date_header() -> str:
    """The Date header in Japan time (+0900): Django's own is UTC (-0000) unless the server's
    clock zone happens to be Japan's, and members read the header's time in their mail app."""
    return email.utils.format_datetime(timezone.now().astimezone(formats.JST))


@task()
def send_email(
    *, kind: str, to: str, language: str, context: dict[str, Any], key: str, attempt: int = 1
) -> str:
    """Send one email unless its key was sent before; on failure, schedule the next attempt."""
    subject, text, html = render_email(kind=kind, language=language, context=context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers={"Date": _date_header()}
    )
    message.attach_alternative(html, "text/html")
    if key in _unrecorded:
        # Accepted by the SMTP server during an outage, unrecorded until now.
        SentEmail.objects.get_or_create(key=key, defaults=_unrecorded.pop(key))
        return "already sent"
    fields = {"kind": kind, "to": to, "sent_at": timezone.now()}
    accepted = False
    try:
        # The row claims the key; it commits only if the SMTP server took the message.
        with transaction.atomic():
            _, created = SentEmail.objects.get_or_create(key=key, defaults=fields)
            if not created:
                return "already sent"
            message.send()
            accepted = True
    except Exception as error:
        if accepted and isinstance(error, UNAVAILABLE):
            # The email left but its claim did not commit: the database went away.
            _unrecorded[key] = fields
        if attempt < MAX_ATTEMPTS:
            # With the database away this fails too; the task stays RUNNING and the worker
            # takes it up again once the database is back (memberclub.cli.lease).
            logger.warning("email %s failed (attempt %d); retrying", key, attempt)
            send_email.using(run_after=timezone.now() + _retry_delay(attempt)).enqueue(
                kind=kind, to=to, language=language, context=context, key=key, attempt=attempt + 1
            )
        raise
    return "sent"
