"""Rewards' write services, one module per concern; every public name is importable from here."""

from memberclub.rewards.services.billing import BillCredit, billing_export
from memberclub.rewards.services.cancel import redemption_cancel, redemption_fulfil
from memberclub.rewards.services.codes import CodesLoaded, codes_load, digital_code_show
from memberclub.rewards.services.redemption import (
    RedemptionOutcome,
    Shipping,
    fee_payment_used,
)
from memberclub.rewards.services.request import redemption_request

__all__ = [
    "BillCredit",
    "CodesLoaded",
    "RedemptionOutcome",
    "Shipping",
    "billing_export",
    "codes_load",
    "digital_code_show",
    "fee_payment_used",
    "redemption_cancel",
    "redemption_fulfil",
    "redemption_request",
]
