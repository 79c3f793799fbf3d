"""Stored versions of program definitions."""

from django.db import models


class ProgramVersion(models.Model):
    """One loaded version of a program file, in force from its effective date."""

    program = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    effective_on = models.DateField()
    definition = models.JSONField()
    source = models.TextField(help_text="The program file exactly as it was loaded.")
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="program_version_unique"),
        ]
        indexes = [models.Index(fields=["program", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.program} v{self.version} from {self.effective_on}"
