import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_ebay_account_per_seller"),
        ("oc_integration", "0018_returns"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountorangeconnex",
            name="choose_cheapest_service",
            field=models.BooleanField(
                default=False,
                help_text="When an order is pushed, ask OC for the cost of each shipping "
                "service of its region and send the cheapest (eBay orders by OC's eBay fee).",
                verbose_name="choose the cheapest shipping service",
            ),
        ),
        migrations.CreateModel(
            name="CostTrial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference_id",
                    models.CharField(max_length=64, unique=True, verbose_name="OC reference"),
                ),
                ("parcel_key", models.CharField(db_index=True, editable=False, max_length=64)),
                (
                    "order_reference",
                    models.CharField(
                        blank=True,
                        help_text="The Hemi or outbound order estimated.",
                        max_length=64,
                        verbose_name="order",
                    ),
                ),
                ("region", models.CharField(max_length=16)),
                ("country_code", models.CharField(max_length=2, verbose_name="destination")),
                ("ebay_order", models.BooleanField(default=False, verbose_name="eBay order")),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("synced", "Synchronous freight trial"),
                            ("async", "Cost Estimation Request and Response"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for OC's answer"),
                            ("ready", "Estimated"),
                            ("failed", "Failed"),
                        ],
                        max_length=8,
                    ),
                ),
                ("error", models.TextField(blank=True)),
                ("requested_at", models.DateTimeField()),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cost_trials",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        help_text="Set for the standard single-unit estimate of a product.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="oc_cost_trials",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "OC cost estimate",
                "verbose_name_plural": "OC cost estimates",
                "ordering": ["-requested_at", "-id"],
                "permissions": [
                    ("estimate_costs", "Can ask OC for fulfilment cost estimates of products")
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceCostEstimate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("service_code", models.CharField(max_length=64, verbose_name="shipping service")),
                ("service_name", models.CharField(blank=True, max_length=255)),
                (
                    "ebay_fee",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="eBay order",
                    ),
                ),
                (
                    "other_fee",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="other order",
                    ),
                ),
                ("currency", models.CharField(blank=True, max_length=3)),
                ("ok", models.BooleanField(default=True)),
                ("error", models.TextField(blank=True)),
                (
                    "trial",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="estimates",
                        to="oc_integration.costtrial",
                    ),
                ),
            ],
            options={
                "verbose_name": "service cost estimate",
                "verbose_name_plural": "service cost estimates",
                "ordering": ["trial_id", "other_fee", "service_code"],
            },
        ),
        migrations.AddIndex(
            model_name="costtrial",
            index=models.Index(
                fields=["account", "parcel_key", "-requested_at"], name="cost_trial_key_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="costtrial",
            index=models.Index(
                fields=["product", "region", "-requested_at"], name="cost_trial_product_idx"
            ),
        ),
    ]
