"""Registration (SPEC §4): standard with the notice, easy without it, and the one-time link."""

import datetime as dt
import secrets
import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from memberclub.access.devices import token_digest
from memberclub.access.models import EasyRegistration, EasyStatus, SignupToken
from memberclub.contracts.keys import access_key_digest, access_key_matches
from memberclub.contracts.models import Contract, ContractStatus
from memberclub.domain.errors import Refused
from memberclub.domain.program import UsageAccrual
from memberclub.ledger.models import EntryKind
from memberclub.ledger.services import points_credit
from memberclub.members.models import Member
from memberclub.membership.services import member_create
from memberclub.notifications.services import email_enqueue
from memberclub.programs.ending import registration_check
from memberclub.programs.selectors import program_on

LINK_HOURS = 24


def _registrable(contract: Contract) -> bool:
    """A contract can take a member when it is ACTIVE and has no current member."""
    return (
        contract.status == ContractStatus.ACTIVE
        and not Member.objects.filter(contract=contract, left_on__isnull=True).exists()
    )


def contract_verify(*, customer_id: str, access_key: str) -> Contract | None:
    """Return the contract when the notice's ID and key match and it can take a member."""
    customer_id = customer_id.strip().upper()
    contract = Contract.objects.filter(customer_id=customer_id).first()
    if contract is None:
        # Spend the same work on an unknown ID as on a known one.
        access_key_matches(customer_id, access_key, access_key_digest("", ""))
        return None
    if not access_key_matches(customer_id, access_key.strip(), contract.access_key_digest):
        return None
    return contract if _registrable(contract) else None


def signup_start(
    *, contract: Contract, email: str, nickname: str, language: str, site_url: str, easy: bool
) -> SignupToken:
    """Email a one-time link (valid 24 h) that lets the applicant set a password."""
    registration_check(program=contract.program, on=timezone.localdate())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        signup = SignupToken.objects.create(
            contract=contract,
            email=email,
            nickname=nickname,
            language=language,
            token_digest=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(hours=LINK_HOURS),
        )
        email_enqueue(
            kind="registration_link",
            to=email,
            language=language,
            context={
                "nickname": nickname,
                "link": site_url + reverse("portal:signup_complete", args=[token]),
                "hours": LINK_HOURS,
                "easy": easy,
            },
            key=f"registration-link:{signup.pk}",
        )
    return signup


