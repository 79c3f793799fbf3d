"""A lot's `remaining` is rewritten in place: the partial index on it dropped, and on
PostgreSQL half of each lot page kept free (ledger/sql/0008_lot_room_to_update.pg.sql).

The console asked that index whether a program has lots past expiry with points left; it
reads the journal summary's lot flow instead (`reports.selectors.balances_as_of`).
"""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_entry_keys_partitioned_journal")]

    operations = [
        migrations.RemoveIndex(model_name="lot", name="lot_unexpired_with_points"),
        sql_files("ledger", "0008_lot_room_to_update"),
    ]
