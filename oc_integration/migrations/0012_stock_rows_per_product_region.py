import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def products_from_listings(apps, schema_editor):
    """Existing rows take the product of the listing they were keyed by."""
    stock = apps.get_model("oc_integration", "ProductAccountOrangeConnex")
    item_account = apps.get_model("catalog", "ItemAccount")
    stock.objects.update(
        product_id=Subquery(
            item_account.objects.filter(pk=OuterRef("item_account_id")).values("product_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_ebay_account_per_seller"),
        ("oc_integration", "0011_region_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="productaccountorangeconnex",
            name="product",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oc_stock",
                to="catalog.product",
            ),
        ),
        migrations.RunPython(products_from_listings, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="item_account",
            field=models.ForeignKey(
                blank=True,
                help_text="The product's listing on the eBay account this region serves, if any.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="oc_products",
                to="catalog.itemaccount",
            ),
        ),
        migrations.AlterField(
            model_name="productaccountorangeconnex",
            name="region",
            field=models.CharField(
                help_text="OC service region, e.g. UK, DE, AU-MEL, US-East.",
                max_length=50,
                verbose_name="region",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="productaccountorangeconnex",
            name="oc_product_one_per_account_listing",
        ),
        migrations.AddConstraint(
            model_name="productaccountorangeconnex",
            constraint=models.UniqueConstraint(
                fields=("account", "product", "region"), name="oc_product_one_per_region"
            ),
        ),
    ]
