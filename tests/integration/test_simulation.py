"""Three years of both programs, month by month, against a reference model kept in plain Python.

A seeded scenario of a few hundred contracts: members registering (some on a month's last day),
services starting on the 29th–31st and on leap days, discounts ending and starting again, plan
changes, conversions, cancellations (some reported late), members leaving, and a west usage feed
with bills paid late and bills marked unpaid after their points were granted. Each month the
feed is imported, both programs accrue, and every April the expiry job runs. The reference
applies the rules of SPEC §3 one member at a time with the domain functions; the database does
it set-based in SQL. At the end every account's lots must be the same, the journal must pass
the audit, and running the last month again must change nothing.
"""

import calendar
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from memberclub.contracts.lifecycle import contract_event_apply
from memberclub.contracts.models import Contract
from memberclub.domain.accrual import renewal_month
from memberclub.domain.accrual_reference import (
    ContractState,
    Membership,
    long_term_points,
    monthly_points,
    renewal_bonus_points,
    usage_points,
)
from memberclub.domain.calendar import add_months, last_day_of_month
from memberclub.domain.program import (
    MonthlyAccrual,
    ProgramDefinition,
    UsageAccrual,
    parse_program,
)
from memberclub.jobs.accrual import accrual_run
from memberclub.jobs.expiry import expiry_run
from memberclub.ledger.audit import ledger_audit
from memberclub.ledger.models import Entry, EntryKind, Lot
from memberclub.ledger.services import account_close_out, points_adjust
from memberclub.members.models import Member
from memberclub.usage.importer import usage_import
from tests.conftest import PROGRAM_FILES
from tests.factories import contract_create, member_with_contract

pytestmark = pytest.mark.django_db
D = dt.date
FIRST_MONTH = D(2026, 4, 1)
MONTHS = 36
CONTRACTS_PER_PROGRAM = 150
ONE_DAY = dt.timedelta(days=1)


def _definition(index: int) -> ProgramDefinition:
    return parse_program(PROGRAM_FILES[index].read_text(encoding="utf-8"))


EAST = _definition(0)
WEST = _definition(1)
DEFINITIONS = {"east": EAST, "west": WEST}


@dataclass
class Event:
    """A lifecycle event: applied to the reference on time, to the database when it arrives."""

    customer_id: str
    kind: str  # CANCELED, CONVERTED, PLAN_CHANGED, DISCOUNT_ENDED, DISCOUNT_STARTED, LEAVE
    effective_on: dt.date
    arrives_on: dt.date
    payload: dict[str, str] = field(default_factory=dict)


@dataclass
class Subject:
    """One contract of the scenario and its member (the reference's view)."""

    customer_id: str
    program: str
    contract: ContractState
    membership: Membership | None
    opening: list[tuple[dt.date, int]] = field(default_factory=list)
    late: bool = False


