"""A redemption names its debit and refund entries without a foreign key in the database: on
PostgreSQL the journal becomes partitioned (ledger 0007), and a key into it would have to carry
its whole key (id, account_id, effective_on). `memberclub audit` checks both."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rewards", "0007_redemption_primary_key"), ("ledger", "0006_journal_account_keys_unchecked")]

    operations = [
        migrations.AlterField(
            model_name="redemption",
            name="debit",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="redemption",
                to="ledger.entry",
            ),
        ),
        migrations.AlterField(
            model_name="redemption",
            name="refund",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunded_redemption",
                to="ledger.entry",
            ),
        ),
    ]
