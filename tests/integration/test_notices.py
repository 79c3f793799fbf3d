"""`notices`: who gets which club notice in a month, with which figures, and only once."""

import datetime as dt

import pytest

from memberclub.contracts.lifecycle import contract_event_apply
from memberclub.jobs.expiry import expiry_run
from memberclub.jobs.notices import notices_run
from memberclub.ledger.services import points_adjust, points_credit
from memberclub.membership.profile import member_leave
from memberclub.notifications.models import NoticeMail

pytestmark = pytest.mark.django_db
D = dt.date


def _credit(member, points: int, on: dt.date) -> None:
    points_credit(
        account_id=member.account.pk, points=points, award_on=on, key=f"t:{member.pk}:{on}"
    )


def _notices(program: str, month: dt.date) -> dict[tuple[int, str], NoticeMail]:
    notices_run(program=program, month=month)
    return {(mail.member_id, mail.kind): mail for mail in NoticeMail.objects.all()}


def test_who_gets_which_notice_in_the_east_warning_month(make_member):
    opted_in = make_member()
    _credit(opted_in, 500, D(2024, 5, 1))  # FY2024: expires 2027-03-31
    _credit(opted_in, 300, D(2025, 6, 1))  # FY2025: expires 2028-03-31
    opted_out = make_member()
    opted_out.mail_opt_in = False
    opted_out.save()
    _credit(opted_out, 200, D(2024, 5, 1))
    no_points = make_member()
    english = make_member()
    english.language = "en"
    english.save()
    _credit(english, 100, D(2024, 6, 1))
    left = make_member()
    _credit(left, 100, D(2024, 6, 1))
    member_leave(member=left, on=D(2026, 12, 10))
    canceled = make_member()
    _credit(canceled, 100, D(2024, 6, 1))
    contract_event_apply(
        event_id="c1",
        customer_id=canceled.contract.customer_id,
        kind="CANCELED",
        effective_on=D(2026, 12, 20),
        payload={},
        source="test",
    )
    last_day = make_member(joined_on=D(2027, 1, 31))
    day_before = make_member(joined_on=D(2026, 12, 31))
    # Spent after the first of the month: not counted in that day's balance.
    points_adjust(account_id=opted_in.account.pk, points=-50, on=D(2027, 1, 5), reason="r", key="a")

    mails = _notices("east", D(2027, 1, 1))

    got = {(member_id, kind) for member_id, kind in mails}
    assert got == {
        (opted_in.pk, "balance"),
        (opted_in.pk, "expiry_warning"),
        (opted_out.pk, "expiry_warning"),
        (no_points.pk, "balance"),
        (english.pk, "balance"),
        (english.pk, "expiry_warning"),
        (day_before.pk, "balance"),
    }
    assert last_day.pk not in {member_id for member_id, _ in got}
    balance = mails[(opted_in.pk, "balance")]
    assert (balance.balance, balance.expires_on, balance.expiring_points) == (
        800,
        D(2027, 3, 31),
        500,
    )
    assert mails[(opted_out.pk, "expiry_warning")].expiring_points == 200
    assert mails[(no_points.pk, "balance")].balance == 0


def test_a_rerun_queues_nothing_and_says_so(make_member):
    make_member()

    first = notices_run(program="east", month=D(2027, 2, 1)).as_dict()
    again = notices_run(program="east", month=D(2027, 2, 1)).as_dict()

    assert first["queued"] == 1
    assert first["by_kind"] == {"balance": 1, "expiry_warning": 0}
    assert again["queued"] == 0 and "nothing new" in again["note"]
    assert NoticeMail.objects.count() == 1


def test_west_warns_in_february_of_the_coming_april_30(make_member):
    member = make_member(program="west", plan="FAMILY", discount="")
    _credit(member, 700, D(2024, 4, 1))  # FY2024: usable through 2027-04-30

    notices_run(program="west", month=D(2027, 2, 1))

    warning = NoticeMail.objects.get(kind="expiry_warning")
    assert (warning.member_id, warning.expires_on, warning.expiring_points) == (
        member.pk,
        D(2027, 4, 30),
        700,
    )


def test_the_balance_is_as_of_the_first_day_whatever_happened_since(make_member):
    member = make_member()
    _credit(member, 400, D(2024, 6, 1))  # FY2024: usable through 2027-03-31
    _credit(member, 100, D(2026, 5, 1))  # FY2026: usable through 2029-03-31
    # After March 1: the lot of March 31 expires, and 30 points are spent.
    points_adjust(account_id=member.account.pk, points=-30, on=D(2027, 3, 10), reason="r", key="a")
    expiry_run(program="east", as_of=D(2027, 4, 1))
    points_credit(account_id=member.account.pk, points=70, award_on=D(2027, 3, 2), key="late")

    notices_run(program="east", month=D(2027, 3, 1))

    mail = NoticeMail.objects.get(kind="balance")
    assert (mail.balance, mail.expires_on, mail.expiring_points) == (500, D(2027, 3, 31), 400)
