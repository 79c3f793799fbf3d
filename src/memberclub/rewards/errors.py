"""Why a redemption was refused, told apart so each way in can answer fittingly."""

from memberclub.domain.errors import Refused
from memberclub.domain.program import Level


class LevelRequired(Refused):
    """The member's access level is too low for the item (SPEC §5)."""

    def __init__(self, need: Level) -> None:
        super().__init__(f"this needs access level {need}")
        self.need = need


class OutOfStock(Refused):
    """Nothing of the item is left."""


class FeeCapExceeded(Refused):
    """A fee payment would pass the monthly cap."""

    def __init__(self, *, cap: int, left: int) -> None:
        super().__init__(f"fee payment is at most {cap} points a month; {left} left this month")
        self.cap = cap
        self.left = left


class KeyReused(Refused):
    """An idempotency key came back with a different request."""

    def __init__(self) -> None:
        super().__init__("this idempotency key was used for a different request")


class ShippingInvalid(Refused):
    """A shipping detail is missing or malformed; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"shipping {field}: {message}")
        self.field = field
