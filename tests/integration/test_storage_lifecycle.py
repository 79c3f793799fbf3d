"""When membership ends the files are read-only until the end of the next month, then purged."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from memberclub.cli.main import main
from memberclub.members.models import Member
from memberclub.membership.profile import member_leave
from memberclub.membership.services import member_create
from memberclub.storage.models import StoredFile
from memberclub.storage.selectors import storage_space
from tests.portal_support import PASSWORD, logged_in, with_password
from tests.storage_support import stored_bytes, upload, use_local_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """A command closes every connection when it ends; the test's transaction must survive it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.fixture
def folder(settings, tmp_path):
    return use_local_storage(settings, tmp_path / "storage")


def _run(capsys, *args: str) -> tuple[int, dict]:
    status = main(["memberclub", *args, "--json"])
    return status, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _left(member: Member, on: dt.date) -> Member:
    member_leave(member=member, on=on)
    return Member.objects.get(pk=member.pk)


def test_a_member_who_left_downloads_read_only_until_the_end_of_the_next_month(make_member, folder):
    member = with_password(make_member())
    upload(logged_in(member), "アルバム.zip", b"zip" * 100)
    today = timezone.localdate()
    member = _left(member, today)
    space = storage_space(member=member, on=today)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert space.read_only_until == (next_month + dt.timedelta(days=32)).replace(day=1) - (
        dt.timedelta(days=1)
    )

    browser = Client()
    assert (
        browser.post("/login/", {"username": member.member_id, "password": PASSWORD}).status_code
        == 200
    )
    signed_in = browser.post(
        "/storage/former/", {"username": member.member_id, "password": PASSWORD}
    )
    page = browser.get("/storage/").content.decode()

    assert signed_in.status_code == 303
    assert "アルバム.zip" in page
    until = space.read_only_until
    assert f"{until.year}年{until.month}月{until.day}日までダウンロードできます" in page
    assert 'id="upload-form"' not in page and "/rename/" not in page
    stored = StoredFile.objects.get()
    download = browser.get(f"/storage/files/{stored.pk}/")
    assert b"".join(download.streaming_content) == b"zip" * 100  # type: ignore[attr-defined]
    assert upload(browser, "new.txt", b"x").status_code == 409
    refused = browser.post(f"/storage/files/{stored.pk}/delete/", follow=True)
    assert "ファイルはダウンロードのみできます" in refused.content.decode()
    assert StoredFile.objects.count() == 1


def test_the_former_member_sign_in_is_refused_with_a_wrong_password(make_member, folder):
    member = _left(with_password(make_member()), timezone.localdate())

    answer = Client().post("/storage/former/", {"username": member.member_id, "password": "x"})

    assert answer.status_code == 200
    assert "会員IDまたはパスワードが正しくないか" in answer.content.decode()
    assert Client().get("/storage/").status_code == 302


def test_the_purge_deletes_only_what_is_past_its_keep_date(capsys, make_member, folder):
    leaving, staying = make_member(), make_member()
    upload(logged_in(leaving), "old.txt", b"old")
    upload(logged_in(staying), "mine.txt", b"mine")
    _left(leaving, dt.date(2026, 12, 2))

    status_early, early = _run(capsys, "storage", "purge", "--as-of", "2027-01-31")
    status, purged = _run(capsys, "storage", "purge", "--as-of", "2027-02-01")
    _, again = _run(capsys, "storage", "purge", "--as-of", "2027-02-01")

    assert (status_early, early["files"]) == (0, 0)
    assert status == 0
    assert purged == {
        "verb": "purge", "as_of": "2027-02-01", "files": 1, "bytes": 3, "members": 1,
        "reservations": 0,
    }  # fmt: skip
    assert again["files"] == 0
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["mine.txt"]
    assert stored_bytes(folder) == 4


def test_a_member_who_comes_back_on_a_new_registration_starts_empty(make_member, folder):
    member = make_member()
    upload(logged_in(member), "old.txt", b"old")
    member = _left(member, timezone.localdate())

    back = member_create(
        contract=member.contract,
        email="back@example.com",
        nickname="また",
        joined_on=timezone.localdate(),
        mail_opt_in=False,
        language="ja",
        source="test",
    )

    assert storage_space(member=back, on=timezone.localdate()).usage.stored == 0
    assert "old.txt" not in logged_in(back).get("/storage/").content.decode()


def test_the_purge_refuses_a_bad_date(capsys, db):
    status = main(["memberclub", "storage", "purge", "--as-of", "2027-02-30", "--json"])

    assert status == 2
    assert "error" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_check_finds_orphans_either_way_and_repair_fixes_them(capsys, make_member, folder):
    member = make_member()
    client = logged_in(member)
    upload(client, "kept.txt", b"kept")
    upload(client, "lost.txt", b"lost")
    lost = StoredFile.objects.get(name="lost.txt")
    (folder / lost.object_key).unlink()
    orphan = folder / "ab" / "cd" / ("ab" + "0" * 30 + "-0")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"orphan")

    status, found = _run(capsys, "storage", "check")
    repaired_status, repaired = _run(capsys, "storage", "check", "--repair")
    clean_status, clean = _run(capsys, "storage", "check")

    assert status == 1
    assert (found["orphan_objects"], found["orphan_bytes"], found["missing_objects"]) == (1, 6, 1)
    assert "lost.txt" not in json.dumps(found)  # keys only, never the member's names
    assert repaired_status == 0 and repaired["repaired"] is True
    assert clean_status == 0 and clean["ok"] is True
    assert not orphan.exists()
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["kept.txt"]


def test_past_the_keep_date_a_former_member_can_no_longer_sign_in_for_files(make_member, folder):
    member = with_password(make_member())
    upload(logged_in(member), "old.txt", b"old")
    _left(member, dt.date(2020, 1, 15))

    answer = Client().post("/storage/former/", {"username": member.member_id, "password": PASSWORD})

    assert answer.status_code == 200
    assert "保管中のファイルがありません" in answer.content.decode()
