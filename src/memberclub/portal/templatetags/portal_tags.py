"""Template filters of the portal."""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from memberclub import formats
from memberclub.ledger.models import Entry

register = template.Library()


def _rule_labels() -> dict[str, str]:
    return {
        "monthly": _("Monthly points"),
        "renewal_bonus": _("Renewal bonus"),
        "usage": _("Points for your paid bill"),
        "welcome": _("Welcome points"),
        "long_term": _("Long-term customer points"),
        "adjust": _("Adjustment"),
    }


def _kind_labels() -> dict[str, str]:
    return {
        "GRANT": _("Points earned"),
        "REDEEM": _("Points used"),
        "REFUND": _("Points returned"),
        "EXPIRE": _("Points expired"),
        "FORFEIT": _("Points forfeited"),
        "REVOKE": _("Points taken back"),
        "ADJUST": _("Adjustment"),
    }


def _related(entry: Entry, name: str) -> object | None:
    try:
        related: object = getattr(entry, name)
        return related
    except ObjectDoesNotExist:
        return None


def _item_name(redemption: object) -> str:
    """What a redemption was for: the item's name, or the bill a fee payment went to."""
    bill_month = getattr(redemption, "bill_month", None)
    if bill_month is not None:
        return _("Credit to your bill for %(month)s") % {"month": formats.month(bill_month)}
    item = redemption.item  # type: ignore[attr-defined]
    return str(item.name_en if (get_language() or "ja").startswith("en") else item.name_ja)


@register.filter
def entry_label(entry: Entry) -> str:  # noqa: PLR0911 (one answer per kind of entry)
    """A member-facing description of a journal entry: the rule of a grant, what a debit was
    for (the item, the bill month of a fee payment), never a code."""
    rules, kinds = _rule_labels(), _kind_labels()
    if entry.kind == "ADJUST" and entry.reason:
        # The member reads why the operator changed their points.
        return f"{rules['adjust']}（{entry.reason}）"
    if entry.kind in ("GRANT", "ADJUST") and entry.rule in rules:
        return rules[entry.rule]
    if entry.kind == "REDEEM" and (redemption := _related(entry, "redemption")) is not None:
        return _item_name(redemption)
    if entry.kind == "REFUND" and (redemption := _related(entry, "refunded_redemption")):
        return _("Exchange canceled: %(item)s") % {"item": _item_name(redemption)}
    if entry.kind == "REVOKE" and entry.rule in rules:
        return _("Taken back: %(rule)s") % {"rule": rules[entry.rule]}
    if entry.kind == "FORFEIT":
        return _("Points forfeited (membership ended)")
    return kinds.get(entry.kind, _("Points changed"))


@register.filter
def plan_name(code: str) -> str:
    """A contract plan's name (ファミリー), never its code (FAMILY)."""
    names = {
        "FAMILY": _("Family"),
        "MANSION": _("Mansion"),
        "LIGHT": _("Light"),
        "CROSS": _("Cross"),
        "BASIC": _("Basic"),
    }
    return names.get(code, code.title())


@register.filter
def kind_name(code: str) -> str:
    """A fulfilment kind's name (配送), never its code (SHIPPED)."""
    names = {
        "SHIPPED": _("Delivery"),
        "DIGITAL_CODE": _("Digital code"),
        "SERVICE": _("Service"),
        "BILL_CREDIT": _("Credit to your bill"),
    }
    return names.get(code, code)
