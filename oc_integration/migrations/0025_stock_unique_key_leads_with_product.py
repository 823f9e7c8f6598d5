"""The stock rows' unique key starts with the product, so it also serves every look-up by
product, and the product's own index (one more write per row of a sync) goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_ebay_account_per_seller"),
        ("oc_integration", "0024_stock_indexes_the_sync_needs"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="productaccountorangeconnex",
            name="oc_product_one_per_region",
        ),
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="product",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oc_stock",
                to="catalog.product",
            ),
        ),
        migrations.AddConstraint(
            model_name="productaccountorangeconnex",
            constraint=models.UniqueConstraint(
                fields=("product", "account", "region"), name="oc_product_one_per_region"
            ),
        ),
    ]
