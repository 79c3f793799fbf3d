"""PostgreSQL: the account key (carried as member_id) in the notice mail's primary key
(notifications/sql/0003_distribution_keys.pg.sql); its unique key already holds it."""

from django.db import migrations

from memberclub.dbsql import sql_files


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_noticemail")]

    operations = [sql_files("notifications", "0003_distribution_keys")]
