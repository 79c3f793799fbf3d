"""Email (SPEC §8): queued with the change, sent once by the worker, retried, in the language."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from memberclub.membership.registration import signup_start
from memberclub.notifications.models import SentEmail
from memberclub.notifications.services import email_enqueue
from tests.portal_support import FlakyBackend, SmtpSink, run_tasks

pytestmark = pytest.mark.django_db


def reset_email(language: str = "ja", key: str = "k1") -> None:
    email_enqueue(
        kind="password_reset",
        to="hanako@example.com",
        language=language,
        context={"member_id": "MC0000000001", "link": "http://testserver/password/reset/x/y/"},
        key=key,
    )


def test_an_email_is_queued_only_if_the_change_commits(make_contract):
    contract = make_contract()

    with pytest.raises(RuntimeError), transaction.atomic():
        signup_start(
            contract=contract,
            email="a@example.com",
            nickname="a",
            language="ja",
            site_url="http://testserver",
            easy=False,
        )
        raise RuntimeError("the change fails after the email was queued")

    assert not DBTaskResult.objects.exists()
    run_tasks()
    assert mail.outbox == []


def test_nothing_is_sent_until_the_worker_runs():
    reset_email()

    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1


def test_an_email_is_sent_once_even_when_queued_twice():
    reset_email(key="password-reset:MC0000000001:abc")
    reset_email(key="password-reset:MC0000000001:abc")

    run_tasks()

    assert len(mail.outbox) == 1
    assert SentEmail.objects.count() == 1


def test_a_failed_send_is_retried_later_and_then_sent_once(settings):
    settings.EMAIL_BACKEND = "tests.portal_support.FlakyBackend"
    FlakyBackend.failures = 1
    reset_email()

    first = run_tasks()

    assert isinstance(first[0], Exception)
    assert mail.outbox == []
    retry = (
        DBTaskResult.objects.ready().first() or DBTaskResult.objects.filter(status="READY").get()
    )
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(
        run_after=timezone.now() - dt.timedelta(seconds=1)
    )

    run_tasks()

    assert len(mail.outbox) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("ja", "パスワードの再設定", "新しいパスワードを設定"),
        ("en", "Reset your password", "Choose a new password"),
    ],
)
def test_an_email_is_text_and_html_in_the_members_language(language, subject, phrase):
    reset_email(language=language)

    run_tasks()

    message = mail.outbox[0]
    assert message.subject == subject
    assert "MC0000000001" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, mimetype = message.alternatives[0]
    assert isinstance(html, str)
    assert mimetype == "text/html"
    assert phrase in html
    assert f'lang="{language}"' in html


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_sends_queued_email_over_smtp(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        reset_email(language="en")

        call_command("worker", "--batch", verbosity=0)

        assert [m["To"] for m in sink.messages] == ["hanako@example.com"]
        assert sink.messages[0]["Subject"] == "Reset your password"
        assert "MC0000000001" in sink.text_of(sink.messages[0])


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_receipt_of_a_new_redemption_once(settings, make_member):
    from tests.rewards_support import give, load_catalogs, redeem

    load_catalogs()
    member = make_member()
    give(member, 10_000)
    number = redeem(member, "E-LED-4", key="k1").redemption.number
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port

        call_command("worker", "--batch", verbosity=0)
        call_command("worker", "--batch", verbosity=0)

        assert [m["To"] for m in sink.messages] == [member.email]
        assert number in sink.text_of(sink.messages[0])


def test_the_date_header_is_japan_time():
    reset_email(key="date-header")

    run_tasks()

    header = mail.outbox[-1].message()["Date"]
    assert header.endswith("+0900"), header
