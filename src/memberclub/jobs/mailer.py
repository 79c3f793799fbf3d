"""Sending the queued club notices in batches, one SMTP connection per batch.

A worker claims a batch with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises
writers), so several workers share the queue and a killed worker's mail is taken up again when
its lease runs out. Outcomes are written every few messages: a worker killed between a send and
its record sends that message again (at least once, a second send rare). A 5xx for the recipient
marks the address bouncing; a 4xx or a lost connection retries with back-off.
"""

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from memberclub.jobs.notice_render import notice_message
from memberclub.members.models import Member
from memberclub.notifications.models import MailStatus, NoticeMail

logger = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 6
# Outcomes are recorded after this many messages, bounding what a kill can send twice.
RECORD_EVERY = 25


def retry_delay(attempt: int) -> dt.timedelta:
    """Back off 1 min, 2 min, 4 min, … after the `attempt`-th failure."""
    return dt.timedelta(minutes=2 ** (attempt - 1))


@dataclass
class SendResult:
    """What one batch did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    suppressed: int = 0
    failed: int = 0

    def add(self, other: "SendResult") -> None:
        """Add another batch's counts to these."""
        for name in ("claimed", "sent", "retried", "bounced", "suppressed", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def notice_mail_claim(*, now: dt.datetime, limit: int) -> list[int]:
    """Claim up to `limit` due notices for this worker until its lease runs out."""
    with transaction.atomic():
        due = (
            NoticeMail.objects.filter(status=MailStatus.QUEUED, send_after__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .order_by("send_after", "id")
        )
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        NoticeMail.objects.filter(id__in=ids).update(
            lease_until=now + LEASE, attempts=F("attempts") + 1
        )
    return ids


@dataclass
class _Outcomes:
    """Outcomes not yet written, flushed in a few statements."""

    now: dt.datetime
    result: SendResult = field(default_factory=SendResult)
    sent: list[tuple[int, str]] = field(default_factory=list)
    retry: list[tuple[NoticeMail, str]] = field(default_factory=list)
    bounced: list[tuple[NoticeMail, str, str]] = field(default_factory=list)
    done: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    pending: int = 0

    def finished(self, mail: NoticeMail, status: str, error: str) -> None:
        self.done.setdefault(status, []).append((mail.pk, error))
        self._count()

    def _count(self) -> None:
        self.pending += 1
        if self.pending >= RECORD_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write every outcome gathered so far."""
        with transaction.atomic():
            # One statement for the sent ones: most of a batch.
            NoticeMail.objects.bulk_update(
                [
                    NoticeMail(
                        pk=mail_id,
                        status=MailStatus.SENT,
                        sent_at=self.now,
                        sent_to=address,
                        lease_until=None,
                    )
                    for mail_id, address in self.sent
                ],
                ["status", "sent_at", "sent_to", "lease_until"],
            )
            self.result.sent += len(self.sent)
            for mail, error in self.retry:
                values: dict[str, object]
                if mail.attempts >= MAX_ATTEMPTS:
                    values = {"status": MailStatus.FAILED}
                    self.result.failed += 1
                else:
                    values = {"send_after": self.now + retry_delay(mail.attempts)}
                    self.result.retried += 1
                NoticeMail.objects.filter(pk=mail.pk).update(
                    lease_until=None, last_error=error[:500], **values
                )
            for mail, address, error in self.bounced:
                NoticeMail.objects.filter(pk=mail.pk).update(
                    status=MailStatus.BOUNCED, sent_to=address, lease_until=None, last_error=error
                )
                # Only the address that bounced: a member who changed it meanwhile keeps mail.
                Member.objects.filter(
                    pk=mail.member_id, email=address, email_bouncing_since__isnull=True
                ).update(email_bouncing_since=self.now)
            self.result.bounced += len(self.bounced)
            for status, rows in self.done.items():
                for mail_id, error in rows:
                    NoticeMail.objects.filter(pk=mail_id).update(
                        status=status, lease_until=None, last_error=error
                    )
                if status == MailStatus.SUPPRESSED:
                    self.result.suppressed += len(rows)
                else:
                    self.result.failed += len(rows)
        self.sent, self.retry, self.bounced, self.done, self.pending = [], [], [], {}, 0


def _suppressed(mail: NoticeMail, member: Member) -> str:
    """Why a claimed notice must not go out now, or '' when it may."""
    if member.left_on is not None:
        return "the member has left"
    if member.email_bouncing_since is not None:
        return "the address is bouncing"
    if mail.kind == "balance" and not member.mail_opt_in:
        return "the member opted out"
    return ""


def notice_mail_send_batch(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> SendResult:
    """Claim one batch of due notices and send it over one SMTP connection."""
    now = now or timezone.now()
    ids = notice_mail_claim(now=now, limit=limit or settings.NOTICE_MAIL_BATCH)
    outcomes = _Outcomes(now=now)
    outcomes.result.claimed = len(ids)
    if not ids:
        return outcomes.result
    mails = list(NoticeMail.objects.filter(pk__in=ids).select_related("member").order_by("id"))
    smtp = get_connection(fail_silently=False)
    try:
        for mail in mails:
            _send_one(smtp, mail, outcomes)
    finally:
        _close(smtp)
        outcomes.flush()
    return outcomes.result


def _send_one(smtp: object, mail: NoticeMail, outcomes: _Outcomes) -> None:
    """Send one notice on the batch's connection and note its outcome."""
    member = mail.member
    reason = _suppressed(mail, member)
    if reason:
        outcomes.finished(mail, MailStatus.SUPPRESSED, reason)
        return
    message = notice_message(mail=mail, member=member, connection=smtp)
    address = member.email
    try:
        # Opened here, not by send(): a connection send() opens is closed after one message.
        if smtp.connection is None:  # type: ignore[attr-defined]
            smtp.open()  # type: ignore[attr-defined]
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        code, text = error.recipients.get(address, (0, b""))
        detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if code >= 500:
            outcomes.bounced.append((mail, address, detail))
        else:
            outcomes.retry.append((mail, detail))
        outcomes._count()
    except smtplib.SMTPResponseException as error:
        detail = f"{error.smtp_code} {error.smtp_error!r}"
        if error.smtp_code >= 500:
            outcomes.finished(mail, MailStatus.FAILED, detail)
        else:
            outcomes.retry.append((mail, detail))
            outcomes._count()
    except (smtplib.SMTPException, OSError) as error:
        # A closed connection: this one is retried, the next message opens a new connection.
        logger.warning("notice %s: %s; retrying later", mail.pk, error)
        outcomes.retry.append((mail, str(error) or type(error).__name__))
        outcomes._count()
        _close(smtp)
    else:
        outcomes.sent.append((mail.pk, address))
        outcomes._count()


def _close(smtp: object) -> None:
    """Close a connection that may already be broken."""
    try:
        smtp.close()  # type: ignore[attr-defined]
    except (smtplib.SMTPException, OSError):
        smtp.connection = None  # type: ignore[attr-defined]


def notice_mail_send(*, limit: int | None = None, batches: int | None = None) -> SendResult:
    """Send batches of due notices until none is due (or `batches` have been sent)."""
    total = SendResult()
    done = 0
    while batches is None or done < batches:
        result = notice_mail_send_batch(limit=limit)
        total.add(result)
        done += 1
        if result.claimed == 0:
            break
    return total
