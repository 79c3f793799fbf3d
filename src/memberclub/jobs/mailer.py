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
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from memberclub.jobs.notice_mime import fits_8bit, notice_bytes
from memberclub.jobs.notice_render import (
    NoticeRenderer,
    RenderedNotice,
    notice_message,
    unsubscribe_headers,
)
from memberclub.jobs.sql import in_list, rows_table
from memberclub.members.models import Member
from memberclub.members.selectors import programs_closed
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.outage import UNAVAILABLE

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
            if connection.vendor == "postgresql":
                # Without waiting for the WAL to reach the disk: on a busy machine a commit
                # waited 150 ms, a quarter of a worker's time in the sending benchmark. Only a
                # crash of PostgreSQL itself can lose such a commit, and then the lease sends
                # those notices again (at least once still holds); a killed worker loses
                # nothing more than before.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if self.sent:
                _sent_record(self.now, self.sent)
            sent = len(self.sent)
            failed = retried = 0
            for mail, error in self.retry:
                values: dict[str, object]
                if mail.attempts >= MAX_ATTEMPTS:
                    values = {"status": MailStatus.FAILED}
                    failed += 1
                else:
                    values = {"send_after": self.now + retry_delay(mail.attempts)}
                    retried += 1
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
            for status, rows in self.done.items():
                for mail_id, error in rows:
                    NoticeMail.objects.filter(pk=mail_id).update(
                        status=status, lease_until=None, last_error=error
                    )
        # Counted once written: a flush that fails in an outage is tried again, whole.
        self.result.sent += sent
        self.result.retried += retried
        self.result.bounced += len(self.bounced)
        suppressed = len(self.done.get(MailStatus.SUPPRESSED, []))
        self.result.suppressed += suppressed
        self.result.failed += failed + sum(len(rows) for rows in self.done.values()) - suppressed
        self.sent, self.retry, self.bounced, self.done, self.pending = [], [], [], {}, 0


def _suppressed(mail: NoticeMail, member: Member, ended: set[str]) -> str:
    """Why a claimed notice must not go out now, or '' when it may (`ended`: the programs
    whose close has run, which ended their memberships)."""
    if member.left_on is not None or member.program in ended:
        return "the member has left"
    if member.email_bouncing_since is not None:
        return "the address is bouncing"
    if mail.kind == "balance" and not member.mail_opt_in:
        return "the member opted out"
    return ""


def _sent_record(now: dt.datetime, sent: list[tuple[int, str]]) -> None:
    """Mark the sent notices in one statement (Django's bulk_update builds a CASE per row,
    which cost more than the sending itself in the profile of the sending benchmark)."""
    params: dict[str, Any] = {"sent_at": connection.ops.adapt_datetimefield_value(now)}
    addresses = rows_table("s", ("id", "address"), sent, params)
    ids = in_list("mail", [mail_id for mail_id, _ in sent], params)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_noticemail SET status = 'SENT', sent_at = %(sent_at)s, "
            f"lease_until = NULL, sent_to = (SELECT s.address FROM {addresses} "
            f"WHERE s.id = notifications_noticemail.id) WHERE id IN {ids}",
            params,
        )


@dataclass
class _Unrecorded:
    """A batch cut short by a database outage: what it sent and did not record, and the lease
    it holds on the notices it claimed and did not try, kept until the database is back."""

    outcomes: _Outcomes
    lease_until: dt.datetime


# Filled by a batch that lost the database; emptied by `notice_mail_recover`.
_unrecorded: list[_Unrecorded] = []


def notice_mail_recover() -> SendResult:
    """Record what batches cut short by an outage sent, and give back the notices they had
    claimed and not tried, so that nothing waits for its lease and nothing is sent twice.
    Raises the database error again while the database is still away."""
    result = SendResult()
    while _unrecorded:
        batch = _unrecorded[0]
        batch.outcomes.flush()
        # What still holds this batch's lease was never tried (a claim whose commit was lost
        # holds it too). The lease's moment is this worker's own, to the microsecond.
        NoticeMail.objects.filter(status=MailStatus.QUEUED, lease_until=batch.lease_until).update(
            lease_until=None, attempts=F("attempts") - 1
        )
        result.add(batch.outcomes.result)
        _unrecorded.pop(0)
    return result


def notice_mail_send_batch(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> SendResult:
    """Claim one batch of due notices and send it over one SMTP connection."""
    now = now or timezone.now()
    outcomes = _Outcomes(now=now)
    try:
        ids = notice_mail_claim(now=now, limit=limit or settings.NOTICE_MAIL_BATCH)
        outcomes.result.claimed = len(ids)
        if not ids:
            return outcomes.result
        mails = list(NoticeMail.objects.filter(pk__in=ids).select_related("member").order_by("id"))
        smtp = get_connection(fail_silently=False)
        renderer = NoticeRenderer()
        ended = set(programs_closed())
        try:
            for mail in mails:
                _send_one(smtp, renderer, mail, outcomes, ended)
        finally:
            _close(smtp)
        outcomes.flush()
    except UNAVAILABLE:
        # The database went away mid-batch: what left is recorded when it is back.
        _unrecorded.append(_Unrecorded(outcomes, now + LEASE))
        raise
    except Exception:
        outcomes.flush()  # what left is recorded; the rest waits for its lease
        raise
    return outcomes.result


def _send_one(
    smtp: Any, renderer: NoticeRenderer, mail: NoticeMail, outcomes: _Outcomes, ended: set[str]
) -> None:
    """Send one notice on the batch's connection and note its outcome."""
    member = mail.member
    reason = _suppressed(mail, member, ended)
    if reason:
        outcomes.finished(mail, MailStatus.SUPPRESSED, reason)
        return
    notice = renderer.render(mail=mail, member=member)
    address = member.email
    try:
        # Opened here, not by send(): a connection send() opens is closed after one message.
        if smtp.connection is None:
            smtp.open()
        _transmit(smtp, notice, address)
    except smtplib.SMTPRecipientsRefused as error:
        # One recipient: its refusal is the only one (keyed by the address as sent).
        code, text = next(iter(error.recipients.values()), (0, b""))
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


def _transmit(smtp: Any, notice: RenderedNotice, address: str) -> None:
    """Hand one notice to the mail server: as bytes written here on Django's SMTP connection
    (the sending benchmark's profile: Django's MIME tree cost 3 ms a message), or through
    Django's message on any other backend and for a body that needs encoding."""
    raw = isinstance(getattr(smtp, "connection", False), smtplib.SMTP)
    if raw and fits_8bit(notice.text, notice.html):
        message = notice_bytes(
            sender=settings.DEFAULT_FROM_EMAIL,
            to=address,
            subject=notice.subject,
            text=notice.text,
            html=notice.html,
            headers=unsubscribe_headers(notice.unsubscribe_url),
        )
        smtp.connection.sendmail(message.sender, [message.recipient], message.content)
    else:
        notice_message(notice=notice, to=address, connection=smtp).send()


def _close(smtp: object) -> None:
    """Close a connection that may already be broken."""
    try:
        smtp.close()  # type: ignore[attr-defined]
    except (smtplib.SMTPException, OSError):
        smtp.connection = None  # type: ignore[attr-defined]


def notice_mail_send(*, limit: int | None = None, batches: int | None = None) -> SendResult:
    """Send batches of due notices until none is due (or `batches` have been sent)."""
    total = notice_mail_recover()
    done = 0
    while batches is None or done < batches:
        result = notice_mail_send_batch(limit=limit)
        total.add(result)
        done += 1
        if result.claimed == 0:
            break
    return total
