"""The long-running worker rides out a database outage (SPEC §12): PostgreSQL cut off through a
proxy twice while it sends, it says so in one line, waits, reconnects by itself and goes on;
every email and notice arrives exactly once."""

import datetime as dt
import re
import signal
import subprocess
import time
from collections import Counter

import pytest
from django.db import connection

from memberclub.jobs.notices import notices_run
from memberclub.notifications.models import MailStatus, NoticeMail
from memberclub.notifications.services import email_enqueue
from tests.factories import east_members_bulk
from tests.faultproxy import FaultProxy
from tests.portal_support import SmtpSink
from tests.processes import memberclub

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a TCP proxy before PostgreSQL"),
]
EMAILS = 120
NOTICES = 80


def _queue() -> None:
    for number in range(EMAILS):
        email_enqueue(
            kind="password_reset",
            to=f"r{number}@example.com",
            language="ja",
            context={"member_id": f"MC{number:010d}", "link": "http://testserver/reset/x/y/"},
            key=f"outage-test:{number}",
        )
    east_members_bulk(NOTICES, prefix="O", mail_opt_in=True)
    notices_run(program="east", month=dt.date(2027, 2, 1))


def _received(sink: SmtpSink) -> Counter[str]:
    """Each message by what it is: a reset email by its member ID, a notice by its address."""
    seen: Counter[str] = Counter()
    for message in list(sink.messages):
        match = re.search(r"MC\d{10}", sink.text_of(message))
        seen[match.group(0) if match else str(message["To"])] += 1
    return seen


def _wait(condition: object, what: str, worker: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 180
    while not condition():  # type: ignore[operator]
        assert worker.poll() is None, f"the worker exited: {worker.communicate()}"
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_the_worker_waits_out_a_cut_off_database_and_sends_everything_once(programs, tmp_path):
    _queue()
    settings = connection.settings_dict
    upstream = (settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))
    log_path = tmp_path / "worker.log"
    with SmtpSink() as sink, FaultProxy(upstream) as proxy, log_path.open("w") as log:
        url = f"postgres://{settings['USER']}@127.0.0.1:{proxy.port}/{settings['NAME']}"
        worker = memberclub(
            "worker", "--interval", "0.1", log=log,
            DATABASE_URL=url, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}", NOTICE_MAIL_BATCH="10",
        )  # fmt: skip
        try:
            # Once while it sends notices (they go first), once while it runs email tasks.
            for moment in (NOTICES // 2, NOTICES + EMAILS // 2):
                _wait(lambda m=moment: len(sink.messages) >= m, "no progress", worker)
                proxy.cut()
                time.sleep(4)
                during = len(sink.messages)
                time.sleep(1)
                assert worker.poll() is None  # still there, waiting for the database
                assert len(sink.messages) == during  # nothing sent without recording it
                proxy.heal()
            expected = EMAILS + NOTICES
            _wait(lambda: sum(_received(sink).values()) >= expected, "email was lost", worker)
            time.sleep(2)  # time for a second send, if one were coming
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
    output = log_path.read_text()

    received = _received(sink)
    assert sum(received.values()) == EMAILS + NOTICES
    assert set(received.values()) == {1}  # every one exactly once
    assert {key for key in received if key.startswith("MC")} == {
        f"MC{number:010d}" for number in range(EMAILS)
    }
    assert NoticeMail.objects.filter(status=MailStatus.SENT).count() == NOTICES
    assert worker.returncode == 0
    assert "Traceback" not in output
    waits = [line for line in output.splitlines() if "database unavailable: " in line]
    assert waits and all(re.search(r"retrying in \d+ s$", line) for line in waits), output
    assert "database available again" in output
