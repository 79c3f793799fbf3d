"""Writes of online storage: reserve quota, keep or give up an upload, rename, delete.

Every write locks the member's row first (the same row leaving the club locks), so two uploads
of one member, or an upload and the end of the membership, never both read the free space
before either writes. Bytes are streamed outside any transaction: a reservation made under
the lock holds the quota meanwhile, and is released when the upload is kept or given up.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.domain.storage import numbered, reservation_for
from memberclub.members.models import Member
from memberclub.members.selectors import membership_left_on
from memberclub.storage.backends import new_key_prefix, storage_backend
from memberclub.storage.models import Reservation, StoredFile
from memberclub.storage.selectors import storage_quota, storage_usage


class ReadOnly(Refused):
    """The membership has ended: files can only be downloaded."""


class NameTaken(Refused):
    """Another file of the member already has this name in this folder."""


@dataclass(frozen=True)
class Received:
    """One file an upload streamed to the backend, not yet kept."""

    folder: str
    name: str
    object_key: str
    size: int


def _lock_member(member_id: int) -> Member:
    """The member's row, locked for the open transaction; refused once the membership ended."""
    member = Member.objects.select_for_update().get(pk=member_id)
    if membership_left_on(member=member) is not None:
        raise ReadOnly("the membership has ended: files are read-only")
    return member


def reservation_open(
    *, member_id: int, content_length: int, framed: bool, on: dt.date
) -> Reservation:
    """Reserve quota for an upload body of `content_length` bytes, or refuse before it is read."""
    with transaction.atomic():
        member = _lock_member(member_id)
        quota = storage_quota(program=member.program, on=on)
        if quota == 0:
            raise Refused("this program offers no online storage")
        usage = storage_usage(member_id=member_id, quota=quota)
        reserved = reservation_for(usage=usage, content_length=content_length, framed=framed)
        return Reservation.objects.create(
            member_id=member_id,
            bytes=reserved,
            key_prefix=new_key_prefix(),
            created_at=timezone.now(),
        )


def reservation_release(*, reservation: Reservation, keys: list[str]) -> None:
    """Give up an upload: delete what it wrote, then free its quota."""
    backend = storage_backend()
    for key in keys:
        backend.delete(key)
    backend.abandon_unfinished(reservation.key_prefix)
    Reservation.objects.filter(pk=reservation.pk).delete()


def _free_name(member_id: int, folder: str, name: str, taken: set[str]) -> str:
    """The name itself, or `name (2)`, `name (3)`… when the folder already has it."""
    existing = set(
        StoredFile.objects.filter(member_id=member_id, folder=folder).values_list("name", flat=True)
    )
    existing |= taken
    candidate, number = name, 1
    while candidate in existing:
        number += 1
        candidate = numbered(name, number)
    return candidate


def upload_keep(*, reservation: Reservation, received: list[Received]) -> list[StoredFile]:
    """Keep the files of an upload and free its reservation; refused files are deleted."""
    try:
        with transaction.atomic():
            _lock_member(reservation.member_id)
            if not Reservation.objects.filter(pk=reservation.pk).exists():
                raise Refused("this upload was given up")
            if sum(item.size for item in received) > reservation.bytes:
                raise Refused("the upload is larger than its reservation")
            now, kept, taken = timezone.now(), [], set[tuple[str, str]]()
            for item in received:
                names = {name for folder, name in taken if folder == item.folder}
                name = _free_name(reservation.member_id, item.folder, item.name, names)
                taken.add((item.folder, name))
                kept.append(
                    StoredFile(
                        member_id=reservation.member_id,
                        folder=item.folder,
                        name=name,
                        size=item.size,
                        object_key=item.object_key,
                        uploaded_at=now,
                    )
                )
            StoredFile.objects.bulk_create(kept)
            Reservation.objects.filter(pk=reservation.pk).delete()
    except Exception:
        reservation_release(reservation=reservation, keys=[item.object_key for item in received])
        raise
    return kept


def file_rename(*, member_id: int, file_id: int, name: str, folder: str) -> StoredFile:
    """Give one of the member's files a new name and folder (the bytes stay where they are)."""
    with transaction.atomic():
        _lock_member(member_id)
        stored = StoredFile.objects.filter(member_id=member_id, pk=file_id).first()
        if stored is None:
            raise StoredFile.DoesNotExist(file_id)
        if (stored.folder, stored.name) == (folder, name):
            return stored
        if StoredFile.objects.filter(member_id=member_id, folder=folder, name=name).exists():
            raise NameTaken("a file with this name is already in this folder")
        stored.folder, stored.name = folder, name
        try:
            with transaction.atomic():
                stored.save(update_fields=["folder", "name"])
        except IntegrityError:
            raise NameTaken("a file with this name is already in this folder") from None
    return stored


def file_delete(*, member_id: int, file_id: int) -> StoredFile:
    """Delete one of the member's files; its bytes go once the deletion has committed."""
    with transaction.atomic():
        _lock_member(member_id)
        stored = StoredFile.objects.filter(member_id=member_id, pk=file_id).first()
        if stored is None:
            raise StoredFile.DoesNotExist(file_id)
        stored.delete()
        key = stored.object_key
        # A crash between the commit and this leaves an orphan object for `storage check`.
        transaction.on_commit(lambda: storage_backend().delete(key))
    return stored
