"""Batch work on storage: the check of objects against the database, and the purge.

Both walk the backend and the database by key shard (`00/` … `ff/`), so memory is bounded by
one shard whatever the number of files; objects outside those shards are never the club's and
are left alone.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Count, Q, Sum

from memberclub.domain.storage import purge_before
from memberclub.members.selectors import program_closed_on
from memberclub.programs.selectors import program_codes, program_on
from memberclub.storage.backends import storage_backend
from memberclub.storage.models import Reservation, StoredFile

SHARDS = [f"{number:02x}" for number in range(256)]
Progress = Callable[[int, int], None] | None


@dataclass
class CheckResult:
    """What `storage check` found (and, with repair, fixed)."""

    files: int = 0
    objects: int = 0
    orphan_objects: int = 0
    orphan_bytes: int = 0
    missing_objects: int = 0
    size_mismatches: int = 0
    stale_reservations: int = 0
    repaired: bool = False
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the database and the backend agree."""
        return not (
            self.orphan_objects
            or self.missing_objects
            or self.size_mismatches
            or self.stale_reservations
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON result."""
        return {"ok": self.ok, **asdict(self)}

    def note(self, text: str) -> None:
        """Keep a few examples for the operator (object keys only, never file names)."""
        if len(self.examples) < 20:
            self.examples.append(text)


def storage_check(
    *, repair: bool, stale_before: dt.datetime, progress: Progress = None
) -> CheckResult:
    """Compare stored objects with StoredFile rows; with `repair`, make them agree.

    Reservations older than `stale_before` belong to uploads that died with their server: with
    repair they are released and their unfinished writes given up. Objects under a live
    reservation are an upload under way and are not orphans.
    """
    backend = storage_backend()
    result = CheckResult(repaired=repair)
    live_prefixes = set()
    for reservation in Reservation.objects.all():
        if reservation.created_at >= stale_before:
            live_prefixes.add(reservation.key_prefix)
            continue
        result.stale_reservations += 1
        result.note(f"stale reservation {reservation.key_prefix}")
        if repair:
            backend.abandon_unfinished(reservation.key_prefix)
            reservation.delete()
    for shard in SHARDS:
        _check_shard(shard, result, live_prefixes, repair=repair)
        if progress:
            progress(1, len(SHARDS))
    return result


def _check_shard(shard: str, result: CheckResult, live: set[str], *, repair: bool) -> None:
    backend = storage_backend()
    rows = dict(
        StoredFile.objects.filter(object_key__startswith=f"{shard}/").values_list(
            "object_key", "size"
        )
    )
    result.files += len(rows)
    seen = set()
    for key, size in backend.keys(prefix=f"{shard}/"):
        result.objects += 1
        base = key.removesuffix(".part")
        if any(base.startswith(prefix) for prefix in live):
            continue
        if key not in rows:
            result.orphan_objects += 1
            result.orphan_bytes += size
            result.note(f"orphan object {key}")
            if repair:
                backend.delete(key)
            continue
        seen.add(key)
        if rows[key] != size:
            result.size_mismatches += 1
            result.note(f"size of {key}: {rows[key]} in the database, {size} stored")
            if repair:
                StoredFile.objects.filter(object_key=key).update(size=size)
    missing = [key for key in rows if key not in seen]
    result.missing_objects += len(missing)
    for key in missing[:5]:
        result.note(f"missing object {key}")
    if repair and missing:
        StoredFile.objects.filter(object_key__in=missing).delete()


@dataclass
class PurgeResult:
    """What `storage purge` deleted."""

    as_of: str
    files: int = 0
    bytes: int = 0
    members: int = 0
    reservations: int = 0

    def as_dict(self) -> dict[str, object]:
        """The JSON result."""
        return asdict(self)


def storage_purge(
    *, as_of: dt.date, chunk_size: int = 500, progress: Progress = None
) -> PurgeResult:
    """Delete the files of memberships whose keep date is before `as_of`.

    Each chunk is one set-based selection; its objects are deleted first and its rows after,
    so a run killed at any point leaves rows whose objects may be gone, and the next run deletes
    them again (deleting a missing object is no error): running it again completes the work.
    """
    result = PurgeResult(as_of=as_of.isoformat())
    backend = storage_backend()
    for program in sorted(program_codes()):
        before = purge_before(
            as_of=as_of, policy=program_on(program=program, on=as_of).storage.keep_until
        )
        # Memberships that ended before `before`: by leaving, or all with the program's close.
        ended = Q(member__program=program)
        closed_on = program_closed_on(program=program)
        if closed_on is None or closed_on >= before:
            ended &= Q(member__left_on__lt=before)
        due = StoredFile.objects.filter(ended)
        totals = due.aggregate(files=Count("id"), members=Count("member", distinct=True))
        result.members += totals["members"]
        total = totals["files"]
        while True:
            rows = list(due.order_by("id").values_list("id", "object_key", "size")[:chunk_size])
            if not rows:
                break
            backend.delete_many([key for _, key, _ in rows])
            with transaction.atomic():
                StoredFile.objects.filter(id__in=[row_id for row_id, _, _ in rows]).delete()
            result.files += len(rows)
            result.bytes += sum(size for _, _, size in rows)
            if progress:
                progress(len(rows), total)
        for reservation in Reservation.objects.filter(ended):
            backend.abandon_unfinished(reservation.key_prefix)
            reservation.delete()
            result.reservations += 1
    return result


def storage_totals() -> dict[str, int]:
    """Files and bytes kept, for the command's summary."""
    totals = StoredFile.objects.aggregate(files=Count("id"), bytes=Sum("size"))
    return {"files": totals["files"], "bytes": int(totals["bytes"] or 0)}
