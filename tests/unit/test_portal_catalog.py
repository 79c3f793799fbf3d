"""The portal's Japanese catalog is complete and its compiled file matches it."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "memberclub" / "portal" / "locale"


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (continuation lines joined)."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        found = re.search(r'^msgid ((?:".*"\n?)+)^msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if found is None:
            continue
        msgid, msgstr = (
            "".join(re.findall(r'"(.*)"', part))
            .encode()
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
            for part in found.groups()
        )
        if msgid:
            entries[msgid] = msgstr
    return entries


def test_every_message_has_a_japanese_translation():
    entries = po_entries(LOCALE / "ja" / "LC_MESSAGES" / "django.po")

    assert len(entries) > 150
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_the_compiled_catalog_holds_every_translation():
    entries = po_entries(LOCALE / "ja" / "LC_MESSAGES" / "django.po")
    with (LOCALE / "ja" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    assert {msgid: compiled.gettext(msgid) for msgid in entries} == entries
