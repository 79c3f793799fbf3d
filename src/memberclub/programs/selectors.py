"""Reading the program version in force on a date."""

import datetime as dt
from functools import lru_cache

from memberclub.domain.errors import Refused
from memberclub.domain.program import ProgramDefinition
from memberclub.programs.models import ProgramVersion


def program_version_on(*, program: str, on: dt.date) -> ProgramVersion:
    """Return the stored version of `program` in force on `on` (latest load wins a tie)."""
    version = (
        ProgramVersion.objects.filter(program=program, effective_on__lte=on)
        .order_by("-effective_on", "-version")
        .first()
    )
    if version is None:
        raise Refused(f"program {program!r} has no version in force on {on}")
    return version


def program_on(*, program: str, on: dt.date) -> ProgramDefinition:
    """Return the definition of `program` in force on `on`."""
    version = program_version_on(program=program, on=on)
    return _definition(version.pk, version.checksum)


@lru_cache(maxsize=64)
def _definition(version_id: int, checksum: str) -> ProgramDefinition:
    """Parse a stored definition once per version (keyed by id and checksum)."""
    del checksum
    stored = ProgramVersion.objects.get(pk=version_id)
    return ProgramDefinition.model_validate(stored.definition)


def program_codes() -> set[str]:
    """Return the codes of every loaded program."""
    return set(ProgramVersion.objects.values_list("program", flat=True).distinct())
