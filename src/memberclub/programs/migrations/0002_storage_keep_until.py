# Stored program versions carry the storage retention as `keep_until` (end of the next month)
# instead of `keep_days_after_leaving`, so versions loaded before the change still validate.

from django.db import migrations


def forwards(apps, schema_editor):
    ProgramVersion = apps.get_model("programs", "ProgramVersion")
    for version in ProgramVersion.objects.all().iterator():
        storage = version.definition.get("storage", {})
        if "keep_days_after_leaving" not in storage:
            continue
        storage.pop("keep_days_after_leaving")
        storage["keep_until"] = "end_of_next_month"
        version.save(update_fields=["definition"])


def backwards(apps, schema_editor):
    ProgramVersion = apps.get_model("programs", "ProgramVersion")
    for version in ProgramVersion.objects.all().iterator():
        storage = version.definition.get("storage", {})
        if storage.pop("keep_until", None) is None:
            continue
        storage["keep_days_after_leaving"] = 30
        version.save(update_fields=["definition"])


class Migration(migrations.Migration):

    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
