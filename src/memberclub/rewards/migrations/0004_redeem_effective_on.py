"""`rewards_redeem` again, from rewards/sql/0004_redeem.pg.sql: it writes `effective_on`."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("rewards", "0003_redeem_function"), ("ledger", "0004_entry_effective_on")]

    operations = [sql_files("rewards", "0004_redeem", restores="0003_redeem")]
