"""PostgreSQL: a redemption's whole transaction in one call of the `rewards_redeem` function."""

from memberclub.domain.calendar import add_months
from memberclub.domain.errors import InsufficientPoints
from memberclub.ledger import rawsql
from memberclub.rewards.errors import FeeCapExceeded, KeyReused, OutOfStock
from memberclub.rewards.models import Redemption
from memberclub.rewards.services.redemption import NUMBER_TRIES, Ask, RedemptionOutcome, new_number

REDEEM = (
    "SELECT outcome, redemption_id, requested_at, account_id, debit_id, figure, number"
    f" FROM rewards_redeem({', '.join(['%s'] * 21)})"
)


def redeem_on_server(ask: Ask) -> RedemptionOutcome:
    """PostgreSQL: the whole transaction in one call of the `rewards_redeem` function."""
    cap, item = ask.fee_cap, ask.item
    month = ask.on.replace(day=1)
    unsaved = ask.redemption(account_id=0, debit_id=0, balance_after=0)
    outcome, redemption_id, requested_at, account_id, debit_id, figure, number = rawsql.fetch(
        REDEEM,
        [
            ask.member.pk,
            item.pk,
            item.kind,
            ask.points,
            ask.on,
            ask.key,
            ask.digest,
            ask.entry_key,
            ask.rule,
            ask.reason,
            item.stock is not None,
            cap,
            month,
            add_months(month, 1),
            unsaved.bill_month,
            unsaved.ship_name,
            unsaved.ship_postal_code,
            unsaved.ship_address,
            unsaved.ship_phone,
            ask.via,
            [new_number(ask.on) for _ in range(NUMBER_TRIES)],
        ],
    )[0]
    if outcome == "created":
        unsaved.pk, unsaved.number, unsaved.requested_at = redemption_id, number, requested_at
        unsaved.account_id, unsaved.debit_id, unsaved.balance_after = account_id, debit_id, figure
        unsaved._state.adding, unsaved._state.db = False, rawsql.database().alias
        return RedemptionOutcome(unsaved, created=True)
    if outcome == "existing":
        first = Redemption.objects.select_related("item").get(pk=redemption_id)
        return RedemptionOutcome(first, created=False)
    if outcome == "key_reused":
        raise KeyReused
    if outcome == "fee_cap":
        assert cap is not None
        raise FeeCapExceeded(cap=cap, left=figure)
    if outcome == "insufficient":
        raise InsufficientPoints(wanted=ask.points, available=figure)
    raise OutOfStock(f"{item.code} is out of stock")
