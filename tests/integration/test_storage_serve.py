"""Uploads and downloads through `memberclub serve` (gunicorn), where the body is read from the
socket and moved into the file by the kernel: the same bytes back, ranges, two requests on one
connection, a body cut short and a body over the quota leave nothing behind."""

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from memberclub.storage.models import Reservation, StoredFile
from tests.portal_support import logged_in
from tests.processes import free_port, memberclub
from tests.storage_support import east_with, stored_bytes

pytestmark = pytest.mark.django_db(transaction=True)
CSRF = "c" * 32


class Server:
    """A `memberclub serve` process on a free port, with the member's session."""

    def __init__(self, port: int, session: str) -> None:
        self.port, self.session = port, session

    def upload_request(self, name: str, data: bytes, *, length: int | None = None) -> bytes:
        """The raw HTTP request the page's script sends for one file."""
        head = (
            f"POST /storage/upload/?name={quote(name)} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.port}\r\n"
            "Content-Type: application/octet-stream\r\n"
            f"Content-Length: {len(data) if length is None else length}\r\n"
            f"X-CSRFToken: {CSRF}\r\n"
            f"Cookie: sessionid={self.session}; csrftoken={CSRF}\r\n\r\n"
        )
        return head.encode() + data

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=60)


def _responses(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """Read `count` HTTP responses (status and body, by Content-Length) from a connection."""
    file = sock.makefile("rb")
    answers = []
    for _ in range(count):
        status = int(file.readline().split()[1])
        length = 0
        while (line := file.readline()) not in (b"\r\n", b""):
            key, _, value = line.decode().partition(":")
            if key.lower() == "content-length":
                length = int(value)
        answers.append((status, file.read(length)))
    return answers


def _get(server: Server, file_id: int, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    with server.connect() as sock:
        sock.sendall(
            f"GET /storage/files/{file_id}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Cookie: sessionid={server.session}\r\n{headers}\r\n".encode()
        )
        raw = b""
        while chunk := sock.recv(1 << 20):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), fields, body


@pytest.fixture
def server(make_member, tmp_path):
    member = make_member()
    session = logged_in(member).cookies["sessionid"].value
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    folder = tmp_path / "objects"
    process = memberclub(
        "serve", "--port", str(port), "--workers", "1", log=log,
        STORAGE_URL=f"file://{folder}",
    )  # fmt: skip
    try:
        _wait(port, process)
        yield Server(port, session), member, folder
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def _wait(port: int, process: subprocess.Popen[str]) -> None:
    for _ in range(300):
        assert process.poll() is None, "memberclub serve stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("memberclub serve did not answer")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_large_upload_comes_back_whole_and_in_ranges(server):
    serve, member, _folder = server
    data = os.urandom(5 * 1024 * 1024 + 12345)
    with serve.connect() as sock:
        sock.sendall(serve.upload_request("大きな動画.mp4", data))
        [(status, _body)] = _responses(sock, 1)

    assert status == 201
    stored = StoredFile.objects.get(member=member)
    assert (stored.name, stored.size) == ("大きな動画.mp4", len(data))
    whole = _get(serve, stored.pk)
    assert whole[0] == 200 and _digest(whole[2]) == _digest(data)
    assert whole[1]["Content-Disposition"].startswith("attachment;")
    part = _get(serve, stored.pk, "Range: bytes=1048570-2097160\r\n")
    assert part[0] == 206
    assert part[1]["Content-Range"] == f"bytes 1048570-2097160/{len(data)}"
    assert part[2] == data[1048570:2097161]
    tail = _get(serve, stored.pk, "Range: bytes=-100\r\n")
    assert tail[0] == 206 and tail[2] == data[-100:]
    assert Reservation.objects.count() == 0


def test_two_uploads_sent_at_once_on_one_connection_are_both_kept_whole(server):
    serve, member, _folder = server
    first, second = os.urandom(300_000), os.urandom(2_000_000)
    with serve.connect() as sock:
        # The second request arrives in the same writes as the first one's body.
        sock.sendall(serve.upload_request("a.bin", first) + serve.upload_request("b.bin", second))
        answers = _responses(sock, 2)

    assert [status for status, _ in answers] == [201, 201]
    kept = {f.name: f for f in StoredFile.objects.filter(member=member)}
    assert _get(serve, kept["a.bin"].pk)[2] == first
    assert _get(serve, kept["b.bin"].pk)[2] == second


def test_a_body_cut_short_keeps_nothing_and_frees_the_quota(server):
    serve, member, folder = server
    with serve.connect() as sock:
        sock.sendall(serve.upload_request("half.bin", os.urandom(1_000_000), length=3_000_000))
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1 << 16)  # the server's answer (or the closed connection)

    for _ in range(100):  # the server gives the upload up once it sees the end of the body
        if not Reservation.objects.exists():
            break
        time.sleep(0.1)
    assert not StoredFile.objects.filter(member=member).exists()
    assert not Reservation.objects.exists()
    assert stored_bytes(Path(folder)) == 0


