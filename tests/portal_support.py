"""Helpers for the portal tests: where requests come from, logins, and running queued tasks."""

import email
import email.policy
import re
import smtplib
import socket
from collections.abc import Sequence
from typing import Any

from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django_tasks_db.models import DBTaskResult

from memberclub.access.models import EasyRegistration
from memberclub.members.models import Member
from memberclub.membership.registration import easy_registration_submit

# The factories give every contract the line 192.0.2.0/24.
LINE_IP = "192.0.2.10"
OFF_IP = "203.0.113.7"
PASSWORD = "Correct-Horse-42"


def with_password(member: Member) -> Member:
    """Give the member's login a known password."""
    member.user.set_password(PASSWORD)
    member.user.save()
    return member


def logged_in(member: Member) -> Client:
    """A browser logged in as the member."""
    client = Client()
    client.force_login(member.user)
    return client


def run_tasks() -> list[Any]:
    """Run every ready task in this process, as the worker would, and return the results."""
    results = []
    while (task_result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        task_result.claim("test")
        args = task_result.task_result
        try:
            value = task_result.task.call(*args.args, **args.kwargs)
        except Exception as error:  # a failed task is recorded, as the worker does
            task_result.set_failed(error)
            results.append(error)
        else:
            task_result.set_successful(value)
            results.append(value)
    return results


class FlakyBackend(BaseEmailBackend):
    """An email backend whose SMTP server refuses the next `failures` sends."""

    failures = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Fail while failures remain, then deliver to the test outbox."""
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        mail.outbox.extend(email_messages)
        return len(email_messages)


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message."""
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def text_of(self, message: email.message.EmailMessage) -> str:
        """The plain-text part of a message."""
        body = message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""


def last_mail_text() -> str:
    """The text body of the last email sent."""
    return str(mail.outbox[-1].body)


def link_in_last_mail(pattern: str) -> str:
    """The first group of `pattern` in the last email, which must contain it."""
    match = re.search(pattern, last_mail_text())
    assert match is not None, last_mail_text()
    return match.group(1)


def easy_request(**fields: str) -> EasyRegistration:
    """An easy registration submitted with a valid set of fields, `fields` replacing some."""
    values = {
        "holder_name": "山田 太郎",
        "phone": "03-1234-5678",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "email": "easy@example.com",
        "nickname": "たろう",
        "language": "ja",
        "site_url": "http://testserver",
    }
    return easy_registration_submit(**values | fields)
