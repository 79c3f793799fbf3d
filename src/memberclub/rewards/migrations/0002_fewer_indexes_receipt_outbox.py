"""Fewer indexes on redemptions, and the receipt queued by the worker (the redemption is its outbox)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_fewer_indexes'),
        ('members', '0001_initial'),
        ('rewards', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='redemption',
            name='rewards_red_kind_f0e526_idx',
        ),
        migrations.AddField(
            model_name='redemption',
            name='receipt_queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='redemption',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='redemptions', to='ledger.account'),
        ),
        migrations.AlterField(
            model_name='redemption',
            name='member',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='redemptions', to='members.member'),
        ),
        migrations.AlterField(
            model_name='redemption',
            name='number',
            field=models.CharField(max_length=16),
        ),
        migrations.AddIndex(
            model_name='redemption',
            index=models.Index(condition=models.Q(('bill_month__isnull', False)), fields=['bill_month'], name='redemption_bill_month'),
        ),
        migrations.AddIndex(
            model_name='redemption',
            index=models.Index(condition=models.Q(('receipt_queued_at__isnull', True)), fields=['id'], name='redemption_receipt_due'),
        ),
        migrations.AddConstraint(
            model_name='redemption',
            constraint=models.UniqueConstraint(fields=('number',), name='redemption_number'),
        ),
        # Redemptions made before this had their receipt queued with them.
        migrations.RunSQL(
            "UPDATE rewards_redemption SET receipt_queued_at = requested_at",
            migrations.RunSQL.noop,
        ),
    ]
