"""The names of the coded values staff read in the console's lists, filters and pages."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as Promise
else:
    from django.utils.functional import Promise

# Coded values staff read in lists and filters: (field's model label, field) -> value -> name.
CHOICES: dict[str, dict[str, Promise]] = {
    "entry_kind": {
        "GRANT": _("grant"),
        "REDEEM": _("redemption"),
        "REFUND": _("refund"),
        "EXPIRE": _("expiry"),
        "FORFEIT": _("forfeiture"),
        "REVOKE": _("revocation"),
        "ADJUST": _("adjustment"),
    },
    "redemption_status": {
        "REQUESTED": _("requested"),
        "FULFILLED": _("fulfilled"),
        "CANCELED": _("canceled"),
    },
    "fulfilment_kind": {
        "SHIPPED": _("shipped goods"),
        "DIGITAL_CODE": _("digital code"),
        "SERVICE": _("service"),
        "BILL_CREDIT": _("fee payment"),
    },
    "contract_status": {
        "ACTIVE": _("active"),
        "CANCELED": _("canceled"),
        "CONVERTED": _("converted"),
    },
    "plan": {
        "FAMILY": _("FAMILY (detached house)"),
        "MANSION": _("MANSION (apartment)"),
        "LIGHT": _("LIGHT (metered)"),
        "CROSS": _("CROSS"),
    },
    "holder_kind": {"INDIVIDUAL": _("individual"), "CORPORATE": _("corporate")},
    "discount": {"NINEN_WARI": _("two-year discount (NINEN_WARI)"), "": _("none")},
    "easy_status": {
        "PENDING": _("waiting for review"),
        "APPROVED": _("approved"),
        "REJECTED": _("rejected"),
    },
    "auth_key_status": {
        "QUEUED": _("waiting to print"),
        "SENT": _("posted"),
        "USED": _("used"),
        "REPLACED": _("replaced by a new key"),
        "VOID": _("void"),
        "EXPIRED": _("expired"),
    },
    "level": {"PASSWORD": _("password"), "LINE": _("contract line")},
    "program": {"east": _("east"), "west": _("west")},
    "language": {"ja": _("Japanese"), "en": _("English")},
    "rule": {
        "monthly": _("monthly points"),
        "renewal_bonus": _("renewal bonus"),
        "usage": _("usage points"),
        "welcome": _("welcome points"),
        "long_term": _("long-term points"),
        "adjust": _("adjustment"),
        "arrears": _("arrears"),
        # A redemption's rule is its fulfilment kind.
        "shipped": _("shipped goods"),
        "digital_code": _("digital code"),
        "service": _("service"),
        "bill_credit": _("fee payment"),
        "": _("—"),
    },
    "source": {"portal": _("portal"), "easy": _("easy registration"), "import": _("migration")},
    "job": {"accrue": _("monthly accrual"), "expire": _("expiry")},
    "requested_by": {"member": _("the member"), "staff": _("staff")},
    "via": {"portal": _("portal"), "api": _("member API")},
    "audit_action": {
        "view_list": _("viewed a list"),
        "view": _("viewed"),
        "add": _("added"),
        "change": _("changed"),
        "delete": _("deleted"),
        "issue_letter": _("issued an auth-key letter"),
        "approve": _("approved"),
        "reject": _("rejected"),
        "adjust": _("adjusted points"),
        "cancel": _("canceled a redemption"),
        "report": _("viewed a report"),
        "fulfil": _("marked fulfilled"),
    },
}
