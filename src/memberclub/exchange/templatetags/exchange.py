"""Template helpers of the exchange pages."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def local(context: dict[str, Any], obj: object, field: str) -> str:
    """`obj.<field>_en` for an English page, else `obj.<field>_ja`."""
    suffix = "en" if context.get("LANGUAGE_CODE") == "en" else "ja"
    return str(getattr(obj, f"{field}_{suffix}", ""))


@register.filter
def yen(value: int | None) -> str:
    """A number with thousands separators."""
    return f"{int(value or 0):,}"
