"""Sixteen clients redeem at once through the API: exactly as many succeed as the balance allows."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from memberclub.api.tokens import personal_token_create
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.selectors import account_balance
from memberclub.rewards.models import Redemption
from tests.concurrency import at_once
from tests.rewards_support import give, load_catalogs

pytestmark = pytest.mark.django_db(transaction=True)


def test_sixteen_concurrent_redemptions_against_a_balance_for_five_make_exactly_five(make_member):
    load_catalogs()
    member = make_member()
    today = timezone.localdate()
    give(member, 5 * 1200 + 1199, on=today.replace(day=1))
    secret = personal_token_create(member=member, name="bot", level=Level.LINE).secret

    def call(index: int) -> int:
        response = Client().post(
            "/api/v1/me/redemptions",
            json.dumps({"item": "E-LED-4"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_IDEMPOTENCY_KEY=f"bot-{index}",
        )
        return response.status_code

    statuses = at_once(16, call)

    assert sorted(statuses) == [201] * 5 + [409] * 11  # type: ignore[type-var]
    assert Redemption.objects.count() == 5
    assert account_balance(account_id=member.account.pk, as_of=today) == 1199
    assert ledger_audit().ok
