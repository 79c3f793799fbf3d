"""Program versions stored before `keep_until` existed still load after the migration."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from memberclub.programs.models import ProgramVersion
from memberclub.programs.selectors import program_on

pytestmark = pytest.mark.django_db


def test_a_version_stored_with_keep_days_after_leaving_reads_as_end_of_next_month(programs):
    stored = ProgramVersion.objects.get(program="east")
    definition = stored.definition
    definition["storage"] = {"quota_bytes": 10737418240, "keep_days_after_leaving": 30}
    ProgramVersion.objects.filter(pk=stored.pk).update(definition=definition, checksum="old")

    migration = importlib.import_module("memberclub.programs.migrations.0002_storage_keep_until")
    migration.forwards(apps, None)

    east = program_on(program="east", on=dt.date(2026, 12, 2))
    assert east.storage.keep_until == "end_of_next_month"
    assert east.storage.quota_bytes == 10737418240
