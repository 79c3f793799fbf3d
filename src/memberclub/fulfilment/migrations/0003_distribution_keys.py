"""PostgreSQL: the shipment's primary key holds the account key, and its foreign key to the
redemption is (redemption_id, account_id) (fulfilment/sql/0003_distribution_keys.pg.sql)."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0002_distribution_keys"),
        ("rewards", "0007_redemption_primary_key"),
    ]

    operations = [sql_files("fulfilment", "0003_distribution_keys")]
