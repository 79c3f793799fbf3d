"""Loading program files as new versions."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from memberclub.domain.program import parse_program
from memberclub.programs.files import file_text
from memberclub.programs.models import ProgramVersion


@dataclass(frozen=True)
class LoadedVersion:
    """The outcome of loading one program file."""

    program: str
    version: int
    effective_on: str
    created: bool


def program_load(*, text: str, source: str) -> LoadedVersion:
    """Validate a program file and store it as a new version (an identical file changes nothing)."""
    definition = parse_program(text, source=source)
    checksum = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        latest = (
            ProgramVersion.objects.select_for_update()
            .filter(program=definition.code)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.checksum == checksum:
            return LoadedVersion(definition.code, latest.version, str(latest.effective_on), False)
        stored = ProgramVersion.objects.create(
            program=definition.code,
            version=(latest.version + 1) if latest else 1,
            effective_on=definition.effective_on,
            definition=definition.model_dump(mode="json"),
            source=text,
            checksum=checksum,
        )
    return LoadedVersion(definition.code, stored.version, str(stored.effective_on), True)


def programs_load_files(*, paths: list[Path]) -> list[LoadedVersion]:
    """Validate every file first, then store them all, so a bad file stores nothing."""
    texts = []
    for path in paths:
        text = file_text(path)
        parse_program(text, source=str(path))
        texts.append((text, str(path)))
    with transaction.atomic():
        return [program_load(text=text, source=source) for text, source in texts]
