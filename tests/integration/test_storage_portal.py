"""A member's online storage in the portal: upload, list, download, rename, delete, security."""

from urllib.parse import quote

import pytest
from django.test import Client

from memberclub.storage.models import Reservation, StoredFile
from tests.portal_support import logged_in
from tests.storage_support import east_with, stored_bytes, upload, use_local_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    return use_local_storage(settings, tmp_path / "storage")


@pytest.fixture
def member(make_member, folder):
    return make_member()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_member_uploads_a_file_and_downloads_the_same_bytes_as_an_attachment(member, folder):
    client = logged_in(member)
    data = b"\x00\x01hello" * 1000

    answer = upload(client, "写真 2026.jpg", data)

    assert answer.status_code == 201
    assert answer.json()["usage"]["text"] == "6.8 KB / 10 GB"
    stored = StoredFile.objects.get(member=member)
    assert stored.name == "写真 2026.jpg"
    # The object key is random: the member's file name is never part of it.
    assert "写真" not in stored.object_key and stored.object_key.count("/") == 2
    page = client.get("/storage/")
    assert "写真 2026.jpg" in page.content.decode()
    assert "6.8 KB / 10 GB" in page.content.decode()
    download = client.get(f"/storage/files/{stored.pk}/")
    assert download.status_code == 200
    assert _body(download) == data
    assert download["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('写真 2026.jpg')}"
    )
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert stored_bytes(folder) == len(data)


def test_an_uploaded_html_file_is_served_back_as_an_inert_attachment(member):
    client = logged_in(member)
    upload(client, "evil.html", b"<script>alert(document.cookie)</script>")
    stored = StoredFile.objects.get(member=member)

    download = client.get(f"/storage/files/{stored.pk}/")

    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]
    download.close()


def test_a_broken_download_resumes_with_a_range(member):
    client = logged_in(member)
    data = bytes(range(256)) * 40
    upload(client, "data.bin", data)
    stored = StoredFile.objects.get(member=member)
    url = f"/storage/files/{stored.pk}/"

    middle = client.get(url, HTTP_RANGE="bytes=1000-1999")
    rest = client.get(url, HTTP_RANGE="bytes=2000-")
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    past = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")

    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert middle["Content-Length"] == "1000"
    assert _body(middle) == data[1000:2000]
    assert _body(rest) == data[2000:]
    assert _body(tail) == data[-10:]
    assert past.status_code == 416
    assert past["Content-Range"] == f"bytes */{len(data)}"
    # An If-Range naming other bytes gets the whole file rather than a wrong piece.
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200 and _body(stale) == data


def test_an_empty_file_is_kept_and_downloads_empty(member):
    client = logged_in(member)

    assert upload(client, "empty.txt", b"").status_code == 201

    stored = StoredFile.objects.get(member=member)
    assert stored.size == 0
    download = client.get(f"/storage/files/{stored.pk}/")
    assert download.status_code == 200 and _body(download) == b""


def test_another_members_file_answers_not_found_for_every_action(member, make_member, folder):
    upload(logged_in(member), "private.txt", b"mine")
    stored = StoredFile.objects.get(member=member)
    other = logged_in(make_member())

    assert other.get(f"/storage/files/{stored.pk}/").status_code == 404
    assert other.post(f"/storage/files/{stored.pk}/rename/", {"name": "x"}).status_code == 404
    assert other.post(f"/storage/files/{stored.pk}/delete/").status_code == 404
    assert StoredFile.objects.get(pk=stored.pk).name == "private.txt"
    assert Client().get(f"/storage/files/{stored.pk}/").status_code == 302  # to the login


def test_a_name_with_a_path_keeps_only_its_last_part(member):
    client = logged_in(member)

    upload(client, "../../etc/passwd", b"x")
    refused = upload(client, "..", b"x")

    assert StoredFile.objects.get(member=member).name == "passwd"
    assert refused.status_code == 400


