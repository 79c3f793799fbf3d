"""Auth-key letters for the print vendor: one PDF per batch plus manifest.csv."""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from memberclub.access.authkeys import Letter, letters_issue
from memberclub.domain.errors import Refused

MANIFEST_COLUMNS = (
    "customer_id",
    "holder_name",
    "postal_code",
    "address",
    "auth_key",
    "issued_on",
    "valid_until",
)
FONT = "IPAexGothic"


@dataclass(frozen=True)
class LetterBatch:
    """What one export wrote."""

    count: int
    pdf: Path | None
    manifest: Path | None


def letters_export(*, directory: Path, today: dt.date) -> LetterBatch:
    """Write every queued letter to DIR/letters.pdf and DIR/manifest.csv and mark them sent.

    With nothing queued nothing is written, so running it again changes nothing.
    """
    font = Path(settings.LETTER_FONT)
    if not font.is_file():
        raise Refused(f"the letter font {font} is missing (install fonts-ipaexfont)")
    with transaction.atomic():
        letters = letters_issue(today=today)
        if not letters:
            return LetterBatch(count=0, pdf=None, manifest=None)
        directory.mkdir(parents=True, exist_ok=True)
        pdf, manifest = directory / "letters.pdf", directory / "manifest.csv"
        # Written beside and renamed into place, so a reader never sees half a batch.
        _write_pdf(letters, pdf.with_suffix(".pdf.part"), font)
        _write_manifest(letters, manifest.with_suffix(".csv.part"))
        pdf.with_suffix(".pdf.part").replace(pdf)
        manifest.with_suffix(".csv.part").replace(manifest)
    return LetterBatch(count=len(letters), pdf=pdf, manifest=manifest)


def _write_manifest(letters: list[Letter], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_COLUMNS)
        for letter in letters:
            writer.writerow(
                [
                    letter.customer_id,
                    letter.holder_name,
                    letter.postal_code,
                    letter.address,
                    letter.auth_key,
                    letter.issued_on.isoformat(),
                    letter.valid_until.isoformat(),
                ]
            )


def _grouped(key: str) -> str:
    return "-".join(key[i : i + 4] for i in range(0, len(key), 4))


def _write_pdf(letters: list[Letter], path: Path, font: Path) -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(font)))
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("認証キーのお知らせ")
    width, height = A4
    for letter in letters:
        _page(canvas, letter, width, height)
        canvas.showPage()
    canvas.save()


def _postal(code: str) -> str:
    """Print a seven-digit postal code as 123-4567."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else code


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _page(canvas: Canvas, letter: Letter, width: float, height: float) -> None:
    """One letter on one A4 page: the address block fits a window envelope."""
    left = 25 * mm
    canvas.setFont(FONT, 11)
    canvas.drawString(left, height - 30 * mm, f"〒{_postal(letter.postal_code)}")
    canvas.drawString(left, height - 37 * mm, letter.address)
    canvas.setFont(FONT, 14)
    canvas.drawString(left, height - 46 * mm, f"{letter.holder_name} 様")
    canvas.setFont(FONT, 9)
    canvas.drawString(left, height - 53 * mm, f"お客さまID: {letter.customer_id}")
    canvas.drawRightString(width - left, height - 30 * mm, f"発行日 {_date(letter.issued_on)}")
    canvas.drawRightString(width - left, height - 36 * mm, "メンバーズクラブ事務局")

    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, height - 85 * mm, "認証キーのお知らせ")
    canvas.setFont(FONT, 11)
    lines = [
        "いつもメンバーズクラブをご利用いただき、ありがとうございます。",
        "お申し込みいただいた認証キーをお知らせします。会員ページの「認証キー」画面で",
        "入力すると、お使いのブラウザが信頼済み端末として登録され、ご契約回線の外からでも",
        "ポイント履歴・ご契約内容の確認やポイント交換がご利用いただけます。",
    ]
    y = height - 100 * mm
    for line in lines:
        canvas.drawString(left, y, line)
        y -= 7 * mm

    box_top = y - 6 * mm
    canvas.setLineWidth(1.2)
    canvas.roundRect(left, box_top - 34 * mm, width - 2 * left, 34 * mm, 4 * mm)
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(width / 2, box_top - 9 * mm, "認証キー（12文字）")
    canvas.setFont(FONT, 26)
    canvas.drawCentredString(width / 2, box_top - 22 * mm, _grouped(letter.auth_key))
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(
        width / 2, box_top - 30 * mm, f"有効期限: {_date(letter.valid_until)}まで"
    )

    y = box_top - 46 * mm
    notes = [
        "・ハイフンは入力しなくてもかまいません。英字の大文字・小文字は区別しません。",
        "・5回続けて誤った認証キーを入力すると、この認証キーは無効になります。",
        "・新しい認証キーをお申し込みになると、この認証キーは使えなくなります。",
        "・認証キーは画面やメールではお知らせしません。この通知は大切に保管してください。",
        "・お心当たりのない場合は、お手数ですがサポート窓口までご連絡ください。",
    ]
    canvas.setFont(FONT, 10)
    for note in notes:
        canvas.drawString(left, y, note)
        y -= 6.5 * mm
