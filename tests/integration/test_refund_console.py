"""In the console, SUPPORT cancels a requested redemption; the points come back."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from memberclub.ledger.selectors import account_balance
from memberclub.rewards.models import Redemption, Status
from tests.rewards_support import give, load_catalogs, redeem

pytestmark = pytest.mark.django_db


def staff(role: str) -> Client:
    user = get_user_model().objects.create_user(username=f"{role.lower()}1", password="x")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def redemption(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000)
    return redeem(member, "E-RICE-5KG", key="k1").redemption


def cancel_in_console(client: Client, redemption: Redemption, reason: str = "out of rice"):
    return client.post(
        "/console/rewards/redemption/",
        {
            "action": "cancel_redemptions",
            "_selected_action": [redemption.pk],
            "confirm": "yes",
            "reason": reason,
        },
        follow=True,
    )


def test_support_cancels_a_requested_redemption_and_the_points_come_back(redemption):
    client = staff("SUPPORT")

    response = cancel_in_console(client, redemption)

    assert response.status_code == 200
    cancelled = Redemption.objects.get(pk=redemption.pk)
    assert cancelled.status == Status.CANCELED
    assert cancelled.canceled_by == "support1"
    # The refund is dated the day of the cancellation: from then on the points are back.
    today = timezone.localdate()
    assert account_balance(account_id=redemption.account_id, as_of=today) == 10_000


def test_the_console_asks_for_a_reason_first(redemption):
    client = staff("SUPPORT")

    response = client.post(
        "/console/rewards/redemption/",
        {"action": "cancel_redemptions", "_selected_action": [redemption.pk]},
    )

    assert "取消理由" in response.content.decode()
    assert Redemption.objects.get(pk=redemption.pk).status == Status.REQUESTED


def test_finance_cannot_cancel(redemption):
    client = staff("FINANCE")

    cancel_in_console(client, redemption)

    assert Redemption.objects.get(pk=redemption.pk).status == Status.REQUESTED


def test_admin_edits_catalog_items(redemption):
    client = staff("ADMIN")

    page = client.get(f"/console/rewards/item/{redemption.item_id}/change/")

    assert page.status_code == 200
