import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration: on PostgreSQL the backfill's foreign-key checks must be done
    # before the column can be altered.
    dependencies = [
        ("oc_integration", "0013_stock_snapshot_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oc_stock",
                to="catalog.product",
            ),
        ),
    ]
