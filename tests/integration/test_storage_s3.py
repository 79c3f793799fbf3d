"""Storage on S3: moto's standalone S3 server on a local port, spoken to through boto3."""

import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from memberclub.storage.backends import PART_SIZE
from memberclub.storage.models import Reservation, StoredFile
from tests.portal_support import logged_in
from tests.storage_support import east_with, upload

pytestmark = pytest.mark.django_db
BUCKET = "club-files"
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server, started for these tests and stopped after them."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint) -> Iterator[Any]:
    """An empty bucket that STORAGE_URL names."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGE_URL = f"s3://{BUCKET}?endpoint_url={s3_endpoint}&region_name=us-east-1"
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _objects(client: Any) -> list[dict[str, Any]]:
    return list(client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_large_file_goes_up_in_parts_and_comes_back_by_range(bucket, make_member):
    client = logged_in(make_member())
    data = os.urandom(PART_SIZE + 3 * MIB)

    assert upload(client, "動画.mp4", data).status_code == 201

    stored = StoredFile.objects.get()
    [item] = _objects(bucket)
    assert item["Key"] == stored.object_key and "動画" not in item["Key"]
    assert item["Size"] == len(data)
    # A multipart upload's ETag ends with its part count.
    assert bucket.head_object(Bucket=BUCKET, Key=item["Key"])["ETag"].endswith('-2"')
    url = f"/storage/files/{stored.pk}/"
    across = client.get(url, HTTP_RANGE=f"bytes={PART_SIZE - 10}-{PART_SIZE + 9}")
    assert across.status_code == 206
    assert b"".join(across.streaming_content) == data[PART_SIZE - 10 : PART_SIZE + 10]  # type: ignore[attr-defined]
    whole = client.get(url)
    assert b"".join(whole.streaming_content) == data  # type: ignore[attr-defined]


def test_a_small_file_is_one_put_and_deleting_it_removes_the_object(
    bucket, make_member, django_capture_on_commit_callbacks
):
    client = logged_in(make_member())
    upload(client, "memo.txt", b"hello")
    stored = StoredFile.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/storage/files/{stored.pk}/delete/")

    assert _objects(bucket) == []


def test_an_upload_cut_off_past_the_quota_leaves_no_object_and_no_parts(bucket, make_member):
    east_with(quota=PART_SIZE + MIB)
    client = logged_in(make_member())
    big = SimpleUploadedFile("big.bin", b"x" * (PART_SIZE + 2 * MIB))

    answer = client.post("/storage/", {"files": [big]})

    assert answer.status_code == 413
    assert _objects(bucket) == []
    assert bucket.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert not StoredFile.objects.exists() and not Reservation.objects.exists()


def test_check_on_s3_finds_an_orphan_object_and_repair_deletes_it(bucket, make_member):
    from django.utils import timezone

    from memberclub.storage.maintenance import storage_check

    upload(logged_in(make_member()), "kept.txt", b"kept")
    bucket.put_object(Bucket=BUCKET, Key="ab/cd/" + "ab" * 16 + "-0", Body=b"orphan")

    found = storage_check(repair=True, stale_before=timezone.now())

    assert (found.orphan_objects, found.missing_objects, found.files) == (1, 0, 1)
    assert [item["Size"] for item in _objects(bucket)] == [4]
