"""Auth keys (SPEC §5): requested in the portal, made and printed by the letter run, hashed."""

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from memberclub.access.attempts import AUTH_KEY, attempts_clear
from memberclub.access.models import AuthKey, AuthKeyStatus
from memberclub.members.models import Member
from memberclub.programs.selectors import program_on

# No 0/O, 1/I/L: the key is typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 12
LIVE = (AuthKeyStatus.QUEUED, AuthKeyStatus.SENT)


def normalise_key(text: str) -> str:
    """Upper-case a typed key and drop spaces and hyphens."""
    return "".join(text.split()).replace("-", "").replace("ー", "").upper()


def new_key() -> str:
    """A fresh random 12-character auth key."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def auth_key_request(*, member: Member, by: str = "member") -> AuthKey:
    """Queue a letter with a new key for the member; it replaces any earlier key.

    The member's count of wrong entries starts again with the new key (the client IP's does not).
    """
    with transaction.atomic():
        attempts_clear(scope=AUTH_KEY, ident=member.member_id)
        Member.objects.select_for_update().filter(pk=member.pk).first()
        AuthKey.objects.filter(member=member, status__in=LIVE).update(status=AuthKeyStatus.REPLACED)
        return AuthKey.objects.create(
            member=member,
            contract_id=member.contract_id,
            status=AuthKeyStatus.QUEUED,
            requested_at=timezone.now(),
            requested_by=by,
        )


def live_key(*, member: Member) -> AuthKey | None:
    """The member's current key, queued or sent, if any."""
    return AuthKey.objects.filter(member=member, status__in=LIVE).first()


class KeyOutcome(StrEnum):
    """What entering a key did."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    VOIDED = "voided"  # this wrong entry was the last one allowed
    NO_KEY = "no_key"  # no usable key: none sent, expired, used or void


def auth_key_enter(*, member: Member, key: str, today: dt.date) -> KeyOutcome:
    """Check a typed key against the member's sent key; wrong entries count towards voiding it."""
    with transaction.atomic():
        auth_key = (
            AuthKey.objects.select_for_update()
            .filter(member=member, status=AuthKeyStatus.SENT)
            .first()
        )
        if auth_key is None or auth_key.valid_until is None or auth_key.valid_until < today:
            return KeyOutcome.NO_KEY
        if check_password(normalise_key(key), auth_key.key_hash):
            AuthKey.objects.filter(pk=auth_key.pk).update(status=AuthKeyStatus.USED)
            return KeyOutcome.ACCEPTED
        access = program_on(program=member.program, on=today).access
        AuthKey.objects.filter(pk=auth_key.pk).update(failed_attempts=F("failed_attempts") + 1)
        if auth_key.failed_attempts + 1 >= access.auth_key_max_attempts:
            AuthKey.objects.filter(pk=auth_key.pk).update(status=AuthKeyStatus.VOID)
            return KeyOutcome.VOIDED
        return KeyOutcome.WRONG


@dataclass(frozen=True)
class Letter:
    """One printed letter: where it goes and the key in clear, which exists only here."""

    auth_key_id: int
    customer_id: str
    holder_name: str
    postal_code: str
    address: str
    auth_key: str
    issued_on: dt.date
    valid_until: dt.date


def letters_issue(*, today: dt.date) -> list[Letter]:
    """Make keys for every queued letter, store their hashes and mark them sent.

    The caller writes the letters inside the same transaction, so a failed write leaves the
    letters queued and no key exists that nobody printed.
    """
    letters: list[Letter] = []
    queued = (
        AuthKey.objects.select_for_update()
        .filter(status=AuthKeyStatus.QUEUED)
        .select_related("contract", "member")
        .order_by("contract__postal_code", "pk")
    )
    now = timezone.now()
    for auth_key in queued:
        access = program_on(program=auth_key.member.program, on=today).access
        key = new_key()
        valid_until = today + dt.timedelta(days=access.auth_key_valid_days)
        AuthKey.objects.filter(pk=auth_key.pk).update(
            status=AuthKeyStatus.SENT,
            key_hash=make_password(key, hasher="argon2"),
            issued_on=today,
            valid_until=valid_until,
            letter_sent_at=now,
        )
        contract = auth_key.contract
        letters.append(
            Letter(
                auth_key_id=auth_key.pk,
                customer_id=contract.customer_id,
                holder_name=contract.holder_name,
                postal_code=contract.postal_code,
                address=contract.address,
                auth_key=key,
                issued_on=today,
                valid_until=valid_until,
            )
        )
    return letters