def test_the_form_without_script_uploads_several_files_into_a_folder(member):
    client = logged_in(member)
    files = [_named("a.txt", b"aaa"), _named("報告書.pdf", b"pdf")]

    answer = client.post("/storage/", {"folder": "仕事", "files": files})

    assert answer.status_code == 303
    assert sorted(StoredFile.objects.values_list("folder", "name")) == [
        ("仕事", "a.txt"),
        ("仕事", "報告書.pdf"),
    ]
    page = client.get("/storage/").content.decode()
    assert "仕事" in page


def test_the_form_without_a_csrf_token_keeps_nothing(member, folder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    answer = client.post("/storage/", {"files": [_named("a.txt", b"aaa")]})

    assert answer.status_code == 403
    assert not StoredFile.objects.exists() and not Reservation.objects.exists()
    assert stored_bytes(folder) == 0


def test_the_raw_upload_without_a_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    assert upload(client, "a.txt", b"aaa").status_code == 403
    assert not StoredFile.objects.exists()


def test_rename_moves_to_a_folder_and_refuses_a_taken_name(member):
    client = logged_in(member)
    upload(client, "a.txt", b"a")
    upload(client, "b.txt", b"b")
    a, b = StoredFile.objects.order_by("name")

    client.post(f"/storage/files/{a.pk}/rename/", {"name": "メモ.txt", "folder": "個人"})
    client.post(f"/storage/files/{b.pk}/rename/", {"name": "メモ.txt", "folder": "個人"})

    assert sorted(StoredFile.objects.values_list("folder", "name")) == [
        ("", "b.txt"),
        ("個人", "メモ.txt"),
    ]
    page = client.get("/storage/").content.decode()
    assert "同じ名前のファイルがこのフォルダーにあります" in page


def test_the_same_name_twice_gets_a_number(member):
    client = logged_in(member)
    upload(client, "report.pdf", b"1")
    upload(client, "report.pdf", b"2")

    assert sorted(StoredFile.objects.values_list("name", flat=True)) == [
        "report (2).pdf",
        "report.pdf",
    ]


def test_delete_removes_the_file_and_its_bytes(member, folder, django_capture_on_commit_callbacks):
    client = logged_in(member)
    upload(client, "a.txt", b"abc")
    stored = StoredFile.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/storage/files/{stored.pk}/delete/")

    assert not StoredFile.objects.exists()
    assert stored_bytes(folder) == 0


def test_a_program_without_a_quota_offers_no_storage(make_member):
    client = logged_in(make_member(program="west"))

    assert client.get("/storage/").status_code == 404
    assert upload(client, "a.txt", b"a").status_code == 404
    assert "/storage/" not in client.get("/").content.decode()


def test_the_program_files_level_is_enforced_for_every_action(member):
    client = logged_in(member)
    upload(client, "a.txt", b"a")
    stored = StoredFile.objects.get()
    east_with(level="LINE")  # the member's requests come from off the line

    assert client.get("/storage/").status_code == 303
    assert client.get(f"/storage/files/{stored.pk}/").status_code == 303
    assert client.post(f"/storage/files/{stored.pk}/delete/").status_code == 303
    assert client.post(f"/storage/files/{stored.pk}/rename/", {"name": "b"}).status_code == 303
    assert upload(client, "b.txt", b"b").status_code == 403
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["a.txt"]


def _named(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_multipart_post_to_the_upload_address_answers_in_json_whatever_the_field(member):
    client = logged_in(member)

    answer = client.post("/storage/upload/", {"file": _named("メモ.txt", b"memo")})

    assert answer.status_code == 201
    assert answer.json()["files"][0]["name"] == "メモ.txt"
    assert StoredFile.objects.get().size == 4


def test_the_page_reads_in_english_by_the_switch(member):
    client = logged_in(member)
    client.cookies["django_language"] = "en"
    upload(client, "a.txt", b"a" * 2048)

    page = client.get("/storage/").content.decode()

    assert "Online storage" in page and "2 KB / 10 GB" in page and "Rename" in page
    assert "オンラインストレージ" not in page
