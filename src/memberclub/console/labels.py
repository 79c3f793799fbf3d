"""The names staff read in the console for every model, field and coded value, translated.

They are set on the models' options when the console loads, not in the models' definitions:
Django's migrations read the names given in a definition (`Meta.verbose_name`, a field's
first argument), so names set here change no migration and no other app's code.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from memberclub.console.choices import CHOICES, Promise

__all__ = ["APPS", "CHOICES", "COMMON_FIELDS", "MODELS", "Promise", "choice_label"]

COMMON_FIELDS: dict[str, Promise] = {
    "id": _("ID"),
    "program": _("program"),
    "points": _("points"),
    "status": _("status"),
    "kind": _("kind"),
    "code": _("code"),
    "member": _("member"),
    "contract": _("contract"),
    "account": _("account"),
    "item": _("item"),
    "created_at": _("created at"),
    "email": _("email address"),
    "nickname": _("nickname"),
    "language": _("language"),
    "position": _("display order"),
    "name_ja": _("name (Japanese)"),
    "name_en": _("name (English)"),
    "reason": _("reason"),
    "phone": _("phone"),
    "postal_code": _("postal code"),
    "address": _("address"),
    "holder_name": _("holder name"),
    "expires_on": _("usable through"),
    "name": _("name"),
}
# Model label: (singular, plural, its own fields).
MODELS: dict[str, tuple[Promise, Promise, dict[str, Promise]]] = {
    "contracts.Contract": (_("contract"), _("contracts"), {
        "customer_id": _("customer ID"),
        "access_key_digest": _("access key (digest)"),
        "plan": _("plan"),
        "holder_kind": _("holder kind"),
        "service_started_on": _("service start date"),
        "status_effective_on": _("status effective date"),
        "discount": _("discount"),
        "discount_started_on": _("discount start date"),
        "discount_ended_on": _("discount end date"),
        "line_prefixes": _("line prefixes"),
        "updated_at": _("updated at"),
    }),
    "members.Member": (_("member"), _("members"), {
        "member_id": _("member ID"),
        "user": _("login user"),
        "joined_on": _("joined on"),
        "left_on": _("left on"),
        "mail_opt_in": _("mail magazine"),
        "source": _("registered by"),
    }),
    "ledger.Account": (_("points account"), _("points accounts"), {}),
    "ledger.Lot": (_("lot"), _("lots"), {
        "granted": _("points credited"),
        "remaining": _("points left"),
    }),
    "ledger.Entry": (_("journal entry"), _("journal entries"), {
        "effective_on": _("effective date"),
        "rule": _("rule"),
        "period": _("period"),
        "idempotency_key": _("idempotency key"),
        "shortfall": _("shortfall"),
        "reverses": _("reverses"),
    }),
    "access.AuthKey": (_("auth-key letter"), _("auth-key letters"), {
        "requested_at": _("requested at"),
        "key_hash": _("key (hash)"),
        "issued_on": _("issued on"),
        "valid_until": _("valid until"),
        "failed_attempts": _("failed attempts"),
        "letter_sent_at": _("letter printed at"),
        "requested_by": _("requested by"),
    }),
    "access.EasyRegistration": (_("easy registration"), _("easy registrations"), {
        "match_note": _("match result"),
        "decided_by": _("decided by"),
        "decided_at": _("decided at"),
        "created_at": _("received at"),
    }),
    "notifications.Notice": (_("club notice"), _("club notices"), {
        "title_ja": _("title (Japanese)"),
        "title_en": _("title (English)"),
        "body_ja": _("text (Japanese)"),
        "body_en": _("text (English)"),
        "published_on": _("published on"),
        "until": _("shown until"),
    }),
    "console.AuditLog": (_("audit log"), _("audit log"), {
        "at": _("at"),
        "staff": _("staff"),
        "action": _("action"),
        "object_type": _("object"),
        "object_id": _("object ID"),
        "customer_id": _("customer ID"),
        "detail": _("detail"),
    }),
    "rewards.Category": (_("catalog category"), _("catalog categories"), {}),
    "rewards.Item": (_("catalog item"), _("catalog items"), {
        "description_ja": _("description (Japanese)"),
        "description_en": _("description (English)"),
        "category": _("category"),
        "stock": _("stock"),
        "active_from": _("offered from"),
        "active_until": _("offered until"),
        "required_level": _("access level required"),
        "image": _("image file"),
    }),
    "rewards.DigitalCode": (_("digital code"), _("digital codes"), {
        "redemption": _("redemption"),
        "loaded_at": _("loaded at"),
        "shown_at": _("shown at"),
    }),
    "rewards.Redemption": (_("redemption"), _("redemptions"), {
        "number": _("redemption number"),
        "requested_on": _("requested on"),
        "requested_at": _("requested at"),
        "bill_month": _("bill month"),
        "ship_name": _("ship to: name"),
        "ship_postal_code": _("ship to: postal code"),
        "ship_address": _("ship to: address"),
        "ship_phone": _("ship to: phone"),
        "debit": _("debit entry"),
        "balance_after": _("balance after"),
        "refund": _("refund entry"),
        "idempotency_key": _("idempotency key"),
        "request_digest": _("request digest"),
        "via": _("via"),
        "fulfilled_at": _("fulfilled at"),
        "canceled_on": _("canceled on"),
        "canceled_by": _("canceled by"),
        "cancel_reason": _("cancel reason"),
        "receipt_queued_at": _("receipt queued at"),
    }),
    "api.ApiKey": (_("operator API key"), _("operator API keys"), {
        "prefix": _("key prefix"),
        "digest": _("digest"),
        "scopes": _("scopes"),
        "revoked_at": _("revoked at"),
    }),
    "auth.User": (_("staff user"), _("staff users"), {}),
    "auth.Group": (_("role"), _("roles"), {}),
    "reports.EntrySummary": (_("report"), _("reports"), {}),
    "storage.MemberStorage": (_("storage usage"), _("storage usage"), {}),
    "fulfilment.Shipment": (_("shipment"), _("shipments"), {
        "redemption": _("redemption"),
        "tracking_number": _("tracking number"),
        "shipped_on": _("shipped on"),
        "imported_at": _("imported at"),
    }),
}  # fmt: skip
APPS: dict[str, Promise] = {
    "contracts": _("Contracts"),
    "members": _("Members"),
    "ledger": _("Points ledger"),
    "access": _("Registration and auth keys"),
    "notifications": _("Notices"),
    "console": _("Console"),
    "rewards": _("Points exchange"),
    "api": _("Operator API"),
    "auth": _("Staff and roles"),
    "reports": _("Reports"),
    "fulfilment": _("Fulfilment"),
    "storage": _("Online storage"),
}


def choice_label(group: str, value: str) -> str:
    """The name of a coded value, or the value itself when it has none."""
    return str(CHOICES[group].get(value, value))


def object_type_label(label: str) -> str:
    """The name of a model label such as members.Member, for the audit log."""
    found = MODELS.get(label)
    return str(found[0]) if found else label


def labels_apply() -> None:
    """Set the console's names on every model and field it shows."""
    for config in apps.get_app_configs():
        if config.label in APPS:
            config.verbose_name = APPS[config.label]
    for label, (singular, plural, fields) in MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
        for field in model._meta.get_fields():
            name = fields.get(field.name) or COMMON_FIELDS.get(field.name)
            if name is not None and hasattr(field, "verbose_name"):
                # Not `_verbose_name`, which is what a migration reads.
                field.verbose_name = name
