"""Members exchange points for items: one debit, stock kept, each kind fulfilled its own way."""

import datetime as dt
import re

import pytest

from memberclub.domain.errors import InsufficientPoints, Refused
from memberclub.domain.program import Level
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind
from memberclub.ledger.selectors import account_balance
from memberclub.notifications.tasks import send_email
from memberclub.rewards.errors import KeyReused, LevelRequired, OutOfStock
from memberclub.rewards.models import Item, Redemption, Status
from memberclub.rewards.receipts import receipts_enqueue
from memberclub.rewards.selectors import account_entitlements
from memberclub.rewards.services import codes_load, digital_code_show
from tests.rewards_support import TODAY, give, item_with, load_catalogs, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_member):
    load_catalogs()
    member = make_member()
    give(member, 10_000)
    return member


def test_a_shipped_item_takes_its_points_and_one_from_stock(member):
    stock = Item.objects.get(code="E-RICE-5KG").stock or 0

    outcome = redeem(member, "E-RICE-5KG", key="k1")

    redemption = outcome.redemption
    assert outcome.created
    assert redemption.status == Status.REQUESTED
    assert redemption.points == 3000
    assert redemption.balance_after == 7000
    assert redemption.ship_postal_code == "1000001"
    assert redemption.debit.kind == EntryKind.REDEEM and redemption.debit.points == -3000
    assert Item.objects.get(code="E-RICE-5KG").stock == stock - 1
    assert account_balance(account_id=member.account.pk, as_of=TODAY) == 7000
    assert ledger_audit().ok


def test_the_same_key_again_returns_the_first_redemption_and_takes_nothing_more(member):
    first = redeem(member, "E-RICE-5KG", key="k1").redemption

    again = redeem(member, "E-RICE-5KG", key="k1")

    assert not again.created
    assert again.redemption.pk == first.pk
    assert account_balance(account_id=member.account.pk, as_of=TODAY) == 7000


def test_the_same_key_for_another_item_is_refused(member):
    redeem(member, "E-RICE-5KG", key="k1")

    with pytest.raises(KeyReused):
        redeem(member, "E-LED-4", key="k1")


def test_an_item_dearer_than_the_balance_is_refused_and_changes_nothing(member):
    item_with("E-WAGYU-400", points=10_001)

    with pytest.raises(InsufficientPoints):
        redeem(member, "E-WAGYU-400", key="k1")

    assert Redemption.objects.count() == 0
    assert Item.objects.get(code="E-WAGYU-400").stock == 50


def test_the_last_piece_can_be_had_once(member):
    item_with("E-WAGYU-400", stock=1)
    give(member, 10_000, key="more")
    redeem(member, "E-WAGYU-400", key="k1")

    with pytest.raises(OutOfStock):
        redeem(member, "E-WAGYU-400", key="k2")

    assert Item.objects.get(code="E-WAGYU-400").stock == 0
    assert account_balance(account_id=member.account.pk, as_of=TODAY) == 12_000


def test_goods_need_the_line_level(member):
    with pytest.raises(LevelRequired):
        redeem(member, "E-RICE-5KG", key="k1", level=Level.PASSWORD)


def test_a_redemption_number_is_r_the_date_and_eight_digits(member):
    numbers = {redeem(member, "E-LED-4", key=f"k{n}").redemption.number for n in range(3)}

    assert len(numbers) == 3
    assert all(re.fullmatch(rf"R{TODAY:%y%m%d}[0-9]{{8}}", number) for number in numbers)


def test_a_retry_gets_its_first_answer_even_when_it_could_not_be_made_now(member):
    first = redeem(member, "E-RICE-5KG", key="k1")
    item_with("E-RICE-5KG", active_until=TODAY - dt.timedelta(days=1))

    again = redeem(member, "E-RICE-5KG", key="k1", level=Level.PASSWORD)

    assert (again.created, again.redemption.number) == (False, first.redemption.number)
    with pytest.raises(LevelRequired):
        redeem(member, "E-RICE-5KG", key="k2", level=Level.PASSWORD)


def test_a_digital_code_is_handed_out_once_and_its_first_showing_fulfils(member):
    codes_load(item_code="E-CINEMA", codes=["CODE-A", "CODE-B", "CODE-A"])
    first = redeem(member, "E-CINEMA", key="k1").redemption
    second = redeem(member, "E-CINEMA", key="k2").redemption

    shown = {digital_code_show(redemption=first), digital_code_show(redemption=second)}

    assert shown == {"CODE-A", "CODE-B"}
    assert Redemption.objects.get(pk=first.pk).status == Status.FULFILLED
    with pytest.raises(OutOfStock):
        redeem(member, "E-CINEMA", key="k3")


def test_a_service_becomes_an_entitlement_on_the_account(member):
    redeem(member, "E-SECURITY-1Y", key="k1")

    entitlements = account_entitlements(account_id=member.account.pk)

    assert [r.item.code for r in entitlements] == ["E-SECURITY-1Y"]


def test_an_item_outside_its_active_period_is_refused(make_member):
    load_catalogs()
    member = make_member(program="west", plan="FAMILY")
    give(member, 10_000)

    with pytest.raises(Refused, match="not offered"):
        redeem(member, "W-FRUIT-SEASON", key="k1", on=dt.date(2027, 3, 1))


def test_an_item_of_another_program_is_not_found(member):
    with pytest.raises(Refused, match="no item"):
        redeem(member, "W-RAMEN-10", key="k1")


def test_the_worker_queues_one_receipt_email_per_redemption(member):
    first = redeem(member, "E-RICE-5KG", key="k1").redemption
    second = redeem(member, "E-LED-4", key="k2").redemption
    redeem(member, "E-LED-4", key="k2")  # a retry makes no second receipt

    from django_tasks_db.models import DBTaskResult

    def receipts() -> list[str]:
        return [
            task.args_kwargs["kwargs"]["key"]
            for task in DBTaskResult.objects.all()
            if task.task_path.endswith(send_email.func.__name__)
            and task.args_kwargs["kwargs"]["kind"] == "redemption_receipt"
        ]

    assert receipts() == []  # the request itself writes no task row
    assert receipts_enqueue() == 2
    assert receipts_enqueue() == 0
    assert sorted(receipts()) == sorted([f"receipt:{first.number}", f"receipt:{second.number}"])


def test_every_redemption_debit_is_a_redeem_entry_with_draws(member):
    give(member, 500, on=dt.date(2025, 4, 1), key="older")
    redemption = redeem(member, "E-RICE-5KG", key="k1").redemption

    entry = Entry.objects.get(pk=redemption.debit_id)

    assert sorted(d.points for d in entry.draws.all()) == [-2500, -500]
