"""Rendering a club notice: text and HTML in the member's language, with one-click unsubscribe."""

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from memberclub.domain.calendar import parse_month
from memberclub.members.models import Member
from memberclub.members.unsubscribe import unsubscribe_token
from memberclub.notifications.models import NoticeMail
from memberclub.notifications.tasks import render_email
from memberclub.programs.models import ProgramEnd
from memberclub.programs.selectors import program_on

END_KINDS = ("program_end", "program_end_reminder", "program_end_canceled")


@lru_cache(maxsize=16)
def _program_names(program: str) -> tuple[str, str]:
    """The Japanese and English names of a program (as in force today)."""
    definition = program_on(program=program, on=dt.date.max)
    return definition.name_ja, definition.name_en


@lru_cache(maxsize=64)
def _end(end_id: int) -> ProgramEnd | None:
    """A program end, read once per worker (its dates do not change once stored)."""
    return ProgramEnd.objects.filter(pk=end_id).first()


@lru_cache(maxsize=4)
def _addresses(site_url: str) -> tuple[str, str]:
    """The portal's address and the unsubscribe address with a placeholder, reversed once per
    worker (reversing costs a millisecond; a batch sends hundreds)."""
    return site_url + reverse("portal:top"), site_url + reverse(
        "portal:unsubscribe", args=["TOKEN"]
    )


def unsubscribe_url(member_id: int) -> str:
    """The member's one-click unsubscribe address."""
    template = _addresses(settings.SITE_URL)[1]
    return template.replace("TOKEN", unsubscribe_token(member_id=member_id))


def notice_context(*, mail: NoticeMail, member: Member) -> dict[str, Any]:
    """What the templates of a notice show."""
    name_ja, name_en = _program_names(mail.program)
    context: dict[str, Any] = {
        "nickname": member.nickname,
        "program_name": name_en if member.language == "en" else name_ja,
        "balance": mail.balance,
        "expires_on": mail.expires_on,
        "expiring_points": mail.expiring_points,
        "portal_url": _addresses(settings.SITE_URL)[0],
        "unsubscribe_url": unsubscribe_url(member.pk),
    }
    if mail.kind in END_KINDS and mail.period.startswith("end-"):
        end = _end(int(mail.period.removeprefix("end-")))
        context["end"] = end
        if end is not None:
            # Exchanges are refused from the end date on.
            context["last_exchange_on"] = end.ends_on - dt.timedelta(days=1)
    else:
        context["month"] = parse_month(mail.period)
    return context


def notice_message(*, mail: NoticeMail, member: Member, connection: Any) -> EmailMultiAlternatives:
    """The email of one notice, to the member's current address, on `connection`."""
    context = notice_context(mail=mail, member=member)
    subject, text, html = render_email(kind=mail.kind, language=member.language, context=context)
    link = context["unsubscribe_url"]
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [member.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
