"""The quota holds: refused before the body is read, cut off mid-stream, raced by 8 uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from memberclub.storage.models import Reservation, StoredFile
from tests.concurrency import at_once
from tests.portal_support import logged_in
from tests.storage_support import east_with, stored_bytes, upload, use_local_storage


@pytest.fixture
def folder(settings, tmp_path):
    return use_local_storage(settings, tmp_path / "storage")


@pytest.mark.django_db
def test_an_upload_that_says_it_is_larger_than_the_free_space_is_refused_unread(
    make_member, folder
):
    east_with(quota=1000)
    client = logged_in(make_member())
    upload(client, "a.bin", b"a" * 600)

    # The body is shorter than announced: reading it would fail, so a 413 shows it was not read.
    refused = upload(client, "b.bin", b"b" * 10, CONTENT_LENGTH="401")

    assert refused.status_code == 413
    assert refused.json() == {"error": "空き容量が足りません（空き 400 B）。"}
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["a.bin"]
    assert stored_bytes(folder) == 600 and not Reservation.objects.exists()


@pytest.mark.django_db
def test_an_upload_up_to_the_quota_exactly_is_kept(make_member):
    east_with(quota=1000)
    client = logged_in(make_member())

    assert upload(client, "a.bin", b"a" * 1000).status_code == 201
    assert upload(client, "b.bin", b"").status_code == 201
    assert upload(client, "c.bin", b"c").status_code == 413


@pytest.mark.django_db
def test_a_form_upload_whose_bytes_pass_the_free_space_is_cut_off_and_nothing_kept(
    make_member, folder
):
    east_with(quota=1000)
    client = logged_in(make_member())
    files = [
        SimpleUploadedFile("small.txt", b"s" * 100),
        SimpleUploadedFile("big.bin", b"x" * 1500),
    ]

    # Its Content-Length is within the multipart allowance, so only the stream can tell.
    answer = client.post("/storage/", {"files": files})

    assert answer.status_code == 413
    assert "空き容量が足りません" in answer.content.decode()
    assert not StoredFile.objects.exists() and not Reservation.objects.exists()
    assert stored_bytes(folder) == 0


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_uploads_never_store_more_than_the_quota(programs, make_member, folder):
    east_with(quota=1000)
    member = make_member()
    clients = []
    for _ in range(8):
        client = Client()
        client.force_login(member.user)
        clients.append(client)

    answers = at_once(8, lambda i: upload(clients[i], f"part{i}.bin", bytes([i]) * 300))

    statuses = sorted(int(getattr(answer, "status_code", 0)) for answer in answers)
    assert statuses == [201] * 3 + [413] * 5
    assert sum(StoredFile.objects.values_list("size", flat=True)) == 900
    assert stored_bytes(folder) == 900
    assert not Reservation.objects.exists()