def signup_for(*, token: str) -> SignupToken | None:
    """The pending signup of a link, if it is unused, in time and its contract still free."""
    signup = (
        SignupToken.objects.filter(
            token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("contract")
        .first()
    )
    if signup is None or not _registrable(signup.contract):
        return None
    return signup


def signup_complete(
    *,
    token: str,
    password: str,
    language: str,
    mail_opt_in: bool,
    today: dt.date,
    site_url: str,
) -> Member:
    """Create the member from a valid link, grant welcome points and email the member ID."""
    with transaction.atomic():
        signup = signup_for(token=token)
        if signup is None:
            raise Refused("this registration link is no longer valid")
        registration_check(program=signup.contract.program, on=today)
        claimed = SignupToken.objects.filter(pk=signup.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            raise Refused("this registration link is no longer valid")
        try:
            member = member_create(
                contract=signup.contract,
                email=signup.email,
                nickname=signup.nickname,
                joined_on=today,
                mail_opt_in=mail_opt_in,
                language=language,
                source="portal",
                password=password,
            )
        except IntegrityError:
            raise Refused("this contract already has a member") from None
        SignupToken.objects.filter(pk=signup.pk).update(member=member)
        welcome = welcome_points_grant(member=member, on=today)
        email_enqueue(
            kind="registration_complete",
            to=member.email,
            language=member.language,
            context={
                "nickname": member.nickname,
                "member_id": member.member_id,
                "login_url": site_url + reverse("portal:login"),
                "welcome_points": welcome,
            },
            key=f"registration-complete:{member.member_id}",
        )
    return member


def welcome_points_grant(*, member: Member, on: dt.date) -> int:
    """Grant the program's welcome points once per customer ID ever; return what was granted."""
    accrual = program_on(program=member.program, on=on).accrual
    if not isinstance(accrual, UsageAccrual) or accrual.welcome_points <= 0:
        return 0
    entry = points_credit(
        account_id=member.account.pk,
        points=accrual.welcome_points,
        award_on=on,
        key=f"welcome:{member.contract.customer_id}",
        kind=EntryKind.GRANT,
        rule="welcome",
    )
    # The key names the customer: an earlier member of the contract had them already.
    return entry.points if entry.account_id == member.account.pk else 0


def normalise_name(text: str) -> str:
    """Compare names without width, case or spacing differences."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def normalise_digits(text: str) -> str:
    """Keep the digits of a phone number or postal code."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def easy_candidates(*, postal_code: str, phone: str = "", holder_name: str = "") -> list[Contract]:
    """ACTIVE contracts without a member at the postal code, best matches first."""
    digits = normalise_digits(postal_code)
    forms = {digits, f"{digits[:3]}-{digits[3:]}", postal_code.strip()}
    current_member = Member.objects.filter(contract=OuterRef("pk"), left_on__isnull=True)
    contracts = list(
        Contract.objects.filter(postal_code__in=forms, status=ContractStatus.ACTIVE).exclude(
            Exists(current_member)
        )[:200]
    )
    phone_digits, name = normalise_digits(phone), normalise_name(holder_name)

    def score(contract: Contract) -> int:
        return int(normalise_digits(contract.phone) == phone_digits) + int(
            normalise_name(contract.holder_name) == name
        )

    return sorted(contracts, key=lambda contract: (-score(contract), contract.customer_id))


def easy_registration_submit(
    *,
    holder_name: str,
    phone: str,
    postal_code: str,
    address: str,
    email: str,
    nickname: str,
    language: str,
    site_url: str,
) -> EasyRegistration:
    """Record a request and match it: exactly one contract approves it, else it waits for review."""
    name, phone_digits = normalise_name(holder_name), normalise_digits(phone)
    matches = [
        contract
        for contract in easy_candidates(postal_code=postal_code)
        if normalise_name(contract.holder_name) == name
        and normalise_digits(contract.phone) == phone_digits
    ]
    with transaction.atomic():
        request = EasyRegistration.objects.create(
            holder_name=holder_name,
            phone=phone,
            postal_code=postal_code,
            address=address,
            email=email,
            nickname=nickname,
            language=language,
            created_at=timezone.now(),
            match_note="一致なし" if not matches else f"{len(matches)}件一致",
        )
        if len(matches) == 1:
            _approve(request, matches[0], staff=None, site_url=site_url)
    return request


def _approve(
    request: EasyRegistration, contract: Contract, *, staff: AbstractBaseUser | None, site_url: str
) -> None:
    request.status = EasyStatus.APPROVED
    request.contract = contract
    request.decided_by_id = staff.pk if staff is not None else None
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "contract", "decided_by", "decided_at"])
    signup_start(
        contract=contract,
        email=request.email,
        nickname=request.nickname,
        language=request.language,
        site_url=site_url,
        easy=True,
    )


def _pending(request_id: int) -> EasyRegistration:
    request = EasyRegistration.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.status != EasyStatus.PENDING:
        raise Refused("this request has already been decided")
    return request


def easy_registration_approve(
    *, request_id: int, customer_id: str, staff: AbstractBaseUser, site_url: str
) -> EasyRegistration:
    """A SUPPORT decision: the request belongs to this contract; the applicant gets the link."""
    with transaction.atomic():
        request = _pending(request_id)
        contract = Contract.objects.filter(customer_id=customer_id.strip().upper()).first()
        if contract is None or not _registrable(contract):
            raise Refused("choose an ACTIVE contract that has no member")
        _approve(request, contract, staff=staff, site_url=site_url)
    return request


def easy_registration_reject(
    *, request_id: int, reason: str, staff: AbstractBaseUser, site_url: str
) -> EasyRegistration:
    """A SUPPORT decision: no contract can be confirmed; the applicant is told why."""
    if not reason.strip():
        raise Refused("a rejection needs a reason")
    with transaction.atomic():
        request = _pending(request_id)
        request.status = EasyStatus.REJECTED
        request.reason = reason.strip()
        request.decided_by_id = staff.pk
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        email_enqueue(
            kind="easy_rejected",
            to=request.email,
            language=request.language,
            context={
                "holder_name": request.holder_name,
                "reason": request.reason,
                "register_url": site_url + reverse("portal:register"),
            },
            key=f"easy-result:{request.pk}",
        )
    return request
