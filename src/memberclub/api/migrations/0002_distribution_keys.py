"""The account key (carried as member_id) in the unique keys, and on PostgreSQL in the
primary key (api/sql/0002_distribution_keys.pg.sql)."""

from django.db import migrations, models

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("members", "0002_member_email_bouncing_since"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personaltoken",
            name="digest",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="personaltoken",
            constraint=models.UniqueConstraint(
                fields=("digest", "member"), name="personal_token_digest"
            ),
        ),
        sql_files("api", "0002_distribution_keys"),
    ]
