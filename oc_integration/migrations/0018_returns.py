import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oc_integration", "0017_inbound"),
        ("orders", "0003_ebay_vault_lines"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReturnOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "oc_return_number",
                    models.CharField(max_length=40, verbose_name="OC return number"),
                ),
                (
                    "outbound_order_number",
                    models.CharField(blank=True, max_length=32, verbose_name="OC outbound order"),
                ),
                (
                    "reference_number",
                    models.CharField(blank=True, max_length=64, verbose_name="order reference"),
                ),
                (
                    "ebay_order_id",
                    models.CharField(blank=True, max_length=32, verbose_name="eBay order id"),
                ),
                ("region", models.CharField(blank=True, max_length=16)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("created", "Created (label issued)"),
                            ("in_transit", "On its way back"),
                            ("received", "Received at OC"),
                            ("completed", "Processed"),
                            ("cancelled", "Cancelled"),
                            ("unknown", "Unknown OC status"),
                        ],
                        default="unknown",
                        max_length=16,
                    ),
                ),
                (
                    "oc_status",
                    models.CharField(blank=True, max_length=32, verbose_name="OC status"),
                ),
                (
                    "reason_code",
                    models.CharField(blank=True, max_length=32, verbose_name="reason code"),
                ),
                ("reason", models.CharField(blank=True, max_length=255)),
                (
                    "tracking_number",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="return tracking number"
                    ),
                ),
                (
                    "carrier_code",
                    models.CharField(blank=True, max_length=32, verbose_name="carrier code"),
                ),
                (
                    "carrier_name",
                    models.CharField(blank=True, max_length=64, verbose_name="carrier"),
                ),
                (
                    "oc_created_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="created at OC"),
                ),
                (
                    "oc_updated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="changed at OC"),
                ),
                ("cancel_reason", models.CharField(blank=True, max_length=255)),
                (
                    "pending_request",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None"),
                            ("cancel", "Cancellation"),
                            ("tracking", "Tracking update"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("pending_since", models.DateTimeField(blank=True, null=True)),
                ("pending_tracking", models.CharField(blank=True, max_length=64)),
                ("last_error", models.TextField(blank=True)),
                (
                    "last_synced_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last read from OC"),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="return_orders",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="oc_returns",
                        to="orders.order",
                        verbose_name="Hemi order",
                    ),
                ),
                (
                    "outbound_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="return_orders",
                        to="oc_integration.outboundorder",
                        verbose_name="outbound order",
                    ),
                ),
            ],
            options={
                "verbose_name": "Return order",
                "verbose_name_plural": "Return orders",
                "ordering": ["-oc_created_at", "-id"],
                "permissions": [
                    ("sync_returns", "Can import return orders from Orange Connex now"),
                    ("download_return_label", "Can download return labels from Orange Connex"),
                    ("cancel_returnorder", "Can cancel return orders (RMAs) at Orange Connex"),
                    ("update_return_tracking", "Can update the return tracking at Orange Connex"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReturnOrderItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("oc_sku", models.CharField(blank=True, max_length=15, verbose_name="OC SKU")),
                (
                    "seller_sku",
                    models.CharField(blank=True, max_length=64, verbose_name="seller SKU"),
                ),
                ("quantity", models.PositiveIntegerField(default=0)),
                (
                    "received_quantity",
                    models.PositiveIntegerField(default=0, verbose_name="received"),
                ),
                ("condition", models.CharField(blank=True, max_length=32)),
                (
                    "return_order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="oc_integration.returnorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "Return item",
                "verbose_name_plural": "Return items",
                "ordering": ["return_order_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="ReturnSyncState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("synced_until", models.DateTimeField(blank=True, null=True)),
                ("last_run_at", models.DateTimeField(blank=True, null=True)),
                ("last_outcome", models.TextField(blank=True)),
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="return_sync",
                        to="oc_integration.accountorangeconnex",
                    ),
                ),
            ],
            options={
                "verbose_name": "Return import state",
                "verbose_name_plural": "Return import states",
            },
        ),
        migrations.CreateModel(
            name="ReturnedStock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("oc_sku", models.CharField(max_length=15, verbose_name="OC SKU")),
                ("region", models.CharField(max_length=50)),
                ("returned", models.PositiveIntegerField(default=0, verbose_name="returned units")),
                ("counts", models.JSONField(blank=True, default=dict)),
                ("fetched_at", models.DateTimeField(verbose_name="snapshot taken")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="returned_stock",
                        to="oc_integration.accountorangeconnex",
                    ),
                ),
            ],
            options={
                "verbose_name": "Returned stock",
                "verbose_name_plural": "Returned stock",
                "ordering": ["oc_sku", "region"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "oc_sku", "region"), name="returned_stock_one_per_region"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="returnorder",
            index=models.Index(fields=["account", "status"], name="return_account_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="returnorder",
            constraint=models.UniqueConstraint(
                fields=("account", "oc_return_number"), name="return_number_unique_per_account"
            ),
        ),
    ]
