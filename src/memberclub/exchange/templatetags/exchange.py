"""Template helpers of the exchange pages."""

from typing import Any

from django import template
from django.templatetags.static import static

from memberclub.rewards.models import Item

register = template.Library()


@register.simple_tag(takes_context=True)
def local(context: dict[str, Any], obj: object, field: str) -> str:
    """`obj.<field>_en` for an English page, else `obj.<field>_ja`."""
    suffix = "en" if context.get("LANGUAGE_CODE") == "en" else "ja"
    return str(getattr(obj, f"{field}_{suffix}", ""))


# The neutral picture of each category an item without its own image shows.
PLACEHOLDERS = {
    "gourmet": "food",
    "food": "food",
    "home": "home",
    "tickets": "tickets",
    "services": "services",
    "fees": "fees",
}


@register.filter
def item_image(item: Item) -> str:
    """The URL of the item's picture (programs/images/), else its category's placeholder."""
    if item.image:
        return static(f"catalog/{item.image}")
    placeholder = PLACEHOLDERS.get(item.category.code, "default")
    return static(f"exchange/placeholders/{placeholder}.svg")
