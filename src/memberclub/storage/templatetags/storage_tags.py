"""`{% load storage_tags %}`: whether a member's program offers online storage."""

from django import template
from django.utils import timezone

from memberclub.members.models import Member
from memberclub.storage.selectors import storage_quota

register = template.Library()


@register.filter
def offers_storage(member: Member | None) -> bool:
    """True when the member's program gives a storage quota (east, not west)."""
    if member is None:
        return False
    return storage_quota(program=member.program, on=timezone.localdate()) > 0
