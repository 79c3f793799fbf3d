"""Template filters of the portal."""

from django import template
from django.utils.translation import gettext as _

from memberclub.ledger.models import Entry

register = template.Library()


@register.filter
def entry_label(entry: Entry) -> str:
    """A member-facing description of a journal entry."""
    labels = {
        "monthly": _("Monthly points"),
        "renewal_bonus": _("Renewal bonus"),
        "usage": _("Points for your paid bill"),
        "welcome": _("Welcome points"),
        "long_term": _("Long-term customer points"),
        "adjust": _("Adjustment"),
    }
    kinds = {
        "GRANT": _("Points earned"),
        "REDEEM": _("Points used"),
        "REFUND": _("Points returned"),
        "EXPIRE": _("Points expired"),
        "FORFEIT": _("Points forfeited"),
        "REVOKE": _("Points taken back"),
        "ADJUST": _("Adjustment"),
    }
    if entry.kind == "ADJUST" and entry.reason:
        # The member reads why the operator changed their points.
        return f"{labels['adjust']}（{entry.reason}）"
    if entry.kind in ("GRANT", "ADJUST") and entry.rule in labels:
        return labels[entry.rule]
    return kinds.get(entry.kind, entry.kind)
