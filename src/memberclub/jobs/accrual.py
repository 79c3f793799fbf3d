"""`accrue`: the monthly accrual of one program, set-based over chunks of accounts."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memberclub.domain.accrual import award_date, month_key
from memberclub.domain.program import MonthlyAccrual
from memberclub.jobs import east, west
from memberclub.jobs.runner import (
    DEFAULT_CHUNK_ACCOUNTS,
    AccountRange,
    RunResult,
    WorkerShare,
    job_run,
)
from memberclub.ledger.partitions import partitions_ensure
from memberclub.programs.ending import accrual_stops_after
from memberclub.programs.selectors import program_on


@dataclass(frozen=True)
class AccrualResult:
    """What one accrual run granted or revoked."""

    program: str
    month: str
    run: RunResult
    rules: tuple[str, ...]
    # Why nothing was granted, when the month was not run at all.
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by `memberclub accrue`."""
        result = {
            "program": self.program,
            "month": self.month,
            "accounts": self.run.accounts,
            "points": self.run.points,
            "by_rule": {rule: self.run.by_rule.get(rule, 0) for rule in self.rules},
        }
        if self.skipped:
            result["skipped"] = self.skipped
        return result


def accrual_run(
    *,
    program: str,
    month: dt.date,
    accounts: AccountRange | None = None,
    worker: WorkerShare | None = None,
    chunk_size: int = DEFAULT_CHUNK_ACCOUNTS,
    progress: Callable[[int, int], None] | None = None,
) -> AccrualResult:
    """Grant (and, for usage programs, revoke) what the month's accrual rules say, once."""
    award_on = award_date(month)
    # The version in force on the award date decides the rates, whatever day the job runs.
    definition = program_on(program=program, on=award_on)
    rules: tuple[str, ...]
    if isinstance(definition.accrual, MonthlyAccrual):
        plan: east.EastAccrual | west.WestAccrual = east.east_accrual(definition, award_on)
        rules = east.RULES
    else:
        plan = west.west_accrual(definition, award_on)
        rules = west.RULES
    last_month = accrual_stops_after(program=program)
    if last_month is not None and award_on > last_month:
        # A scheduled program end: months after its last accrual month earn nothing.
        return AccrualResult(
            program=program,
            month=month_key(award_on),
            run=RunResult(),
            rules=rules,
            skipped="program ends",
        )
    # Every grant and revocation of the run is dated the award date.
    partitions_ensure(through=award_on)
    run = job_run(
        program=program,
        job="accrue",
        period=month_key(award_on),
        work=plan.chunk,
        accounts=accounts or AccountRange(),
        worker=worker or WorkerShare(),
        chunk_size=chunk_size,
        progress=progress,
    )
    return AccrualResult(program=program, month=month_key(award_on), run=run, rules=rules)
