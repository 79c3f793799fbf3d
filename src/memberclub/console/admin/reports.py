"""The report pages of the console (FINANCE and ADMIN): a chart, its table and a CSV download.

They hang off the admin entry of the journal summary, so the menu shows them exactly to the
staff who may view that summary (the FINANCE and ADMIN roles).
"""

import datetime as dt
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from memberclub import formats
from memberclub.console.charts import bars_svg, lines_svg
from memberclub.domain.fiscal import fiscal_year
from memberclub.programs.selectors import program_codes
from memberclub.reports.models import EntrySummary
from memberclub.reports.redemptions import redemptions_by_item
from memberclub.reports.selectors import (
    breakage_by_cohort,
    fiscal_year_bounds,
    liability_roll_forward,
    outstanding_by_expiry,
    program_definition,
)
from memberclub.reports.tables import (
    Table,
    breakage_table,
    liability_table,
    outstanding_table,
    redemptions_table,
    table_csv,
)

REPORTS = {
    "liability": _("Points liability (roll-forward)"),
    "outstanding": _("Outstanding points by expiry date"),
    "redemptions": _("Redemptions by item"),
    "breakage": _("Breakage by fiscal year of issue"),
}


class ReportForm(forms.Form):
    """What a report is asked for: the program, and a fiscal year or a day."""

    program = forms.ChoiceField(label=_("program"))
    fy = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100, required=False)
    as_of = forms.DateField(
        label=_("as of"), required=False, widget=forms.DateInput({"type": "date"})
    )
    by = forms.ChoiceField(
        label=_("rows"),
        choices=[("month", _("by month")), ("year", _("fiscal year only"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = translation.get_language() == "en"
        program = self.fields["program"]
        assert isinstance(program, forms.ChoiceField)
        program.choices = [
            (code, _program_name(code, english=english)) for code in sorted(program_codes())
        ]


def _program_name(code: str, *, english: bool) -> str:
    definition = program_definition(program=code, on=timezone.localdate())
    return definition.name_en if english else definition.name_ja


def _cell(value: object, kind: str) -> str:
    """A table value as staff read it (formats for points, dates, months and shares)."""
    if isinstance(value, str) or value is None:
        return value or ""
    if kind == "points" and isinstance(value, int):
        return formats.points(value)
    if kind == "share" and isinstance(value, float):
        return f"{value:.1%}"
    if kind == "month" and isinstance(value, dt.date):
        return formats.month(value)
    if isinstance(value, dt.date):
        return formats.date(value)
    return str(value)


class ReportsAdmin(admin.ModelAdmin[EntrySummary]):
    """The reports menu entry: the list page is the reports' index."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        """The summary is written by the database's triggers only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Never changed by hand."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Never deleted by hand."""
        return False

    def get_urls(self) -> list[URLPattern]:
        """One page per report; the list page is their index."""
        wrap = self.admin_site.admin_view
        return [
            path(f"{name}/", wrap(self.report_view), {"name": name}, name=f"reports_{name}")
            for name in REPORTS
        ] + [path("", wrap(self.changelist_view), name="reports_entrysummary_changelist")]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The index of the reports."""
        self._check(request)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reports"),
            "opts": self.model._meta,
            "reports": [
                (str(title), reverse(f"admin:reports_{name}")) for name, title in REPORTS.items()
            ],
        }
        return TemplateResponse(request, "console/reports_index.html", context)

    def _check(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def report_view(self, request: HttpRequest, name: str) -> HttpResponse:
        """A report page, or its CSV with ?format=csv."""
        self._check(request)
        today = timezone.localdate()
        form = ReportForm(request.GET or None)
        table: Table | None = None
        chart = ""
        if not request.GET or form.is_valid():
            data = form.cleaned_data if request.GET else {}
            program = data.get("program") or sorted(program_codes())[0]
            start_month = program_definition(program=program, on=today).fiscal_year_start_month
            year = data.get("fy") or fiscal_year(today, start_month=start_month)
            as_of = data.get("as_of") or today
            table, chart = self._report(name, program, year, as_of, data.get("by") != "year")
            if request.GET.get("format") == "csv":
                response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
                period = year if name in ("liability", "redemptions") else as_of
                filename = f"{name}-{program}-{period}.csv"
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
            if not request.GET:
                form = ReportForm(initial={"program": program, "fy": year, "as_of": as_of})
        query = request.GET.copy()
        query["format"] = "csv"
        context = {
            **self.admin_site.each_context(request),
            "title": str(REPORTS[name]),
            "opts": self.model._meta,
            "form": form,
            "name": name,
            "chart": chart,
            "table": table,
            "rows": _rows(table) if table else [],
            "headers": [
                (header, kind in ("points", "share"))
                for header, kind in zip(table.headers, table.kinds, strict=True)
            ]
            if table
            else [],
            "csv_url": f"?{query.urlencode()}" if request.GET else "?format=csv",
        }
        return TemplateResponse(request, "console/report.html", context)

    def _report(
        self, name: str, program: str, year: int, as_of: dt.date, by_month: bool
    ) -> tuple[Table, str]:
        english = translation.get_language() == "en"
        if name == "liability":
            liability = liability_roll_forward(program=program, fiscal_year=year, by_month=True)
            table = liability_table(liability if by_month else _without_months(liability))
            labels = [formats.month(month.start) for month in liability.months]
            chart = lines_svg(
                table.title,
                labels,
                {
                    gettext("Closing"): [m.closing for m in liability.months],
                    gettext("Issued"): [m.issued for m in liability.months],
                    gettext("Redeemed"): [m.redeemed for m in liability.months],
                    gettext("Expired"): [m.expired for m in liability.months],
                    gettext("Forfeited"): [m.forfeited for m in liability.months],
                },
            )
            return table, chart
        if name == "outstanding":
            rows = outstanding_by_expiry(program=program, as_of=as_of)
            table = outstanding_table(rows, as_of=as_of)
            title = gettext("Outstanding points by expiry date, as of %(day)s") % {
                "day": formats.date(as_of)
            }
            chart = bars_svg(
                title, [formats.date(r.expires_on) for r in rows], [r.points for r in rows]
            )
            return table, chart
        if name == "breakage":
            cohorts = breakage_by_cohort(program=program, as_of=as_of)
            table = breakage_table(cohorts)
            chart = bars_svg(
                table.title,
                [gettext("FY%(year)s") % {"year": c.fiscal_year} for c in cohorts],
                [c.breakage for c in cohorts],
                share=True,
            )
            return table, chart
        start, end = fiscal_year_bounds(program=program, year=year)
        items = redemptions_by_item(program=program, start=start, end=end)
        months = sorted({month for item in items for month in item.months})
        table = redemptions_table(items, months, english=english)
        used = [item for item in items if item.count]
        chart = bars_svg(
            gettext("Points redeemed by item, FY%(year)s") % {"year": year},
            [item.name_en if english else item.name_ja for item in used],
            [item.points for item in used],
        )
        return table, chart


def _rows(table: Table) -> list[dict[str, Any]]:
    """The table's rows as the page shows them: formatted cells, numbers right-aligned."""
    first_total = len(table.rows) - table.total_rows
    return [
        {
            "total": number >= first_total,
            "cells": [
                (_cell(value, kind), kind in ("points", "share"))
                for value, kind in zip(row, table.kinds, strict=True)
            ],
        }
        for number, row in enumerate(table.rows)
    ]


def _without_months(liability: Any) -> Any:
    """The same roll-forward without its month rows (the table's fiscal-year-only form)."""
    return replace(liability, months=[])


admin.site.register(EntrySummary, ReportsAdmin)
