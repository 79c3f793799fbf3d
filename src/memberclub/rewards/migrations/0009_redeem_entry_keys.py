"""`rewards_redeem` again, from rewards/sql/0005_redeem.pg.sql: it claims the debit's key in
`ledger_entrykey` and writes the draws' date (ledger 0007)."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0008_journal_keys_unchecked"),
        ("ledger", "0007_entry_keys_partitioned_journal"),
    ]

    operations = [sql_files("rewards", "0005_redeem", restores="0004_redeem")]
