"""Fill the journal summary from the journal so far, then keep it by triggers from now on."""

from django.db import migrations

from memberclub.reports.sqlfiles import sql_file_run


def forward(apps, schema_editor):
    sql_file_run(schema_editor, "backfill", per_vendor=False)
    sql_file_run(schema_editor, "summary")


def backward(apps, schema_editor):
    sql_file_run(schema_editor, "summary_reverse")
    schema_editor.execute("DELETE FROM reports_lotflow")
    schema_editor.execute("DELETE FROM reports_entrysummary")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("ledger", "0003_fewer_indexes")]
    operations = [migrations.RunPython(forward, backward)]
