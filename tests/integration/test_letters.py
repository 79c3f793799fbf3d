"""`memberclub letters export DIR`: one printable PDF and manifest.csv per batch, once."""

import csv
import io
import json
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command

from memberclub.access.authkeys import auth_key_request
from memberclub.access.models import AuthKey

pytestmark = pytest.mark.django_db

COLUMNS = [
    "customer_id",
    "holder_name",
    "postal_code",
    "address",
    "auth_key",
    "issued_on",
    "valid_until",
]


def export(directory: Path) -> dict[str, object]:
    out = io.StringIO()
    call_command("letters", "export", str(directory), "--on", "2026-11-26", "--json", stdout=out)
    result: dict[str, object] = json.loads(out.getvalue().splitlines()[-1])
    return result


def test_the_queued_letters_become_one_pdf_and_a_manifest_and_are_marked_sent(
    make_member, tmp_path
):
    first = make_member(customer_id="CAF4000001", holder_name="山田 太郎", postal_code="100-0001")
    second = make_member(customer_id="CAF4000002", holder_name="佐藤 花子", postal_code="530-0001")
    auth_key_request(member=first)
    auth_key_request(member=second)

    result = export(tmp_path)

    assert result["letters"] == 2
    with (tmp_path / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    assert {row["customer_id"]: row["holder_name"] for row in rows} == {
        "CAF4000001": "山田 太郎",
        "CAF4000002": "佐藤 花子",
    }
    assert all(len(row["auth_key"]) == 12 for row in rows)
    assert {(row["issued_on"], row["valid_until"]) for row in rows} == {
        ("2026-11-26", "2026-12-26")
    }
    pdf = (tmp_path / "letters.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"IPAexGothic" in pdf  # the Japanese font is embedded
    assert len(pypdf.PdfReader(tmp_path / "letters.pdf").pages) == 2
    assert set(AuthKey.objects.values_list("status", flat=True)) == {"SENT"}


def test_running_it_again_writes_nothing_new(make_member, tmp_path):
    auth_key_request(member=make_member())
    export(tmp_path / "first")

    again = export(tmp_path / "second")

    assert again == {"letters": 0, "pdf": None, "manifest": None}
    assert not (tmp_path / "second").exists()


def test_the_pdf_text_is_japanese(make_member, tmp_path):
    auth_key_request(member=make_member(holder_name="山田 太郎"))
    export(tmp_path)

    text = pypdf.PdfReader(tmp_path / "letters.pdf").pages[0].extract_text()

    assert "認証キーのお知らせ" in text
    assert "山田 太郎 様" in text
