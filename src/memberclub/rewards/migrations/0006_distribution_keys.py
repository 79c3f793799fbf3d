"""The account key in the redemption's unique key of a member's request; no database foreign
key from the (replicated) code pool to the (distributed) redemptions."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_entry_date_brin"),
        ("members", "0002_member_email_bouncing_since"),
        ("rewards", "0005_item_image"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="redemption",
            name="redemption_member_key",
        ),
        migrations.AlterField(
            model_name="digitalcode",
            name="redemption",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="digital_code",
                to="rewards.redemption",
            ),
        ),
        migrations.AddConstraint(
            model_name="redemption",
            constraint=models.UniqueConstraint(
                fields=("member", "idempotency_key", "account"), name="redemption_member_key"
            ),
        ),
    ]
