"""Auth keys (SPEC §5): letters by post, 30 days, replaced by a new request, void after 5 misses."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from memberclub.access.authkeys import KeyOutcome, auth_key_enter, auth_key_request
from memberclub.access.letters import letters_export
from memberclub.access.models import AuthKey, TrustedDevice
from tests.portal_support import OFF_IP, logged_in

pytestmark = pytest.mark.django_db


def key_from_letter(directory: Path, customer_id: str) -> str:
    with (directory / "manifest.csv").open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["customer_id"] == customer_id)[
            "auth_key"
        ]


@pytest.fixture
def member(make_member):
    return make_member(customer_id="CAF3000001")


def sent_key(member, tmp_path: Path, on: dt.date | None = None) -> str:
    auth_key_request(member=member)
    letters_export(directory=tmp_path, today=on or timezone.localdate())
    return key_from_letter(tmp_path, member.contract.customer_id)


def test_requesting_a_key_queues_a_letter_and_shows_no_key(member):
    client = logged_in(member)

    response = client.post("/auth-key/", {"action": "request"}, REMOTE_ADDR=OFF_IP, follow=True)

    auth_key = AuthKey.objects.get(member=member)
    assert auth_key.status == "QUEUED"
    assert auth_key.key_hash == ""  # the key is made only when the letter is printed
    assert "ご契約住所へ郵送します" in response.text


def test_the_key_from_the_letter_trusts_the_browser_for_a_year_and_opens_line_pages(
    member, tmp_path
):
    key = sent_key(member, tmp_path)
    client = logged_in(member)
    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 303
    session_before = client.session.session_key

    response = client.post(
        "/auth-key/?next=/history/",
        {"action": "enter", "key": f"{key[:4].lower()}-{key[4:8]}-{key[8:]}", "next": "/history/"},
        REMOTE_ADDR=OFF_IP,
    )

    assert response.status_code == 302
    assert response["Location"] == "/history/"
    assert client.session.session_key != session_before  # rotated when the level rose
    assert response.cookies["mc_device"]["httponly"]
    device = TrustedDevice.objects.get(member=member)
    assert (device.expires_at - device.created_at).days == 365
    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 200
    assert AuthKey.objects.get(member=member).status == "USED"


def test_the_key_is_stored_only_as_an_argon2_hash(member, tmp_path):
    key = sent_key(member, tmp_path)

    stored = AuthKey.objects.get(member=member)
    assert stored.key_hash.startswith("argon2")
    assert key not in stored.key_hash
    assert stored.valid_until is not None and stored.issued_on is not None
    assert (stored.valid_until - stored.issued_on).days == 30


def test_a_key_is_refused_after_its_30_days(member, tmp_path):
    key = sent_key(member, tmp_path, on=dt.date(2026, 1, 1))

    assert auth_key_enter(member=member, key=key, today=dt.date(2026, 2, 1)) == KeyOutcome.NO_KEY
    assert auth_key_enter(member=member, key=key, today=dt.date(2026, 1, 31)) == KeyOutcome.ACCEPTED


def test_a_new_request_replaces_the_old_key(member, tmp_path):
    old_key = sent_key(member, tmp_path / "first")
    new_key = sent_key(member, tmp_path / "second")
    today = timezone.localdate()

    assert auth_key_enter(member=member, key=old_key, today=today) == KeyOutcome.WRONG
    assert auth_key_enter(member=member, key=new_key, today=today) == KeyOutcome.ACCEPTED


def test_five_wrong_entries_void_the_key(member, tmp_path):
    key = sent_key(member, tmp_path)
    client = logged_in(member)
    for attempt in range(5):
        response = client.post(
            "/auth-key/",
            {"action": "enter", "key": "WRONGWRONGXX"},
            REMOTE_ADDR=f"203.0.113.{attempt}",
        )
    assert "無効になりました" in response.text

    right = client.post("/auth-key/", {"action": "enter", "key": key}, REMOTE_ADDR="203.0.113.99")

    assert right.status_code == 200
    assert AuthKey.objects.get(member=member).status == "VOID"
    assert not TrustedDevice.objects.exists()


def test_wrong_keys_are_limited_per_client_ip_across_members(make_member, settings, tmp_path):
    settings.ATTEMPT_LIMIT_PER_IP = 4
    first, second = make_member(), make_member()
    key = sent_key(second, tmp_path)
    for _ in range(4):
        logged_in(first).post(
            "/auth-key/", {"action": "enter", "key": "AAAAAAAAAAAA"}, REMOTE_ADDR=OFF_IP
        )

    response = logged_in(second).post(
        "/auth-key/", {"action": "enter", "key": key}, REMOTE_ADDR=OFF_IP
    )

    assert "入力の誤りが続いたため" in response.text
    assert not TrustedDevice.objects.exists()


def test_a_revoked_device_no_longer_gives_line_level(member, tmp_path):
    key = sent_key(member, tmp_path)
    client = logged_in(member)
    client.post("/auth-key/", {"action": "enter", "key": key}, REMOTE_ADDR=OFF_IP)
    device = TrustedDevice.objects.get(member=member)

    client.post(f"/settings/devices/{device.pk}/revoke/", REMOTE_ADDR=OFF_IP)

    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 303


def test_an_expired_trusted_device_no_longer_gives_line_level(member, tmp_path):
    key = sent_key(member, tmp_path)
    client = logged_in(member)
    client.post("/auth-key/", {"action": "enter", "key": key}, REMOTE_ADDR=OFF_IP)

    TrustedDevice.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 303


def test_after_a_voided_key_a_new_letter_brings_a_key_that_works(member, tmp_path):
    sent_key(member, tmp_path / "first")
    client = logged_in(member)
    for _ in range(5):
        client.post("/auth-key/", {"action": "enter", "key": "WRONGWRONGXX"}, REMOTE_ADDR=OFF_IP)
    assert AuthKey.objects.get(member=member).status == "VOID"

    client.post("/auth-key/", {"action": "request"}, REMOTE_ADDR=OFF_IP)
    letters_export(directory=tmp_path / "second", today=timezone.localdate())
    key = key_from_letter(tmp_path / "second", member.contract.customer_id)
    client.post("/auth-key/", {"action": "enter", "key": key}, REMOTE_ADDR=OFF_IP)

    assert client.get("/history/", REMOTE_ADDR=OFF_IP).status_code == 200


def test_the_key_field_is_described_by_its_help_text(member):
    page = logged_in(member).get("/auth-key/", REMOTE_ADDR=OFF_IP).text

    assert 'aria-describedby="id_key_helptext"' in page
    assert 'id="id_key_helptext"' in page
