"""The benchmark's HTTP client: a file's bytes between the disk and the socket in the kernel.

curl, the first client bench_storage used, was the cap: strace showed it writing a download in
8 KiB pieces (125,000 write() calls per GiB) and it took 1.0–1.2 s per GiB from our server and
from a trivial sendfile server alike, against 0.45–0.49 s for this client from either (and
`cp` 0.3–0.8 s, which copies inside the kernel with copy_file_range). So, like `cp`, this
client never brings the bytes into user space: an upload goes out with sendfile (file →
socket), a download comes in with splice (socket → pipe → file). It speaks just the HTTP/1.1
the benchmark needs: one request per connection, a response with a Content-Length.
"""

import fcntl
import os
import socket
import time
from pathlib import Path

PIPE = 1024 * 1024


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.settimeout(None)  # blocking: splice() on a socket with a timeout (non-blocking) fails
    return sock


def _head(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, header fields (lower-case names) and the body bytes read with them."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection before answering")
        raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), fields, rest


def _body(sock: socket.socket, fields: dict[str, str], rest: bytes) -> bytes:
    length = int(fields.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[:length]


def post_file(
    port: int, target: str, headers: dict[str, str], source: Path, *, before: bytes = b"",
    after: bytes = b"",
) -> tuple[float, int, bytes]:  # fmt: skip
    """POST `before` + the file + `after` as the body; the time, status and response body."""
    size = source.stat().st_size + len(before) + len(after)
    started = time.perf_counter()
    with _connect(port) as sock, source.open("rb") as file:
        sock.sendall(_head("POST", target, {**headers, "Content-Length": str(size)}) + before)
        sock.sendfile(file)
        sock.sendall(after)
        status, fields, rest = _response_head(sock)
        body = _body(sock, fields, rest)
    return time.perf_counter() - started, status, body


def get_file(port: int, target: str, headers: dict[str, str], out: Path) -> float:
    """GET a body of known length into a new file with splice; the time it took."""
    started = time.perf_counter()
    with _connect(port) as sock:
        sock.sendall(_head("GET", target, headers))
        status, fields, rest = _response_head(sock)
        if status != 200:
            raise RuntimeError(f"download answered {status}")
        left = int(fields["content-length"]) - len(rest)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        read_end, write_end = os.pipe()
        try:
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE)
            os.write(fd, rest)
            while left > 0:
                got = os.splice(sock.fileno(), write_end, min(left, PIPE))
                if not got:
                    raise RuntimeError("the download ended early")
                left -= got
                while got:
                    got -= os.splice(read_end, fd, got)
        finally:
            os.close(read_end)
            os.close(write_end)
            os.close(fd)
    return time.perf_counter() - started
