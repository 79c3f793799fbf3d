"""Reading the operator's definition files (programs, catalogs) before they are parsed."""

from pathlib import Path

from memberclub.domain.errors import Refused


def file_text(path: Path) -> str:
    """The whole file as UTF-8 text, or a refusal naming the file and why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"{path}: cannot read: {error}") from None
