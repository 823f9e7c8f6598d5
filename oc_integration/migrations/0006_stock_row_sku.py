from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_product_skus(apps, schema_editor):
    """Existing rows take their product's SKU (later syncs keep it up to date)."""
    stock = apps.get_model("oc_integration", "ProductAccountOrangeConnex")
    item_account = apps.get_model("catalog", "ItemAccount")
    stock.objects.update(
        sku=Subquery(
            item_account.objects.filter(pk=OuterRef("item_account_id")).values("product__sku")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("oc_integration", "0005_stock_snapshot_time_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="productaccountorangeconnex",
            name="sku",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="SKU"),
        ),
        migrations.RunPython(copy_product_skus, migrations.RunPython.noop),
    ]
