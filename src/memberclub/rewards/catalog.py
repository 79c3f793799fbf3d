"""Loading a program's catalog file into categories and items."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from memberclub.domain.errors import Refused
from memberclub.programs.files import file_text
from memberclub.programs.selectors import program_codes, program_on
from memberclub.rewards.catalog_file import CatalogDefinition, FulfilmentKind, parse_catalog
from memberclub.rewards.models import Category, Item


@dataclass(frozen=True)
class CatalogLoaded:
    """What loading one catalog file did."""

    program: str
    created: int
    updated: int
    unchanged: int


def _item_values(catalog: CatalogDefinition, index: int) -> dict[str, object]:
    """The columns an item takes from the file (stock only when the item is new)."""
    item = catalog.items[index]
    if item.level is not None:
        level = item.level
    else:
        # The program's rule for the kind, as in force when the item starts (else the latest).
        on = item.active_from or dt.date.max
        access = program_on(program=catalog.program, on=on).access
        action = "fee_payment" if item.kind == FulfilmentKind.BILL_CREDIT else "item_exchange"
        level = access.level_for(action)
    return {
        "program": catalog.program,
        "name_ja": item.name_ja,
        "name_en": item.name_en,
        "description_ja": item.description_ja,
        "description_en": item.description_en,
        "kind": item.kind,
        "points": item.points,
        "active_from": item.active_from,
        "active_until": item.active_until,
        "required_level": str(level),
        "position": index,
        "image": item.image,
    }


def catalog_load(*, text: str, source: str) -> CatalogLoaded:
    """Validate a catalog file and upsert its categories and items by code.

    Stock comes from the file only when an item is created: after that it is what members and
    the console leave, so loading the file again never undoes sales.
    """
    catalog = parse_catalog(text, source=source)
    if catalog.program not in program_codes():
        raise Refused(f"{source}: program {catalog.program!r} is not loaded")
    created = updated = unchanged = 0
    with transaction.atomic():
        categories = {}
        for position, (code, names) in enumerate(catalog.categories.items()):
            categories[code], _ = Category.objects.update_or_create(
                program=catalog.program,
                code=code,
                defaults={"name_ja": names.ja, "name_en": names.en, "position": position},
            )
        for index, definition in enumerate(catalog.items):
            values = _item_values(catalog, index) | {"category": categories[definition.category]}
            existing = Item.objects.select_for_update().filter(code=definition.code).first()
            if existing is None:
                stock = 0 if definition.kind == FulfilmentKind.DIGITAL_CODE else definition.stock
                Item.objects.create(code=definition.code, stock=stock, **values)
                created += 1
                continue
            if existing.program != catalog.program:
                raise Refused(f"{source}: item {definition.code} belongs to {existing.program}")
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if changed:
                Item.objects.filter(pk=existing.pk).update(**changed)
                updated += 1
            else:
                unchanged += 1
    return CatalogLoaded(catalog.program, created, updated, unchanged)


# Item pictures live in this folder beside the catalog files (programs/images/).
IMAGES_DIR = "images"


def catalogs_load_files(*, paths: list[Path]) -> list[CatalogLoaded]:
    """Load catalog files; every file is validated before any is stored."""
    texts = [(file_text(path), str(path)) for path in paths]
    for (text, source), path in zip(texts, paths, strict=True):
        catalog = parse_catalog(text, source=source)
        images = path.parent / IMAGES_DIR
        for item in catalog.items:
            if item.image and not (images / item.image).is_file():
                raise Refused(f"{source}: item {item.code}: no image {IMAGES_DIR}/{item.image}")
    with transaction.atomic():
        return [catalog_load(text=text, source=source) for text, source in texts]
