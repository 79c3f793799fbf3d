"""ADMIN adjusts a member's points in the console: a reason is required, a double submit adds
once, the reason shows in the member's history and in the audit log; FINANCE cannot adjust."""

import datetime as dt

import pytest
from django.utils import timezone

from memberclub.console.models import AuditLog
from memberclub.ledger.models import Entry
from memberclub.ledger.selectors import account_balance
from memberclub.portal.templatetags.portal_tags import entry_label
from tests.integration.test_console import staff_client

pytestmark = pytest.mark.django_db


def _post(client, member, **fields):
    data = {
        "points": "500",
        "on": timezone.localdate().isoformat(),
        "reason": "お詫び",
        "key": "k-1",
    }
    data.update(fields)
    return client.post(f"/console/members/member/{member.pk}/adjust/", data, follow=True)


def test_admin_adjusts_points_with_a_reason_shown_in_the_history(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")

    page = _post(client, member).content.decode()

    assert account_balance(account_id=member.account.pk, as_of=timezone.localdate()) == 500
    assert "+500 ポイント調整しました" in page
    assert "お詫び" in client.get(f"/console/members/member/{member.pk}/change/").content.decode()
    log = AuditLog.objects.get(action="adjust")
    assert log.customer_id == member.contract.customer_id and "お詫び" in log.detail


def test_the_member_reads_the_reason_in_the_portal_history(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")
    _post(client, member, reason="配送遅延のお詫び")

    entry = Entry.objects.get(account=member.account, kind="ADJUST")
    assert entry_label(entry) == "ポイント調整（配送遅延のお詫び）"


def test_the_same_form_submitted_twice_adjusts_once(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")

    _post(client, member)
    _post(client, member)

    assert Entry.objects.filter(account=member.account, kind="ADJUST").count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "   "}, "このフィールドは必須です"),
        ({"points": "0"}, "0以外のポイント数を入力してください"),
        ({"points": "-100"}, "その日に減らせるのは 0 ポイントまでです"),
        ({"on": "2026-13-01"}, "日付を正しく入力してください"),
    ],
)
def test_a_bad_adjustment_is_explained_in_japanese_and_changes_nothing(
    make_member, fields, message
):
    member = make_member()
    client, _ = staff_client("ADMIN")

    page = _post(client, member, **fields).content.decode()

    assert message in page
    assert not Entry.objects.filter(account=member.account).exists()


@pytest.mark.parametrize("role", ["FINANCE", "SUPPORT"])
def test_finance_and_support_cannot_adjust(make_member, role):
    member = make_member()
    client, _ = staff_client(role)

    assert _post(client, member).status_code == 403
    assert not Entry.objects.filter(account=member.account).exists()
    if role == "SUPPORT":
        page = client.get(f"/console/members/member/{member.pk}/change/").content.decode()
        assert 'id="adjust"' not in page


def test_an_adjustment_on_a_past_day_counts_from_that_day(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")

    _post(client, member, on="2026-04-01")

    entry = Entry.objects.get(account=member.account, kind="ADJUST")
    assert entry.effective_on == dt.date(2026, 4, 1)
    assert entry.expires_on == dt.date(2029, 3, 31)
