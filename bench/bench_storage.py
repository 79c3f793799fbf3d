"""Online storage through `memberclub serve`: upload and download of a 1 GiB file to local
storage, each as a ratio against `cp` of the same file on the same disk timed just before it,
the serving worker's CPU time for each (user and system) and the client's, beside cp's (cp copies
once inside the kernel; the upload and download cost one copy into the page cache plus
loopback TCP on the same two cores), and the worker's peak memory (VmHWM) during
the upload; then the same file as the page's form without script sends it (multipart), with
its time, CPU time and the peak memory again.

The client moves the bytes inside the kernel as `cp` does (bench/http_file.py says why curl
was not used). Page cache: warm on both sides. Before each timing the file to be read (cp's
source and the upload's, the stored object for the download) is read through once, `sync`
leaves no write pending, and every write goes to a new file: cp and the server are both
measured reading from the cache and writing into it, so the disk's share of a shared machine
weighs the same on both.

Three rounds alternate cp and each transfer (one timing, seconds from the next, swings by 2x on
a shared 2-core machine); each ratio is the fastest cp of the run against the transfer's median,
every round's ratio printed beside it. The fastest cp, because a cp timed right after an upload
took 2-3 s where cp alone takes 0.3 s, which would flatter the download.
BENCH_STORAGE_GIB=2 runs it with a 2 GiB file instead, BENCH_STORAGE_ROUNDS=N with N rounds.
"""

# Models are imported inside functions: this module also runs as a child process that must
# call django.setup() first.
# ruff: noqa: PLC0415

import hashlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import django

from bench import http_file
from bench.scratch import ROOT, environment, memberclub, recreate

MIB = 1024 * 1024
GIB = int(os.environ.get("BENCH_STORAGE_GIB", "1"))
ROUNDS = int(os.environ.get("BENCH_STORAGE_ROUNDS", "3"))
WORK = ROOT / "var" / "bench" / "storage"
CSRF = "b" * 32  # the same secret in the cookie and the header, as the page's script sends it


def _source() -> Path:
    """A file of random bytes (made once, kept in var/bench)."""
    path = ROOT / "var" / "bench" / f"storage-{GIB}g.bin"
    if not path.exists() or path.stat().st_size != GIB * 1024 * MIB:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for _ in range(GIB * 1024):
                out.write(os.urandom(MIB))
    return path


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def _environment(url: str) -> dict[str, str]:
    return {**environment(url), "STORAGE_URL": f"file://{WORK / 'objects'}"}


def _free_port() -> int:
    # A port of its own: another server on a fixed port would answer in this one's place.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()


def _serve(url: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "memberclub", "serve", "--port", str(PORT), "--workers", "1"],
        env=_environment(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError("memberclub serve stopped")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("memberclub serve did not answer")


def _worker_pid(server: subprocess.Popen[bytes]) -> int:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return int(children[0])


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _cpu_since(pid: int, before: tuple[float, float]) -> tuple[float, float]:
    user, system = _cpu_seconds(pid)
    return user - before[0], system - before[1]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _warm(path: Path) -> None:
    """Read a file through once, so that its pages are cached (see the module's docstring)."""
    with path.open("rb", buffering=0) as file:
        while file.read(8 * MIB):
            pass


def _headers(session: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}


def _upload(session: str, source: Path, name: str) -> tuple[float, int]:
    elapsed, status, body = http_file.post_file(
        PORT, f"/storage/upload/?name={name}",
        {**_headers(session), "Content-Type": "application/octet-stream"}, source,
    )  # fmt: skip
    if status != 201:
        raise RuntimeError(f"upload answered {status}: {body[:200]!r}")
    return elapsed, int(json.loads(body)["files"][0]["id"])


def _form_upload(session: str, source: Path) -> float:
    """The form without script: one file part and the CSRF field, multipart."""
    boundary = "benchboundary" + "7" * 20
    before = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{CSRF}\r\n--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="form-{source.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    after = f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    elapsed, status, body = http_file.post_file(
        PORT, "/storage/", {**_headers(session), "Content-Type": content_type}, source,
        before=before, after=after,
    )  # fmt: skip
    if status != 303:
        raise RuntimeError(f"form upload answered {status}: {body[:200]!r}")
    return elapsed


def _download(session: str, file_id: int, target: Path) -> float:
    return http_file.get_file(PORT, f"/storage/files/{file_id}/", _headers(session), target)


def _cp(source: Path, target: Path) -> tuple[float, float]:
    """cp's time and CPU time (the CPU time is far less sensitive to the machine's load)."""
    _warm(source)
    os.sync()
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    elapsed = time.perf_counter() - started, _children_cpu() - cpu
    target.unlink()
    os.sync()
    return elapsed


