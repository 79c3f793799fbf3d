"""Redemptions of a program's catalog by item and month of request, with the stock left."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from memberclub.rewards.models import Item, Redemption, Status


@dataclass
class ItemRedemptions:
    """One item: its redemptions per month (count, points) and the stock left now."""

    code: str
    name_ja: str
    name_en: str
    category_ja: str
    category_en: str
    stock: int | None
    # Month (its first day) -> (redemptions, points); canceled redemptions are not counted.
    months: dict[dt.date, tuple[int, int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Redemptions over every month shown."""
        return sum(count for count, _ in self.months.values())

    @property
    def points(self) -> int:
        """Points over every month shown."""
        return sum(points for _, points in self.months.values())


def redemptions_by_item(*, program: str, start: dt.date, end: dt.date) -> list[ItemRedemptions]:
    """Every item of the program with its redemptions requested from `start` to `end`."""
    items = {
        item.pk: ItemRedemptions(
            code=item.code,
            name_ja=item.name_ja,
            name_en=item.name_en,
            category_ja=item.category.name_ja,
            category_en=item.category.name_en,
            stock=item.stock,
        )
        for item in Item.objects.filter(program=program)
        .select_related("category")
        .order_by("category__position", "category__code", "position", "code")
    }
    rows = (
        Redemption.objects.filter(program=program, requested_on__gte=start, requested_on__lte=end)
        .exclude(status=Status.CANCELED)
        .annotate(month=TruncMonth("requested_on"))
        .values_list("item_id", "month")
        .annotate(count=Count("id"), points=Sum("points"))
        .order_by()
    )
    for pk, month, count, points in rows:
        items[pk].months[month] = (int(count), int(points or 0))
    return list(items.values())