def test_a_body_over_the_quota_is_refused_before_it_is_read_and_nothing_is_kept(server):
    serve, member, folder = server
    east_with(quota=1_000_000)
    with serve.connect() as sock:
        with contextlib.suppress(OSError):  # the answer may come before the body is all sent
            sock.sendall(serve.upload_request("big.bin", os.urandom(1_500_000)))
        [(status, body)] = _responses(sock, 1)

    assert status == 413
    assert "空き容量" in json.loads(body)["error"]
    assert not StoredFile.objects.filter(member=member).exists()
    assert stored_bytes(Path(folder)) == 0


BOUNDARY = "formboundary1234"


def _form_request(serve: Server, files: dict[str, bytes], *, csrf: str = CSRF,
                  length_change: int = 0, folder: str = "") -> bytes:  # fmt: skip
    """The multipart POST the page's form sends without script (Content-Length may lie)."""
    parts: list[tuple[str, str | None, bytes]] = [
        ("csrfmiddlewaretoken", None, csrf.encode()),
        ("folder", None, folder.encode()),
    ]
    parts += [("files", name, data) for name, data in files.items()]
    body = b""
    for field, filename, data in parts:
        disposition = f'form-data; name="{field}"'
        if filename is not None:
            disposition += f"; filename*=utf-8''{quote(filename)}; filename=\"{quote(filename)}\""
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += data + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    head = (
        "POST /storage/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body) + length_change}\r\n"
        f"Cookie: sessionid={serve.session}; csrftoken={CSRF}\r\n\r\n"
    )
    return head.encode() + body


def _nothing_kept(member, folder: Path) -> bool:
    for _ in range(100):  # the server gives an upload up once it has seen the end of the body
        if not Reservation.objects.exists():
            break
        time.sleep(0.1)
    return (
        not StoredFile.objects.filter(member=member).exists()
        and not Reservation.objects.exists()
        and stored_bytes(folder) == 0
    )


def test_the_form_without_script_keeps_every_file_whole(server):
    serve, member, _folder = server
    first, second = os.urandom(3 * 1024 * 1024 + 17), os.urandom(1000)
    with serve.connect() as sock:
        sock.sendall(_form_request(serve, {"写真.jpg": first, "メモ.txt": second}, folder="旅行"))
        [(status, _body)] = _responses(sock, 1)

    assert status == 303
    kept = {f.name: f for f in StoredFile.objects.filter(member=member)}
    assert set(kept) == {"写真.jpg", "メモ.txt"}
    assert {f.folder for f in kept.values()} == {"旅行"}
    assert _get(serve, kept["写真.jpg"].pk)[2] == first
    assert _get(serve, kept["メモ.txt"].pk)[2] == second
    part = _get(serve, kept["写真.jpg"].pk, "Range: bytes=2000000-\r\n")
    assert part[0] == 206 and part[2] == first[2000000:]
    assert Reservation.objects.count() == 0


def test_a_form_whose_content_length_is_short_of_its_body_keeps_nothing(server):
    serve, member, folder = server
    with serve.connect() as sock:
        # The announced length ends inside the file: the rest is never read as this body.
        with contextlib.suppress(OSError):
            sock.sendall(_form_request(serve, {"a.bin": os.urandom(500_000)}, length_change=-1000))
        [(status, _body)] = _responses(sock, 1)

    assert status == 400
    assert _nothing_kept(member, Path(folder))


def test_a_form_whose_content_length_is_past_its_body_keeps_nothing(server):
    serve, member, folder = server
    with serve.connect() as sock:
        sock.sendall(_form_request(serve, {"a.bin": os.urandom(500_000)}, length_change=5000))
        sock.shutdown(socket.SHUT_WR)  # the client stops: the body is 5,000 bytes short
        sock.recv(1 << 16)

    assert _nothing_kept(member, Path(folder))


def test_a_form_past_the_quota_is_cut_off_and_nothing_is_kept(server):
    serve, member, folder = server
    east_with(quota=1_000_000)
    # Within the framing allowance, so it is not refused before it is read: the file's bytes
    # pass the free space while they stream.
    with serve.connect() as sock:
        with contextlib.suppress(OSError):
            sock.sendall(_form_request(serve, {"a.bin": os.urandom(1_030_000)}))
        [(status, body)] = _responses(sock, 1)

    assert status == 413
    assert "空き容量" in body.decode()
    assert _nothing_kept(member, Path(folder))


def test_a_form_with_a_forged_token_keeps_nothing(server):
    serve, member, folder = server
    with serve.connect() as sock:
        sock.sendall(_form_request(serve, {"a.bin": os.urandom(200_000)}, csrf="d" * 32))
        [(status, _body)] = _responses(sock, 1)

    assert status == 403
    assert _nothing_kept(member, Path(folder))
