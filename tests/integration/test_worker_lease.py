"""A worker killed while sending loses no email: its task is taken up again when its lease
expires, and the per-email claim keeps a second send rare (SPEC §8, §12)."""

import datetime as dt
import random
import re
import signal
import subprocess
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from memberclub.cli.lease import lease_renew, tasks_reclaim
from memberclub.notifications.services import email_enqueue
from tests.portal_support import SmtpSink
from tests.processes import memberclub

EMAILS = 300
KILLS = 6


def _queue(count: int) -> None:
    for number in range(count):
        email_enqueue(
            kind="password_reset",
            to=f"m{number}@example.com",
            language="ja",
            context={"member_id": f"MC{number:010d}", "link": "http://testserver/reset/x/y/"},
            key=f"lease-test:{number}",
        )


def _member_ids(sink: SmtpSink) -> list[str]:
    found = []
    for message in list(sink.messages):
        match = re.search(r"MC\d{10}", sink.text_of(message))
        assert match is not None
        found.append(match.group(0))
    return found


def _worker(sink: SmtpSink) -> subprocess.Popen[str]:
    return memberclub(
        "worker", "--interval", "0.1",
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}", WORKER_LEASE_SECONDS="1", LOG_LEVEL="ERROR",
    )  # fmt: skip


def _wait(condition: object, what: str, worker: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 180
    while not condition():  # type: ignore[operator]
        assert worker.poll() is None, worker.communicate()
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_at_random_moments_loses_no_email_and_rarely_sends_twice():
    _queue(EMAILS)
    chance = random.Random(14)  # kill moments, not secrets
    with SmtpSink() as sink:
        for _ in range(KILLS):
            worker = _worker(sink)
            target = len(sink.messages) + chance.randint(5, EMAILS // (KILLS + 2))
            _wait(lambda target=target: len(sink.messages) >= target, "no progress", worker)
            time.sleep(chance.random() / 50)
            worker.send_signal(signal.SIGKILL)
            worker.communicate()
        worker = _worker(sink)
        _wait(lambda: len(set(_member_ids(sink))) >= EMAILS, "email was lost", worker)
        _wait(lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists(), "", worker)
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)

    sent = _member_ids(sink)
    assert sorted(set(sent)) == [f"MC{number:010d}" for number in range(EMAILS)]
    assert len(sent) - EMAILS <= KILLS
    assert worker.returncode == 0


def _running(worker_id: str, started_ago: float, claims: int = 1) -> DBTaskResult:
    _queue(1)
    task = DBTaskResult.objects.get()
    task.status = "RUNNING"
    task.started_at = timezone.now() - dt.timedelta(seconds=started_ago)
    task.worker_ids = [f"earlier-{n}" for n in range(claims - 1)] + [worker_id]
    task.save()
    return task


@pytest.mark.django_db
def test_a_task_of_a_live_worker_is_left_running(settings):
    settings.WORKER_LEASE_SECONDS = 60
    lease_renew(worker_id="alive")
    task = _running("alive", started_ago=3600)

    assert tasks_reclaim(now=timezone.now()) == 0
    task.refresh_from_db()
    assert task.status == "RUNNING"


@pytest.mark.django_db
def test_a_task_whose_worker_stopped_renewing_is_queued_again(settings):
    settings.WORKER_LEASE_SECONDS = 60
    lease_renew(worker_id="dead")
    task = _running("dead", started_ago=120)

    assert tasks_reclaim(now=timezone.now() + dt.timedelta(seconds=61)) == 1
    task.refresh_from_db()
    assert task.status == "READY"


@pytest.mark.django_db
def test_a_task_that_killed_its_worker_too_often_is_failed(settings):
    settings.WORKER_LEASE_SECONDS = 60
    settings.WORKER_MAX_CLAIMS = 3
    task = _running("gone", started_ago=120, claims=3)

    assert tasks_reclaim(now=timezone.now()) == 0
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert "died 3 times" in task.traceback


@pytest.mark.django_db
def test_a_workers_own_task_cut_short_by_an_outage_is_queued_again_at_its_next_pass(settings):
    settings.WORKER_LEASE_SECONDS = 60
    lease_renew(worker_id="me")
    task = _running("me", started_ago=1)

    # Another worker leaves it: its worker is alive and it started just now.
    assert tasks_reclaim(now=timezone.now(), own_worker_id="other") == 0
    # Its own worker, between tasks, knows it is running none of them.
    assert tasks_reclaim(now=timezone.now(), own_worker_id="me") == 1
    task.refresh_from_db()
    assert task.status == "READY"
