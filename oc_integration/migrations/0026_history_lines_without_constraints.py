"""Stock history lines keep their links to the stock row and the run, without database
constraints: the sync writes each line with its row, so the deferred check per line at
commit (a tenth of a first sync) guarded nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0025_stock_unique_key_leads_with_product"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockhistory",
            name="run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stock_history",
                to="oc_integration.syncrun",
            ),
        ),
        migrations.AlterField(
            model_name="stockhistory",
            name="stock",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="history",
                to="oc_integration.productaccountorangeconnex",
                verbose_name="stock row",
            ),
        ),
    ]
