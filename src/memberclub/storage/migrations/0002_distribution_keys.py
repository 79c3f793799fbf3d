"""The account key (carried as member_id) in the unique keys, and on PostgreSQL in the
primary key (storage/sql/0002_distribution_keys.pg.sql)."""

from django.db import migrations, models

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_member_email_bouncing_since"),
        ("storage", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reservation",
            name="storage_reservation_prefix",
        ),
        migrations.RemoveConstraint(
            model_name="storedfile",
            name="storage_file_object_key",
        ),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=models.UniqueConstraint(
                fields=("key_prefix", "member"), name="storage_reservation_prefix"
            ),
        ),
        migrations.AddConstraint(
            model_name="storedfile",
            constraint=models.UniqueConstraint(
                fields=("object_key", "member"), name="storage_file_object_key"
            ),
        ),
        sql_files("storage", "0002_distribution_keys"),
    ]
