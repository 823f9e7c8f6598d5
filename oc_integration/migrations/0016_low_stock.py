import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_ebay_account_per_seller"),
        ("oc_integration", "0015_stock_rows_fillfactor"),
    ]

    operations = [
        migrations.CreateModel(
            name="LowStockReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "low_since",
                    models.DateTimeField(
                        help_text="The digest that first found it low.", verbose_name="found low"
                    ),
                ),
                (
                    "reported_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reported"),
                ),
                (
                    "stock_row",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="low_stock_report",
                        to="oc_integration.productaccountorangeconnex",
                        verbose_name="stock row",
                    ),
                ),
            ],
            options={
                "verbose_name": "low-stock report",
                "verbose_name_plural": "low-stock reports",
                "ordering": ["-low_since", "-id"],
            },
        ),
        migrations.CreateModel(
            name="LowStockThreshold",
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
                        help_text="As OC names it: UK, DE, AU-MEL, US-East, …",
                        max_length=50,
                        verbose_name="OC region",
                    ),
                ),
                (
                    "minimum_available",
                    models.IntegerField(
                        blank=True,
                        help_text="Low below this many units available. Empty: OC_LOW_STOCK_MINIMUM; 0: off.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="minimum available",
                    ),
                ),
                (
                    "minimum_days_of_cover",
                    models.IntegerField(
                        blank=True,
                        help_text="Low when the stock lasts fewer days at the last 30 days' sales. Empty: OC_LOW_STOCK_MIN_DAYS_OF_COVER; 0: off.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="minimum days of cover",
                    ),
                ),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="low_stock_thresholds",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="oc_low_stock_thresholds",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "low-stock threshold",
                "verbose_name_plural": "low-stock thresholds",
                "ordering": ["account", "product", "region"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("account"),
                        models.F("product"),
                        django.db.models.functions.text.Upper("region"),
                        name="oc_low_stock_one_per_region",
                    )
                ],
            },
        ),
    ]
