import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0009_stock_movements_age"),
    ]

    operations = [
        migrations.CreateModel(
            name="StockHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "recorded",
                    models.DateTimeField(
                        help_text="OC's snapshot time of the figures.", verbose_name="snapshot time"
                    ),
                ),
                ("available_stock", models.IntegerField(verbose_name="Available Stock")),
                ("intransit_stock", models.IntegerField(verbose_name="Intransit Stock")),
                (
                    "other_stock",
                    models.JSONField(blank=True, default=dict, verbose_name="other counts"),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="stock_history",
                        to="oc_integration.syncrun",
                    ),
                ),
                (
                    "stock",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to="oc_integration.productaccountorangeconnex",
                        verbose_name="stock row",
                    ),
                ),
            ],
            options={
                "verbose_name": "stock history line",
                "verbose_name_plural": "stock history",
                "ordering": ["stock", "recorded", "id"],
                "indexes": [
                    models.Index(fields=["stock", "recorded"], name="oc_stock_history_row_idx"),
                    models.Index(fields=["recorded"], name="oc_stock_history_age_idx"),
                ],
            },
        ),
    ]
