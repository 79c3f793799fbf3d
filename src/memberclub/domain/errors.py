"""Errors the domain raises when it refuses an action."""


class Refused(Exception):  # noqa: N818 - "refused" is the word of the CLI contract
    """An action was refused because of the input or the rules; nothing was changed."""


class InsufficientPoints(Refused):
    """A debit asked for more points than the account can spend."""

    def __init__(self, *, wanted: int, available: int) -> None:
        super().__init__(f"insufficient points: {wanted} wanted, {available} available")
        self.wanted = wanted
        self.available = available
