"""PostgreSQL: the redemption's primary key is (id, account_id), the distribution key with it
(rewards/sql/0007_redemption_primary_key.pg.sql); SQLite keeps its rowid key."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("rewards", "0006_distribution_keys")]

    operations = [sql_files("rewards", "0007_redemption_primary_key")]
