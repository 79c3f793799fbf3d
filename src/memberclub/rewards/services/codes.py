"""Digital codes: handing one out, showing it, loading a pool."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from memberclub.domain.errors import Refused
from memberclub.rewards.models import DigitalCode, Item, Kind, Redemption, Status


def digital_code_show(*, redemption: Redemption) -> str | None:
    """Return a redemption's code for display; the first showing fulfils the redemption."""
    code = DigitalCode.objects.filter(redemption=redemption).first()
    if code is None:
        return None
    if code.shown_at is None:
        now = timezone.now()
        with transaction.atomic():
            DigitalCode.objects.filter(pk=code.pk, shown_at__isnull=True).update(shown_at=now)
            Redemption.objects.filter(pk=redemption.pk, status=Status.REQUESTED).update(
                status=Status.FULFILLED, fulfilled_at=now
            )
    return code.code


@dataclass(frozen=True)
class CodesLoaded:
    """The outcome of loading a pool of digital codes."""

    item: str
    added: int
    already_loaded: int
    stock: int


def codes_load(*, item_code: str, codes: list[str]) -> CodesLoaded:
    """Add codes to a digital code item's pool; a code already in it is not added twice."""
    cleaned = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    too_long = [code for code in cleaned if len(code) > 200]
    if too_long:
        raise Refused(f"a code is longer than 200 characters: {too_long[0][:40]}…")
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(code=item_code).first()
        if item is None:
            raise Refused(f"no item {item_code!r}")
        if item.kind != Kind.DIGITAL_CODE:
            raise Refused(f"{item_code} is a {item.kind} item, not DIGITAL_CODE")
        known = set(
            DigitalCode.objects.filter(item=item, code__in=cleaned).values_list("code", flat=True)
        )
        new = [code for code in cleaned if code not in known]
        DigitalCode.objects.bulk_create(DigitalCode(item=item, code=code) for code in new)
        Item.objects.filter(pk=item.pk).update(stock=F("stock") + len(new))
        item.refresh_from_db(fields=["stock"])
        return CodesLoaded(item_code, len(new), len(cleaned) - len(new), int(item.stock or 0))
