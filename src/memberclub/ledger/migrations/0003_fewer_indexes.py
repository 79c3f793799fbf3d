"""No index of its own for a foreign key that leads another index; none on (program, rule, period)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0002_append_only_journal'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='entry',
            name='ledger_entr_program_c9cb98_idx',
        ),
        migrations.AlterField(
            model_name='draw',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.account'),
        ),
        migrations.AlterField(
            model_name='draw',
            name='entry',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='draws', to='ledger.entry'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.account'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='reverses',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversals', to='ledger.entry'),
        ),
        migrations.AlterField(
            model_name='lot',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lots', to='ledger.account'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(condition=models.Q(('reverses__isnull', False)), fields=['reverses'], name='entry_reverses'),
        ),
    ]
