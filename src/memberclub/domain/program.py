"""The schema of a program definition file (programs/*.toml) and how it is read."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic_core import ErrorDetails

from memberclub.domain.fiscal import ExpiryPolicy
from memberclub.domain.tomlfile import Strict, toml_parse

PositiveInt = Annotated[int, Field(gt=0)]


class Level(StrEnum):
    """Access levels of SPEC §5."""

    PASSWORD = "PASSWORD"  # noqa: S105 - the name of an access level, not a secret
    LINE = "LINE"


class ExpirySection(Strict):
    """Points of FY N expire at the end of FY N+after_fiscal_years, plus plus_months months."""

    after_fiscal_years: int = Field(ge=0, le=10)
    plus_months: int = Field(default=0, ge=0, le=11)


class RenewalBonus(Strict):
    """A bonus for renewing the discount term (SPEC §3.2)."""

    points: PositiveInt
    plans: list[str] = Field(min_length=1)
    term_years: PositiveInt = 2
    window_months: PositiveInt = 3


class MonthlyAccrual(Strict):
    """Fixed monthly points by plan and service year (east)."""

    kind: Literal["monthly"]
    required_discount: str | None = None
    points_by_plan: dict[str, list[Annotated[int, Field(ge=0)]]]
    renewal_bonus: RenewalBonus | None = None

    @model_validator(mode="after")
    def _plans_have_points(self) -> "MonthlyAccrual":
        for plan, points in self.points_by_plan.items():
            if not points:
                raise ValueError(f"plan {plan} needs at least one year of points")
        return self

    def monthly_points(self, plan: str, year: int) -> int:
        """Return the monthly points of `plan` in service year `year` (the last value repeats)."""
        table = self.points_by_plan.get(plan)
        if not table:
            return 0
        return table[min(year, len(table)) - 1]


class LongTermBonus(Strict):
    """Points on an anniversary of service start (west)."""

    years: PositiveInt
    points: PositiveInt


class UsageAccrual(Strict):
    """Points from the paid bill, by rank (west)."""

    kind: Literal["usage"]
    gold_plans: list[str]
    yen_per_point: dict[str, PositiveInt]
    welcome_points: Annotated[int, Field(ge=0)] = 0
    long_term: list[LongTermBonus] = []

    def rank(self, *, plan: str, holder_kind: str, status: str) -> str:
        """Return the rank of a contract: GOLD, BRONZE, HIKARI_WITH or GENERAL."""
        if status == "CONVERTED":
            return "HIKARI_WITH"
        if status != "ACTIVE":
            return "GENERAL"
        if holder_kind == "INDIVIDUAL" and plan in self.gold_plans:
            return "GOLD"
        return "BRONZE"


class LifecycleSection(Strict):
    """What cancellation and conversion do to the points (SPEC §3.4)."""

    on_canceled: Literal["forfeit"] = "forfeit"
    on_converted: Literal["forfeit", "keep"]


class AccessSection(Strict):
    """The access matrix and auth-key rules (SPEC §5)."""

    levels: dict[str, Level]
    auth_key_valid_days: PositiveInt = 30
    auth_key_max_attempts: PositiveInt = 5
    trusted_device_days: PositiveInt = 365

    def level_for(self, action: str) -> Level:
        """Return the level an action needs; an action the file does not name needs LINE."""
        return self.levels.get(action, Level.LINE)


class RedemptionSection(Strict):
    """Fee payment limits and the point value (SPEC §7)."""

    fee_payment_monthly_cap: PositiveInt
    fee_payment_min: PositiveInt = 1
    yen_per_point: PositiveInt = 1


class StorageSection(Strict):
    """Online storage quota (SPEC §9); zero means the program offers no storage."""

    quota_bytes: Annotated[int, Field(ge=0)]
    # How long a former member's files stay downloadable (read-only) before the purge.
    keep_until: Literal["end_of_next_month"] = "end_of_next_month"


class NoticesSection(Strict):
    """When the club's notices go out (SPEC §8) and how long a program end must be announced."""

    # The month (1-12) of the expiry warning for the coming expiry date.
    expiry_warning_month: int = Field(default=1, ge=1, le=12)
    # A program end must be announced at least this many days before its end date (SPEC §3.4).
    program_end_notice_days: PositiveInt = 30
    # The reminder of a program end goes this many days before its end date.
    program_end_reminder_days: PositiveInt = 30


class PrivacySection(Strict):
    """How long personal data of a member who left is kept (SPEC §10, APPI)."""

    retention_days: Annotated[int, Field(ge=1)] = 365


class ProgramDefinition(Strict):
    """One version of a program, as stored and as used by every computation."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    name_ja: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    effective_on: dt.date
    fiscal_year_start_month: int = Field(default=4, ge=1, le=12)
    expiry: ExpirySection
    accrual: MonthlyAccrual | UsageAccrual = Field(discriminator="kind")
    lifecycle: LifecycleSection
    access: AccessSection
    redemption: RedemptionSection
    storage: StorageSection
    notices: NoticesSection = NoticesSection()
    privacy: PrivacySection = PrivacySection()

    @property
    def expiry_policy(self) -> ExpiryPolicy:
        """The expiry rule of this version."""
        return ExpiryPolicy(
            after_fiscal_years=self.expiry.after_fiscal_years,
            plus_months=self.expiry.plus_months,
            start_month=self.fiscal_year_start_month,
        )


def _line_of(text: str, path: tuple[int | str, ...]) -> int | None:
    """Find the line of a TOML file where the key at `path` is set, for error messages."""
    names = [part for part in path if isinstance(part, str)]
    if not names:
        return None
    lines = text.splitlines()
    section_line = 0
    # Walk the section headers first so a key shared by several tables is found in the right one.
    for depth in range(len(names) - 1, 0, -1):
        header = ".".join(names[:depth])
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if stripped in (f"[{header}]", f"[[{header}]]"):
                section_line = number
                break
        if section_line:
            break
    key = names[-1]
    for number, line in enumerate(lines[section_line:], start=section_line + 1):
        stripped = line.strip()
        if stripped.startswith((f"{key} ", f"{key}=")) or stripped in (f"[{key}]", f"[[{key}]]"):
            return number
    return section_line or None


def parse_program(text: str, *, source: str = "program file") -> ProgramDefinition:
    """Validate a program file and return its definition, or refuse with the line and reason."""
    return toml_parse(ProgramDefinition, text, source=source, describe=_line_and_reason)


def _line_and_reason(text: str, data: dict[str, Any], first: ErrorDetails) -> str:
    """Name the error's key with its line in the file."""
    where = ".".join(str(part) for part in first["loc"]) or "(file)"
    line = _line_of(text, first["loc"])
    at = f" line {line}" if line else ""
    return f"{at} {where}: {first['msg']}"
