import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def mapping_from_settings(apps, schema_editor):
    """Every OC account starts with the mapping the OC_REGION_EBAY_SITES setting gave."""
    account_model = apps.get_model("oc_integration", "AccountOrangeConnex")
    mapping_model = apps.get_model("oc_integration", "RegionMapping")
    ebay_account_model = apps.get_model("catalog", "EbayAccount")
    by_site = {}
    for pk, site in ebay_account_model.objects.order_by("pk").values_list("pk", "site_code"):
        by_site.setdefault(site, pk)
    mapping_model.objects.bulk_create(
        mapping_model(account_id=account_pk, region=region, ebay_account_id=by_site.get(site))
        for account_pk in account_model.objects.values_list("pk", flat=True)
        for region, site in settings.OC_REGION_EBAY_SITES.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("oc_integration", "0010_stock_history"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "region",
                    models.CharField(
                        help_text="As OC names it: UK, DE, AU, AU-MEL, US-East, …",
                        max_length=50,
                        verbose_name="OC region",
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="region_mappings",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "ebay_account",
                    models.ForeignKey(
                        blank=True,
                        help_text="Whose listings this region's stock fills; empty: stock only.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="oc_regions",
                        to="catalog.ebayaccount",
                        verbose_name="eBay account",
                    ),
                ),
            ],
            options={
                "verbose_name": "region → eBay account",
                "verbose_name_plural": "regions → eBay accounts",
                "ordering": ["account", "region"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("account"),
                        django.db.models.functions.text.Upper("region"),
                        name="oc_region_mapping_one_per_region",
                    )
                ],
            },
        ),
        migrations.RunPython(mapping_from_settings, migrations.RunPython.noop),
    ]
