"""PostgreSQL cut off under load through a proxy: 503s during the cut, served again after it by
the same server process, no write applied twice, the ledger still balanced (SPEC §12)."""

import http.client
import json
import subprocess
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import connection

from memberclub.api.tokens import personal_token_create
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from memberclub.rewards.models import Redemption
from tests.faultproxy import FaultProxy
from tests.portal_support import logged_in
from tests.processes import free_port, memberclub
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db(transaction=True)
LOADERS = 4


def request(
    port: int, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = json.dumps({"item": "E-LED-4"}) if method == "POST" else None
        conn.request(
            method, path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


class Load:
    """Threads that redeem (each key retried until it is answered) and read, noting statuses."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.auth = port, {"Authorization": f"Bearer {token}"}
        self.statuses: Counter[int] = Counter()
        self.keys: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(LOADERS)]

    def _run(self, n: int) -> None:
        made = 0
        while not self.stop.is_set():
            key = f"outage-{n}-{made}"
            while True:  # a client retries the same key until it gets an answer
                status, _, _ = request(self.port, "POST", "/api/v1/me/redemptions",
                                       {**self.auth, "Idempotency-Key": key})  # fmt: skip
                self.statuses[status] += 1
                if status < 500:
                    break
                time.sleep(0.05)
            self.keys.append(key)
            made += 1
            status, _, _ = request(self.port, "GET", "/api/v1/me/points", self.auth)
            self.statuses[status] += 1

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def wait_until_served(port: int, server: subprocess.Popen[str]) -> None:
    for _ in range(200):
        assert server.poll() is None
        try:
            request(port, "GET", "/api/v1/health", {})
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("memberclub serve did not answer")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a TCP proxy in front of PostgreSQL")
def test_a_cut_off_database_is_a_503_and_the_same_server_recovers_by_itself(make_member, tmp_path):
    load_catalogs()
    member = make_member()
    give(member, 10_000_000)
    token = personal_token_create(member=member, name="t", level=Level.LINE).secret
    session = logged_in(member).cookies["sessionid"].value
    settings = connection.settings_dict
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    with FaultProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))) as proxy:
        url = f"postgres://{settings['USER']}@127.0.0.1:{proxy.port}/{settings['NAME']}"
        env: dict[str, Any] = {"DATABASE_URL": url, "API_RATE_LIMITS": "0", "WEB_WORKERS": "1"}
        server = memberclub("serve", "--port", str(port), log=log, **env)
        try:
            wait_until_served(port, server)
            auth = {"Authorization": f"Bearer {token}"}
            with Load(port, token) as load:
                time.sleep(1.5)
                proxy.cut()
                time.sleep(0.5)
                api = request(port, "GET", "/api/v1/me/points", auth)
                portal = request(port, "GET", "/", {"Cookie": f"sessionid={session}"})
                command = memberclub("points", "show", member.contract.customer_id, **env)
                _, command_err = command.communicate(timeout=60)
                time.sleep(1.0)
                proxy.heal()
                time.sleep(1.5)
            after = request(port, "GET", "/api/v1/me/points", auth)
            replay = request(port, "POST", "/api/v1/me/redemptions",
                             {**auth, "Idempotency-Key": load.keys[0]})  # fmt: skip
            assert server.poll() is None  # the same process served before, during and after
        finally:
            server.terminate()
            server.wait(timeout=60)

    log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
    assert api[0] == 503
    assert api[1]["Retry-After"] == "10"
    assert json.loads(api[2])["code"] == "database_unavailable"
    assert portal[0] == 503
    assert "ただいまご利用いただけません" in portal[2]
    assert command.returncode == 1
    assert command_err.strip().startswith("memberclub: database unavailable:")
    assert len(command_err.strip().splitlines()) == 1
    assert load.statuses[503] > 0
    assert set(load.statuses) <= {200, 201, 503}, load.statuses
    assert after[0] == 200
    assert replay[0] == 201
    assert replay[1].get("Idempotent-Replayed") == "true"
    # Every key answered once made one redemption; none made two.
    redemptions = Redemption.objects.filter(member=member)
    assert redemptions.count() == len(load.keys) == len(set(load.keys))
    assert ledger_audit().ok
