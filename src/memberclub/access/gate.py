"""Who a logged-in user is in the club and what they may do: the rules every way in shares.

The portal and the API reach a member by different means (session, personal token) but find
the member, the request's level and the level an action needs with these same functions.
"""

import datetime as dt

from memberclub.access.devices import device_is_trusted
from memberclub.domain import access
from memberclub.domain.program import Level
from memberclub.members.models import Member
from memberclub.members.selectors import current_q
from memberclub.programs.selectors import program_on


def member_of_user(*, user_id: int) -> Member | None:
    """The current member of a login (a member who left, or whose program ended, is no one's
    current member)."""
    return (
        Member.objects.select_related("contract", "account", "user")
        .filter(current_q(), user_id=user_id)
        .first()
    )


def member_level(*, member: Member, client_ip: str, device_token: str | None) -> Level:
    """LINE when the client IP is on the member's contract line or the browser is trusted."""
    on_the_line = access.on_line(client_ip, member.contract.line_prefixes)
    trusted = not on_the_line and device_is_trusted(member=member, token=device_token)
    return access.level(on_the_line=on_the_line, trusted_device=trusted)


def level_missing(*, member: Member, action: str, level: Level, on: dt.date) -> Level | None:
    """The level the member's program asks for `action` when `level` is below it, else None."""
    needed = program_on(program=member.program, on=on).access.level_for(action)
    return None if access.allows(level, needed) else needed
