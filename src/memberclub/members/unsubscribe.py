"""One-click unsubscribe (RFC 8058): a signed link per member that turns club mail off."""

from django.core import signing
from django.db import transaction

from memberclub.domain.errors import Refused
from memberclub.members.models import Member

UNSUBSCRIBE_SALT = "memberclub.unsubscribe"


def unsubscribe_token(*, member_id: int) -> str:
    """The signed token of a member's unsubscribe link (it does not expire: old mail works)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(member_id))


def unsubscribe_member(*, token: str) -> Member:
    """The member a token names, or Refused when it was not signed by us."""
    try:
        member_id = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Refused("this unsubscribe link is not valid") from None
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise Refused("this unsubscribe link is not valid")
    return member


def mail_unsubscribe(*, token: str) -> Member:
    """Turn off the mail magazine and the balance notice of the member a token names."""
    with transaction.atomic():
        member = unsubscribe_member(token=token)
        Member.objects.filter(pk=member.pk).update(mail_opt_in=False)
        member.mail_opt_in = False
    return member
