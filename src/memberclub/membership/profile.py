"""A member's own changes: email address (confirmed at the new one), preferences, leaving."""

import datetime as dt

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from memberclub.access.devices import token_digest
from memberclub.access.models import AuthKey, AuthKeyStatus, TrustedDevice
from memberclub.domain.errors import Refused
from memberclub.ledger.services import account_close_out
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.notifications.services import email_enqueue

EMAIL_CHANGE_SALT = "memberclub.email-change"
EMAIL_CHANGE_HOURS = 24


def email_change_request(*, member: Member, new_email: str, site_url: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is opened."""
    token = signing.dumps(
        {"m": member.pk, "old": member.email, "new": new_email}, salt=EMAIL_CHANGE_SALT
    )
    with transaction.atomic():
        email_enqueue(
            kind="email_change",
            to=new_email,
            language=member.language,
            context={
                "nickname": member.nickname,
                "link": site_url + reverse("portal:email_confirm", args=[token]),
                "hours": EMAIL_CHANGE_HOURS,
            },
            key=f"email-change:{member.pk}:{token_digest(token)[:32]}",
        )


def email_change_confirm(*, token: str) -> Member:
    """Apply a confirmed address; a link works once (the old address must still be current)."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_HOURS * 3600)
    except signing.BadSignature:
        raise Refused("this confirmation link is not valid or has expired") from None
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(pk=data["m"]).first()
        if (
            member is None
            or membership_left_on(member=member) is not None
            or member.email != data["old"]
        ):
            raise Refused("this confirmation link is not valid or has expired")
        member.email = data["new"]
        # A new address is tried afresh, whatever the old one did.
        member.email_bouncing_since = None
        member.save(update_fields=["email", "email_bouncing_since"])
        member.user.email = data["new"]
        member.user.save(update_fields=["email"])
    return member


def preferences_update(*, member: Member, language: str, mail_opt_in: bool) -> None:
    """Change the member's language and mail magazine choice."""
    member.language = language
    member.mail_opt_in = mail_opt_in
    member.save(update_fields=["language", "mail_opt_in"])


def member_leave(*, member: Member, on: dt.date) -> int:
    """End the membership on `on`: every point is forfeited at once; return how many."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if membership_left_on(member=locked) is not None:
            raise Refused("this membership has already ended")
        entries = account_close_out(
            account_id=locked.account.pk,
            on=on,
            key=f"leave:{locked.member_id}",
            reason="left the club",
        )
        locked.left_on = on
        locked.save(update_fields=["left_on"])
        locked.user.is_active = False
        locked.user.save(update_fields=["is_active"])
        TrustedDevice.objects.filter(member=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        AuthKey.objects.filter(member=locked, status__in=["QUEUED", "SENT"]).update(
            status=AuthKeyStatus.REPLACED
        )
    return -sum(entry.points for entry in entries if entry.kind == "FORFEIT")
