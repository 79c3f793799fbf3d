"""The ledger against a plain reference model: any sequence of writes keeps both in step."""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from memberclub.domain.errors import InsufficientPoints
from memberclub.domain.fiscal import ExpiryPolicy
from memberclub.jobs.expiry import expiry_run
from memberclub.jobs.runner import AccountRange
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import EntryKind
from memberclub.ledger.selectors import account_balance, account_lots
from memberclub.ledger.services import (
    account_close_out,
    points_adjust,
    points_credit,
    points_debit,
)
from tests.factories import member_with_contract

EAST_EXPIRY = ExpiryPolicy(after_fiscal_years=2, plus_months=0, start_month=4)
_keys = itertools.count()


class ReferenceLedger:
    """What the ledger should hold: remaining points by expiry date, in plain Python."""

    def __init__(self) -> None:
        self.lots: dict[dt.date, int] = {}

    def credit(self, points: int, on: dt.date) -> None:
        expires_on = EAST_EXPIRY.expires_on(on)
        self.lots[expires_on] = self.lots.get(expires_on, 0) + points

    def usable(self, on: dt.date) -> int:
        return sum(left for expires_on, left in self.lots.items() if expires_on >= on)

    def debit(self, points: int, on: dt.date) -> None:
        for expires_on in sorted(self.lots):
            if expires_on < on:
                continue
            take = min(points, self.lots[expires_on])
            self.lots[expires_on] -= take
            points -= take
        assert points == 0

    def expire(self, as_of: dt.date) -> None:
        for expires_on in self.lots:
            if expires_on < as_of:
                self.lots[expires_on] = 0

    def forfeit(self) -> None:
        self.lots = dict.fromkeys(self.lots, 0)


class LedgerMachine(RuleBasedStateMachine):
    """Grants, debits, adjustments, expiry, forfeiture and repeated keys, with time moving on."""

    @initialize()
    def open_account(self) -> None:
        self.account_id = member_with_contract().account.pk
        self.today = dt.date(2025, 1, 15)
        self.reference = ReferenceLedger()
        self.used_keys: list[tuple[str, str]] = []

    def _key(self) -> str:
        return f"sm-{next(_keys)}"

    @rule(points=st.integers(min_value=1, max_value=500))
    def grant(self, points: int) -> None:
        key = self._key()
        points_credit(account_id=self.account_id, points=points, award_on=self.today, key=key)
        self.reference.credit(points, self.today)
        self.used_keys.append(("credit", key))

    @rule(points=st.integers(min_value=1, max_value=1500))
    def redeem(self, points: int) -> None:
        key = self._key()
        try:
            points_debit(
                account_id=self.account_id,
                points=points,
                on=self.today,
                key=key,
                kind=EntryKind.REDEEM,
            )
        except InsufficientPoints:
            assert points > self.reference.usable(self.today)
            return
        self.reference.debit(points, self.today)
        self.used_keys.append(("debit", key))

    @rule(points=st.integers(min_value=-800, max_value=800).filter(bool))
    def adjust(self, points: int) -> None:
        key = self._key()
        try:
            points_adjust(
                account_id=self.account_id, points=points, on=self.today, reason="test", key=key
            )
        except InsufficientPoints:
            assert -points > self.reference.usable(self.today)
            return
        if points > 0:
            self.reference.credit(points, self.today)
        else:
            self.reference.debit(-points, self.today)

    @precondition(lambda self: self.used_keys)
    @rule(data=st.data(), points=st.integers(min_value=1, max_value=50))
    def repeat_a_key(self, data: st.DataObject, points: int) -> None:
        kind, key = data.draw(st.sampled_from(self.used_keys))
        if kind == "credit":
            points_credit(account_id=self.account_id, points=points, award_on=self.today, key=key)
        else:
            points_debit(
                account_id=self.account_id,
                points=points,
                on=self.today,
                key=key,
                kind=EntryKind.REDEEM,
            )

    @rule(days=st.integers(min_value=1, max_value=400))
    def time_passes(self, days: int) -> None:
        self.today += dt.timedelta(days=days)

    @rule()
    def expiry_job(self) -> None:
        one_account = AccountRange(first=self.account_id, last=self.account_id)
        expiry_run(program="east", as_of=self.today, accounts=one_account)
        self.reference.expire(self.today)

    @rule()
    def forfeit_everything(self) -> None:
        account_close_out(
            account_id=self.account_id, on=self.today, key=self._key(), reason="canceled"
        )
        self.reference.forfeit()

    @invariant()
    def balances_match_the_reference(self) -> None:
        balance = account_balance(account_id=self.account_id, as_of=self.today)
        assert balance == self.reference.usable(self.today)
        lots = account_lots(account_id=self.account_id, as_of=self.today)
        expected = {
            on: left for on, left in self.reference.lots.items() if left and on >= self.today
        }
        assert {lot.expires_on: lot.remaining for lot in lots} == expected

    @invariant()
    def the_audit_finds_nothing(self) -> None:
        assert ledger_audit().ok


@pytest.mark.django_db
def test_any_sequence_of_ledger_writes_matches_the_reference_model(programs):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
