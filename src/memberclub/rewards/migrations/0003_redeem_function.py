"""On PostgreSQL, a redemption's transaction as one server function: one round trip, not ten.

`rewards.services.redemption_request` checks what needs no lock (the key's form, the item, the
member's level, the shipping details) and calls it; SQLite runs the same steps from Python.
The function's text is rewards/sql/0003_redeem.pg.sql (0004 replaces it).
"""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("rewards", "0002_fewer_indexes_receipt_outbox")]

    operations = [sql_files("rewards", "0003_redeem")]
