"""Reading a member's storage: quota and usage, state, and the list of files."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum

from memberclub.domain.storage import Usage, keep_until
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.programs.selectors import program_on
from memberclub.storage.models import Reservation, StoredFile

SORTS = {
    "name": ("folder", "name"),
    "-name": ("-folder", "-name"),
    "size": ("size", "name"),
    "-size": ("-size", "name"),
    "date": ("uploaded_at", "id"),
    "-date": ("-uploaded_at", "-id"),
}


@dataclass(frozen=True)
class Space:
    """A member's storage as the portal shows it."""

    usage: Usage
    # Set once the membership has ended: files are read-only and downloadable until this day.
    read_only_until: dt.date | None

    @property
    def offered(self) -> bool:
        """False for a program without a quota (west)."""
        return self.usage.quota > 0

    @property
    def writable(self) -> bool:
        """True while the member may upload, rename and delete."""
        return self.read_only_until is None and self.offered


def storage_quota(*, program: str, on: dt.date) -> int:
    """The quota in bytes the program gives each member on a day (0: no storage)."""
    return program_on(program=program, on=on).storage.quota_bytes


def storage_usage(*, member_id: int, quota: int) -> Usage:
    """Bytes stored and bytes reserved by uploads under way."""
    stored = StoredFile.objects.filter(member_id=member_id).aggregate(total=Sum("size"))["total"]
    reserved = Reservation.objects.filter(member_id=member_id).aggregate(total=Sum("bytes"))[
        "total"
    ]
    return Usage(quota=quota, stored=int(stored or 0), reserved=int(reserved or 0))


def storage_space(*, member: Member, on: dt.date) -> Space:
    """The member's storage on a day, derived from the membership's end date."""
    left_on = membership_left_on(member=member)
    definition = program_on(program=member.program, on=left_on or on)
    until = None
    if left_on is not None:
        until = keep_until(ended_on=left_on, policy=definition.storage.keep_until)
    usage = storage_usage(member_id=member.pk, quota=definition.storage.quota_bytes)
    return Space(usage=usage, read_only_until=until)


def member_files(
    *, member_id: int, folder: str | None = None, sort: str = "name"
) -> list[StoredFile]:
    """The member's files (in one folder when given), sorted by name, size or date."""
    files = StoredFile.objects.filter(member_id=member_id)
    if folder is not None:
        files = files.filter(folder=folder)
    return list(files.order_by(*SORTS.get(sort, SORTS["name"])))


def member_folders(*, member_id: int) -> list[tuple[str, int, int]]:
    """The member's folders with their file count and bytes, by name."""
    rows = (
        StoredFile.objects.filter(member_id=member_id)
        .exclude(folder="")
        .values("folder")
        .annotate(files=Count("id"), total=Sum("size"))
        .order_by("folder")
    )
    return [(row["folder"], row["files"], int(row["total"] or 0)) for row in rows]


def member_file(*, member_id: int, file_id: int) -> StoredFile | None:
    """One of the member's own files; another member's id finds nothing."""
    return StoredFile.objects.filter(member_id=member_id, pk=file_id).first()