@dataclass
class Reference:
    """What the ledger should hold, computed one member at a time."""

    lots: dict[str, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    granted: dict[str, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    keys: dict[str, set[tuple[str, int]]] = field(default_factory=lambda: defaultdict(set))
    rewarded: dict[tuple[str, str], tuple[dt.date, int]] = field(default_factory=dict)
    revoked: set[tuple[str, str]] = field(default_factory=set)

    def credit(self, customer_id: str, program: str, points: int, on: dt.date, key: str) -> dt.date:
        expires_on = DEFINITIONS[program].expiry_policy.expires_on(on)
        lots = self.lots[customer_id]
        lots[expires_on] = lots.get(expires_on, 0) + points
        granted = self.granted[customer_id]
        granted[expires_on] = granted.get(expires_on, 0) + points
        self.keys[customer_id].add((key, points))
        return expires_on

    def take(self, customer_id: str, expires_on: dt.date, points: int) -> None:
        lots = self.lots[customer_id]
        lots[expires_on] -= min(points, lots[expires_on])

    def forfeit(self, customer_id: str) -> None:
        for expires_on in self.lots[customer_id]:
            self.lots[customer_id][expires_on] = 0

    def expire(self, program: str, subjects: list[Subject], as_of: dt.date) -> None:
        for subject in subjects:
            if subject.program == program:
                for expires_on in self.lots[subject.customer_id]:
                    if expires_on < as_of:
                        self.lots[subject.customer_id][expires_on] = 0


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    # Favour the days the rules are most sensitive to.
    if rng.random() < 0.3:
        wanted = rng.choice([1, 28, 29, 30, 31])
        day = day.replace(day=min(wanted, calendar.monthrange(day.year, day.month)[1]))
    return day


def _scenario(rng: random.Random) -> tuple[list[Subject], list[Event]]:
    subjects: list[Subject] = []
    events: list[Event] = []
    end = add_months(FIRST_MONTH, MONTHS)
    leap_days = [D(2016, 2, 29), D(2020, 2, 29), D(2024, 2, 29)]
    for number in range(2 * CONTRACTS_PER_PROGRAM):
        program = "east" if number % 2 == 0 else "west"
        customer_id = f"{'CAE' if program == 'east' else 'CAW'}{number:07d}"
        if number % 23 == 0:
            started = leap_days[number % 3]
        else:
            started = _random_day(rng, D(2014, 1, 1), D(2028, 6, 30))
        if program == "east":
            plan = rng.choice(["FAMILY", "FAMILY", "MANSION", "LIGHT", "CROSS"])
            has_discount = rng.random() < 0.85
            discount_on = (
                started
                if rng.random() < 0.7
                else _random_day(rng, started, started + dt.timedelta(days=900))
            )
            contract = ContractState(
                plan=plan,
                holder_kind="INDIVIDUAL",
                service_started_on=started,
                status="ACTIVE",
                discount="NINEN_WARI" if has_discount else "",
                discount_started_on=discount_on if has_discount else None,
            )
        else:
            contract = ContractState(
                plan=rng.choice(["FAMILY", "MANSION", "CROSS", "BASIC"]),
                holder_kind="CORPORATE" if rng.random() < 0.15 else "INDIVIDUAL",
                service_started_on=started,
                status="ACTIVE",
            )
        membership = None
        if rng.random() < 0.9:
            joined = _random_day(rng, max(started, D(2020, 1, 1)), end - dt.timedelta(days=200))
            if rng.random() < 0.15:
                joined = last_day_of_month(joined)
            membership = Membership(joined_on=max(joined, started))
        subject = Subject(customer_id, program, contract, membership)
        if membership and membership.joined_on < FIRST_MONTH:
            # A balance from before the simulation, in lots that expire during it.
            subject.opening = [(D(2024, 12, 1), 100 + number), (D(2025, 10, 1), 200 + number)]
            subject.opening = [(on, p) for on, p in subject.opening if on >= membership.joined_on]
        subjects.append(subject)
        events += _events_of(rng, subject, end)
    return subjects, sorted(events, key=lambda event: (event.arrives_on, event.effective_on))


def _events_of(rng: random.Random, subject: Subject, end: dt.date) -> list[Event]:
    events = []
    start = max(subject.contract.service_started_on, FIRST_MONTH)
    if subject.membership:
        start = max(start, subject.membership.joined_on + ONE_DAY)
    if start >= end - dt.timedelta(days=60):
        return []

    def on_time(kind: str, effective_on: dt.date, **payload: str) -> Event:
        return Event(subject.customer_id, kind, effective_on, effective_on, payload)

    if subject.program == "east" and subject.contract.discount and rng.random() < 0.3:
        ended = _random_day(rng, start, end - ONE_DAY)
        events.append(on_time("DISCOUNT_ENDED", ended))
        if rng.random() < 0.4 and ended < end - dt.timedelta(days=60):
            events.append(on_time("DISCOUNT_STARTED", _random_day(rng, ended, end - ONE_DAY)))
    if rng.random() < 0.12:
        plans = ["FAMILY", "MANSION"] if subject.program == "east" else ["BASIC", "FAMILY"]
        events.append(
            on_time("PLAN_CHANGED", _random_day(rng, start, end - ONE_DAY), plan=rng.choice(plans))
        )
    roll = rng.random()
    ending = _random_day(rng, start, end - dt.timedelta(days=40))
    if roll < 0.10:
        event = on_time("CANCELED", ending)
        if rng.random() < 0.4:
            # Reported late: after one or two runs it would have prevented.
            event.arrives_on = add_months(ending, rng.choice([1, 2])) + dt.timedelta(days=3)
            subject.late = True
        events.append(event)
    elif roll < 0.18:
        event = on_time("CONVERTED", ending)
        if subject.program == "east" and rng.random() < 0.4:
            event.arrives_on = add_months(ending, 1) + dt.timedelta(days=3)
            subject.late = True
        events.append(event)
    elif roll < 0.23 and subject.membership:
        events.append(on_time("LEAVE", ending))
    return events


@dataclass
class Bill:
    """A bill's story in the feed: its amount, when it is first reported paid or not, changes."""

    customer_id: str
    month: dt.date
    yen: int
    reports: list[tuple[dt.date, bool]]  # (award date of the run it is imported before, paid)


def _bills(rng: random.Random, subjects: list[Subject]) -> list[Bill]:
    bills = []
    for subject in subjects:
        if subject.program != "west":
            continue
        month = add_months(FIRST_MONTH, -2)
        while month < add_months(FIRST_MONTH, MONTHS - 1):
            if month >= subject.contract.service_started_on.replace(day=1):
                first = add_months(month, 1)
                roll = rng.random()
                if roll < 0.75:
                    reports = [(first, True)]
                elif roll < 0.87:  # paid late
                    reports = [(first, False), (add_months(first, rng.choice([1, 2, 3])), True)]
                elif roll < 0.95:  # paid, then marked unpaid after its points were granted
                    reports = [(first, True), (add_months(first, rng.choice([1, 2, 4])), False)]
                    if rng.random() < 0.3:
                        reports.append((add_months(reports[-1][0], 1), True))
                else:
                    reports = [(first, False)]
                bills.append(Bill(subject.customer_id, month, rng.randrange(0, 12_000), reports))
            month = add_months(month, 1)
    return bills


def _create(subjects: list[Subject]) -> dict[str, Member | None]:
    members: dict[str, Member | None] = {}
    for subject in subjects:
        contract = subject.contract
        fields = {
            "customer_id": subject.customer_id,
            "program": subject.program,
            "plan": contract.plan,
            "holder_kind": contract.holder_kind,
            "service_started_on": contract.service_started_on,
            "discount": contract.discount,
            "discount_started_on": contract.discount_started_on,
        }
        if subject.membership is None:
            contract_create(**fields)
            members[subject.customer_id] = None
            continue
        member = member_with_contract(joined_on=subject.membership.joined_on, **fields)
        if subject.customer_id.endswith(("3", "7")):
            Member.objects.filter(pk=member.pk).update(source="import")
        members[subject.customer_id] = member
        for on, points in subject.opening:
            points_adjust(
                account_id=member.account.pk, points=points, on=on, reason="opening balance",
                key=f"opening:{subject.customer_id}:{on}",
            )  # fmt: skip
    return members


def _apply_to_database(event: Event, members: dict[str, Member | None]) -> None:
    if event.kind == "LEAVE":
        member = members[event.customer_id]
        assert member is not None
        account_close_out(
            account_id=member.account.pk, on=event.effective_on, key=f"leave:{member.member_id}",
            reason="left the club",
        )  # fmt: skip
        Member.objects.filter(pk=member.pk).update(left_on=event.effective_on)
        return
    contract_event_apply(
        event_id=f"{event.customer_id}:{event.kind}:{event.effective_on}",
        customer_id=event.customer_id,
        kind=event.kind,
        effective_on=event.effective_on,
        payload=event.payload,
        source="simulation",
    )


def _apply_to_reference(event: Event, subject: Subject, reference: Reference) -> None:
    contract, membership = subject.contract, subject.membership
    ends_membership = event.kind in ("CANCELED", "LEAVE") or (
        event.kind == "CONVERTED" and subject.program == "east"
    )
    if event.kind in ("CANCELED", "CONVERTED"):
        contract = replace(contract, status=event.kind, status_effective_on=event.effective_on)
    elif event.kind == "PLAN_CHANGED":
        contract = replace(contract, plan=event.payload["plan"])
    elif event.kind == "DISCOUNT_ENDED":
        contract = replace(contract, discount_ended_on=event.effective_on)
    elif event.kind == "DISCOUNT_STARTED":
        contract = replace(
            contract, discount="NINEN_WARI", discount_started_on=event.effective_on,
            discount_ended_on=None,
        )  # fmt: skip
    subject.contract = contract
    if ends_membership and membership is not None and membership.left_on is None:
        subject.membership = replace(
            membership, left_on=max(event.effective_on, membership.joined_on)
        )
        reference.forfeit(subject.customer_id)


def _reference_run(
    subjects: list[Subject], paid: dict[tuple[str, str], tuple[int, bool]], award_on: dt.date,
    reference: Reference,
) -> None:  # fmt: skip
    for subject in subjects:
        if subject.program == "east":
            _reference_east(subject, award_on, reference)
        else:
            _reference_west(subject, paid, award_on, reference)


def _reference_east(subject: Subject, award_on: dt.date, reference: Reference) -> None:
    accrual = EAST.accrual
    assert isinstance(accrual, MonthlyAccrual)
    membership, contract, customer = subject.membership, subject.contract, subject.customer_id
    if membership is None:
        return
    points = monthly_points(accrual, contract, membership, award_on)
    if points:
        reference.credit(customer, "east", points, award_on, f"monthly:{customer}:{award_on:%Y-%m}")
    bonus = renewal_bonus_points(accrual, contract, membership, award_on)
    key = f"renewal_bonus:{customer}:{renewal_month(accrual, award_on):%Y-%m}"
    if bonus and all(key != known for known, _ in reference.keys[customer]):
        reference.credit(customer, "east", bonus, award_on, key)


def _reference_west(
    subject: Subject, paid: dict[tuple[str, str], tuple[int, bool]], award_on: dt.date,
    reference: Reference,
) -> None:  # fmt: skip
    accrual = WEST.accrual
    assert isinstance(accrual, UsageAccrual)
    membership, contract, customer = subject.membership, subject.contract, subject.customer_id
    # Arrears first: rewarded months the feed now marks unpaid.
    for (bill_customer, month), (expires_on, points) in sorted(reference.rewarded.items()):
        owed = bill_customer == customer and (customer, month) not in reference.revoked
        if owed and not paid[(customer, month)][1]:
            reference.take(customer, expires_on, points)
            reference.revoked.add((customer, month))
    if membership is None:
        return
    for (bill_customer, month), (yen, is_paid) in sorted(paid.items()):
        if bill_customer != customer or not is_paid or (customer, month) in reference.rewarded:
            continue
        points = usage_points(
            accrual, contract, membership, billing_month=D(int(month[:4]), int(month[5:]), 1),
            billed_yen=yen, award_on=award_on,
        )  # fmt: skip
        if points:
            key = f"usage:{customer}:{month}"
            expires_on = reference.credit(customer, "west", points, award_on, key)
            reference.rewarded[(customer, month)] = (expires_on, points)
    for years, points in long_term_points(accrual, contract, membership, award_on):
        reference.credit(customer, "west", points, award_on, f"long_term:{customer}:{years}")


def _database_lots(members: dict[str, Member | None]) -> dict[str, dict[dt.date, tuple[int, int]]]:
    found: dict[str, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    by_account = {member.account.pk: customer for customer, member in members.items() if member}
    for lot in Lot.objects.all():
        found[by_account[lot.account_id]][lot.expires_on] = (lot.granted, lot.remaining)
    return found


def _database_keys(members: dict[str, Member | None]) -> dict[str, set[tuple[str, int]]]:
    keys: dict[str, set[tuple[str, int]]] = defaultdict(set)
    by_account = {member.account.pk: customer for customer, member in members.items() if member}
    grants = Entry.objects.filter(kind=EntryKind.GRANT).exclude(rule="adjust")
    for account_id, key, points in grants.values_list("account_id", "idempotency_key", "points"):
        keys[by_account[account_id]].add((key, points))
    return keys


def _feed(
    bills: list[Bill], award_on: dt.date, paid: dict[tuple[str, str], tuple[int, bool]],
    path: Path,
) -> Path:  # fmt: skip
    """Write the rows of the usage feed that arrive before this run, as the billing system would."""
    rows = []
    for bill in bills:
        for arrives, is_paid in bill.reports:
            if arrives == award_on:
                month = f"{bill.month:%Y-%m}"
                rows.append(f"{bill.customer_id},{month},{bill.yen},{str(is_paid).lower()}")
                paid[(bill.customer_id, month)] = (bill.yen, is_paid)
    path.write_text("customer_id,billing_month,billed_yen,paid\n" + "\n".join(rows) + "\n")
    return path


def _mismatches(
    subjects: list[Subject], reference: Reference, members: dict[str, Member | None]
) -> list[tuple[str, str, object, object]]:
    """Every account whose lots or grants differ from the reference."""
    database_lots = _database_lots(members)
    database_keys = _database_keys(members)
    mismatches: list[tuple[str, str, object, object]] = []
    for subject in subjects:
        customer = subject.customer_id
        expected = {on: left for on, left in reference.lots[customer].items() if left}
        found = {on: left for on, (_, left) in database_lots[customer].items() if left}
        if found != expected:
            mismatches.append((customer, "remaining", expected, found))
        if subject.late:
            continue  # its database grants include those the late event took back
        expected_granted = {on: g for on, g in reference.granted[customer].items() if g}
        found_granted = {on: g for on, (g, _) in database_lots[customer].items() if g}
        if found_granted != expected_granted:
            mismatches.append((customer, "granted", expected_granted, found_granted))
        if database_keys[customer] != reference.keys[customer]:
            mismatches.append(
                (customer, "grants", reference.keys[customer], database_keys[customer])
            )
    return mismatches


def test_three_years_of_both_programs_match_the_reference_model(programs, tmp_path: Path):
    rng = random.Random(20261126)
    subjects, events = _scenario(rng)
    bills = _bills(rng, subjects)
    by_customer = {subject.customer_id: subject for subject in subjects}
    members = _create(subjects)
    reference = Reference()
    for subject in subjects:
        for on, points in subject.opening:
            expires_on = DEFINITIONS[subject.program].expiry_policy.expires_on(on)
            reference.lots[subject.customer_id][expires_on] = points
            reference.granted[subject.customer_id][expires_on] = points
    paid: dict[tuple[str, str], tuple[int, bool]] = {}
    pending_database = list(events)
    pending_reference = sorted(events, key=lambda event: event.effective_on)

    for number in range(MONTHS):
        award_on = add_months(FIRST_MONTH, number)
        # Lifecycle: on time for the reference; in the database when each event arrives.
        while pending_reference and pending_reference[0].effective_on <= award_on:
            event = pending_reference.pop(0)
            _apply_to_reference(event, by_customer[event.customer_id], reference)
        while pending_database and pending_database[0].arrives_on <= award_on:
            _apply_to_database(pending_database.pop(0), members)
        # The usage feed of this month, then accrual, then expiry at the fiscal-year boundary.
        feed = _feed(bills, award_on, paid, tmp_path / f"usage-{award_on:%Y-%m}.csv")
        assert usage_import(path=feed).rejected == []
        for program in ("east", "west"):
            accrual_run(program=program, month=award_on, chunk_size=rng.choice([7, 50, 1000]))
        _reference_run(subjects, paid, award_on, reference)
        if award_on.month == 4:
            for program in ("east", "west"):
                expiry_run(program=program, as_of=award_on)
                reference.expire(program, subjects, award_on)

    # Whatever is still on its way arrives after the last run; the reference sees it too.
    for event in pending_reference:
        _apply_to_reference(event, by_customer[event.customer_id], reference)
    for event in pending_database:
        _apply_to_database(event, members)

    mismatches = _mismatches(subjects, reference, members)
    assert mismatches == []
    exercised = {
        rule: Entry.objects.filter(kind=EntryKind.GRANT, rule=rule).count()
        for rule in ("monthly", "renewal_bonus", "usage", "long_term")
    }
    exercised["arrears"] = Entry.objects.filter(reason__endswith="marked unpaid").count()
    exercised["expired"] = Entry.objects.filter(kind=EntryKind.EXPIRE).count()
    assert min(exercised.values()) >= 5, exercised
    assert ledger_audit().ok
    last = add_months(FIRST_MONTH, MONTHS - 1)
    for program in ("east", "west"):
        assert accrual_run(program=program, month=last).as_dict()["points"] == 0
    assert Contract.objects.count() == 2 * CONTRACTS_PER_PROGRAM