def _cpu(used: tuple[float, float]) -> str:
    return f"{used[0] + used[1]:.2f} s = user {used[0]:.2f} + system {used[1]:.2f}"


def _newest_object(folder: Path) -> Path:
    """The stored object the last upload wrote."""
    return max((path for path in folder.rglob("*") if path.is_file()), key=os.path.getmtime)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _measure(session: str, source: Path, worker: int) -> str:
    """ROUNDS rounds of cp then the upload, cp then the download; then the form upload.

    On a shared 2-core machine one timing swings by 2x from the next, so each ratio is the
    fastest cp of the run over the transfer's median (the module's docstring says why the
    fastest), each round's own ratio listed beside it.
    """
    before = _peak_rss_mib(worker)
    rounds: list[tuple[float, float, float, float]] = []
    up_cpu = down_cpu = (0.0, 0.0)
    up_client = down_client = 0.0
    same = True
    for number in range(ROUNDS):
        copied_up, cp_cpu = _cp(source, WORK / "copy.bin")
        cpu, client = _cpu_seconds(worker), time.process_time()
        up, file_id = _upload(session, source, f"{number}-{source.name}")
        up_cpu, up_client = _cpu_since(worker, cpu), time.process_time() - client
        _warm(_newest_object(WORK / "objects"))
        copied_down, _ = _cp(source, WORK / "copy.bin")
        cpu, client = _cpu_seconds(worker), time.process_time()
        down = _download(session, file_id, WORK / "down.bin")
        down_cpu, down_client = _cpu_since(worker, cpu), time.process_time() - client
        same = same and _digest(WORK / "down.bin") == _digest(source)
        (WORK / "down.bin").unlink()
        os.sync()
        rounds.append((copied_up, up, copied_down, down))
    peak = _peak_rss_mib(worker)
    cpu = _cpu_seconds(worker)
    form = _form_upload(session, source)
    form_cpu = _cpu_since(worker, cpu)
    form_peak = _peak_rss_mib(worker)
    cp_up, up, cp_down, down = (_median([r[i] for r in rounds]) for i in range(4))
    # The baseline is the fastest cp of the run, for both ways: a cp timed right after an
    # upload was seen to take 2-3 s for no reason of its own, and a slow baseline flatters.
    fastest = min(min(r[0], r[2]) for r in rounds)
    each_up = ", ".join(f"{fastest / r[1]:.2f}" for r in rounds)
    each_down = ", ".join(f"{fastest / r[3]:.2f}" for r in rounds)
    same_text = "identical" if same else "DIFFERENT"
    return "; ".join([
        f"{ROUNDS} rounds: fastest cp {fastest:.2f} s (medians {cp_up:.2f} s before the"
        f" uploads, {cp_down:.2f} s before the downloads; CPU of the last {cp_cpu:.2f} s)",
        f"upload median {up:.2f} s (ratio {fastest / up:.2f}, aim >= 0.5; rounds {each_up};"
        f" last server CPU {_cpu(up_cpu)}; client CPU {up_client:.2f} s)",
        f"download median {down:.2f} s (ratio {fastest / down:.2f}, aim >= 0.5; rounds"
        f" {each_down};"
        f" last server CPU {_cpu(down_cpu)}; client CPU {down_client:.2f} s)",
        f"worker peak RSS {peak:.0f} MB (before the uploads {before:.0f} MB, aim <= 100 MB)",
        f"bytes back {same_text}",
        f"form upload {form:.2f} s (server CPU {_cpu(form_cpu)}, peak RSS {form_peak:.0f} MB)",
    ])  # fmt: skip


def run() -> None:
    """Time cp, the upload and the download of one file, and the form upload; print one line."""
    source = _source()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    url = recreate("bench_storage")
    memberclub(url, "migrate", "--verbosity", "0")
    memberclub(url, "programs", "load", "programs/east.toml", "programs/west.toml")
    session = subprocess.run(
        [sys.executable, "-m", "bench.bench_storage", "session"],
        env=_environment(url),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    server = _serve(url)
    try:
        figures = _measure(session, source, _worker_pid(server))
    finally:
        server.terminate()
        server.wait()
    shutil.rmtree(WORK, ignore_errors=True)
    print(f"storage {GIB} GiB: {figures}", flush=True)


def _session() -> None:
    """Create a member and a logged-in session for it; print the session key."""
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tests.factories import member_with_contract

    member = member_with_contract(line_prefixes="192.0.2.0/24")
    session = SessionStore()
    session[SESSION_KEY] = str(member.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    session.save()
    print(session.session_key)


if __name__ == "__main__" and sys.argv[1:] == ["session"]:
    _session()
