"""The account key (carried as member_id) in the unique keys, and on PostgreSQL in the
primary key (access/sql/0002_distribution_keys.pg.sql)."""

from django.db import migrations, models

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("members", "0002_member_email_bouncing_since"),
    ]

    operations = [
        migrations.AlterField(
            model_name="trusteddevice",
            name="token_digest",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="trusteddevice",
            constraint=models.UniqueConstraint(
                fields=("token_digest", "member"), name="trusted_device_token"
            ),
        ),
        sql_files("access", "0002_distribution_keys"),
    ]
