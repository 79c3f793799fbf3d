"""The shipment carries its redemption's account (the distribution key); its redemption is
unique with it, and the one-column foreign key goes so the redemption's primary key can become
(id, account_id) on PostgreSQL (rewards 0007; the composite key comes back in 0003)."""

import django.db.models.deletion
from django.db import migrations, models

ACCOUNT_OF_REDEMPTION = """
    UPDATE fulfilment_shipment SET account_id = (
        SELECT r.account_id FROM rewards_redemption r WHERE r.id = fulfilment_shipment.redemption_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0001_initial"),
        ("ledger", "0005_entry_date_brin"),
        ("rewards", "0006_distribution_keys"),
    ]
    run_before = [("rewards", "0007_redemption_primary_key")]

    operations = [
        migrations.AddField(
            model_name="shipment",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.RunSQL(ACCOUNT_OF_REDEMPTION, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="shipment",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="redemption",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="shipments",
                to="rewards.redemption",
            ),
        ),
        migrations.AddConstraint(
            model_name="shipment",
            constraint=models.UniqueConstraint(
                fields=("redemption", "account"), name="shipment_redemption"
            ),
        ),
    ]
