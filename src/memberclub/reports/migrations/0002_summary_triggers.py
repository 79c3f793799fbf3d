"""Fill the journal summary from the journal so far, then keep it by triggers from now on."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("ledger", "0004_entry_effective_on")]
    operations = [sql_files("reports", "0002_backfill"), sql_files("reports", "0002_summary")]
