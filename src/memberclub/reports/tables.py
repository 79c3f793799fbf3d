"""Each report as a table: headers in the reader's language, rows of plain values.

The same table is shown on the console page (values formatted there), written as CSV (UTF-8
with a BOM, so that Excel in Japan opens it) and printed by the CLI.
"""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from memberclub.reports.redemptions import ItemRedemptions
from memberclub.reports.selectors import Cohort, Liability, Outstanding, RollForward

Value = int | float | str | dt.date | None


@dataclass(frozen=True)
class Table:
    """A report's table: a title, column headers and rows."""

    title: str
    headers: list[str]
    rows: list[list[Value]]
    # The kind of each column, so the page formats it: "text", "date", "month", "points", "share".
    kinds: list[str]
    # How many rows at the end are totals.
    total_rows: int = 0


def rule_label(rule: str) -> str:
    """The name of an accrual rule or fulfilment kind as staff read it."""
    labels = {
        "monthly": _("Monthly points"),
        "renewal_bonus": _("Renewal bonus"),
        "usage": _("Usage points"),
        "welcome": _("Welcome points"),
        "long_term": _("Long-term points"),
        "shipped": _("Shipped goods"),
        "digital_code": _("Digital codes"),
        "service": _("Services"),
        "bill_credit": _("Fee payment"),
        "": _("Other"),
    }
    return labels.get(rule, rule)


def _movement_headers(rules: Sequence[str], kinds: Sequence[str]) -> list[str]:
    return [
        _("Opening"),
        _("Issued"),
        *(_("Issued: %(rule)s") % {"rule": rule_label(rule)} for rule in rules),
        _("Redeemed"),
        *(_("Redeemed: %(kind)s") % {"kind": rule_label(kind)} for kind in kinds),
        _("Refunded"),
        _("Expired"),
        _("Forfeited"),
        _("Revoked"),
        _("Adjusted"),
        _("Closing"),
    ]


def _movement_row(period: RollForward, rules: Sequence[str], kinds: Sequence[str]) -> list[Value]:
    return [
        period.opening,
        period.issued,
        *(period.issued_by_rule.get(rule, 0) for rule in rules),
        period.redeemed,
        *(period.redeemed_by_kind.get(kind, 0) for kind in kinds),
        period.refunded,
        period.expired,
        period.forfeited,
        period.revoked,
        period.adjusted,
        period.closing,
    ]


def liability_table(liability: Liability) -> Table:
    """The roll-forward: one row per month (when asked) and one for the fiscal year."""
    rules = sorted(liability.issued_by_rule)
    kinds = sorted(liability.redeemed_by_kind)
    headers = [_("Period"), *_movement_headers(rules, kinds)]
    rows: list[list[Value]] = [
        [month.start, *_movement_row(month, rules, kinds)] for month in liability.months
    ]
    rows.append(
        [
            _("FY%(year)s total") % {"year": liability.fiscal_year},
            *_movement_row(liability, rules, kinds),
        ]
    )
    return Table(
        title=_("Points liability, FY%(year)s") % {"year": liability.fiscal_year},
        headers=headers,
        rows=rows,
        kinds=["month", *["points"] * (len(headers) - 1)],
        total_rows=1,
    )


def outstanding_table(rows: list[Outstanding], *, as_of: dt.date) -> Table:
    """Points held as of a day by expiry date."""
    rows_: list[list[Value]] = [[row.expires_on, row.points] for row in rows]
    rows_.append([_("Total"), sum(row.points for row in rows)])
    return Table(
        title=_("Outstanding points by expiry date"),
        headers=[_("Usable through"), _("Points")],
        rows=rows_,
        kinds=["date", "points"],
        total_rows=1,
    )


def breakage_table(cohorts: list[Cohort]) -> Table:
    """Per fiscal-year cohort: issued, expired, forfeited, still held, and the breakage."""
    return Table(
        title=_("Breakage by fiscal year of issue"),
        headers=[
            _("Fiscal year of issue"),
            _("Usable through"),
            _("Issued"),
            _("Expired"),
            _("Forfeited"),
            _("Redeemed and other"),
            _("Outstanding"),
            _("Breakage"),
        ],
        rows=[
            [
                _("FY%(year)s") % {"year": c.fiscal_year},
                c.expires_on,
                c.issued,
                c.expired,
                c.forfeited,
                c.issued - c.expired - c.forfeited - c.outstanding,
                c.outstanding,
                round(c.breakage, 4),
            ]
            for c in cohorts
        ],
        kinds=["text", "date", "points", "points", "points", "points", "points", "share"],
    )


def redemptions_table(
    items: list[ItemRedemptions], months: list[dt.date], *, english: bool
) -> Table:
    """One row per item and month with redemptions: count, points and the stock left now."""
    rows: list[list[Value]] = []
    for item in items:
        for month in months:
            count, points = item.months.get(month, (0, 0))
            if count:
                rows.append(
                    [
                        month,
                        item.category_en if english else item.category_ja,
                        item.code,
                        item.name_en if english else item.name_ja,
                        count,
                        points,
                        _("Unlimited") if item.stock is None else item.stock,
                    ]
                )
    return Table(
        title=_("Redemptions by item"),
        headers=[
            _("Month"),
            _("Category"),
            _("Item code"),
            _("Item"),
            _("Redemptions"),
            _("Points"),
            _("Stock left"),
        ],
        rows=rows,
        kinds=["month", "text", "text", "text", "points", "points", "points"],
    )


def table_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM, ISO dates, plain integers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(
            [value.isoformat() if isinstance(value, dt.date) else value for value in row]
        )
    return buffer.getvalue().encode("utf-8-sig")
