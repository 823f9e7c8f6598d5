import django.db.models.deletion
from django.db import migrations, models

import oc_integration.models.inbound


class Migration(migrations.Migration):
    dependencies = [("oc_integration", "0016_low_stock")]

    operations = [
        migrations.CreateModel(
            name="InboundCarton",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "seller_carton_number",
                    models.CharField(max_length=50, verbose_name="seller carton number"),
                ),
                (
                    "origin_country",
                    models.CharField(
                        blank=True,
                        help_text="Empty: the order's shipping from.",
                        max_length=2,
                        verbose_name="origin country",
                    ),
                ),
            ],
            options={
                "verbose_name": "carton",
                "verbose_name_plural": "cartons",
                "ordering": ["order", "seller_carton_number"],
            },
        ),
        migrations.CreateModel(
            name="InboundOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "seller_inbound_number",
                    models.CharField(
                        default=oc_integration.models.inbound.new_seller_inbound_number,
                        help_text="Hemi's number for it, unique per OC account (OC's sellerInboundNumber).",
                        max_length=50,
                        verbose_name="seller inbound number",
                    ),
                ),
                (
                    "region",
                    models.CharField(
                        help_text="OC service region, e.g. UK or DE.",
                        max_length=50,
                        verbose_name="fulfilment centre",
                    ),
                ),
                (
                    "shipping_from",
                    models.CharField(
                        help_text="Country of origin, 2 letters (e.g. CN).",
                        max_length=2,
                        verbose_name="shipping from",
                    ),
                ),
                (
                    "shipping_method",
                    models.CharField(choices=[("TK", "Truck"), ("EX", "Express")], max_length=2),
                ),
                (
                    "transport_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("OF", "Ocean freight"),
                            ("AF", "Air freight"),
                            ("RF", "Rail"),
                            ("TK", "Truck"),
                        ],
                        max_length=2,
                    ),
                ),
                (
                    "eta",
                    models.DateField(
                        help_text="Estimated arrival at the warehouse.", verbose_name="ETA"
                    ),
                ),
                ("vat", models.CharField(blank=True, max_length=50, verbose_name="VAT number")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft (not sent to OC)"),
                            ("sending", "Sending (answer not received yet)"),
                            ("unknown", "Outcome unknown (checked at OC before sending again)"),
                            ("refused", "Refused by OC"),
                            ("created", "Placed at OC"),
                            ("in_transit", "In transit"),
                            ("arrived", "Arrived at the warehouse"),
                            ("receiving", "Being received"),
                            ("received", "Received"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_index=True,
                        default="draft",
                        max_length=16,
                    ),
                ),
                (
                    "oc_status",
                    models.CharField(blank=True, max_length=40, verbose_name="OC status"),
                ),
                (
                    "oc_inbound_number",
                    models.CharField(blank=True, max_length=100, verbose_name="OC inbound number"),
                ),
                ("booking_number", models.CharField(blank=True, max_length=64)),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="last sent")),
                (
                    "placed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="placed at OC"),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "last_checked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last checked at OC"),
                ),
                ("checked_until", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "tracking",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Uploaded: [{"carton", "carrier", "number"}].',
                    ),
                ),
                ("tracking_uploaded_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inbound_orders",
                        to="oc_integration.accountorangeconnex",
                        verbose_name="OC account",
                    ),
                ),
            ],
            options={
                "verbose_name": "Inbound order",
                "verbose_name_plural": "Inbound orders",
                "ordering": ["-created", "-id"],
                "permissions": [
                    ("place_inboundorder", "Can place inbound orders at Orange Connex"),
                    ("sync_inboundorder", "Can sync inbound orders from OC now"),
                    ("download_inbound_labels", "Can download inbound labels from OC"),
                    (
                        "upload_inbound_documents",
                        "Can upload inbound tracking numbers and customs papers",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="InboundLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "quantity",
                    models.IntegerField(help_text="Units of the SKU in this carton (more than 0)."),
                ),
                (
                    "carton",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="oc_integration.inboundcarton",
                    ),
                ),
                (
                    "sku",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inbound_lines",
                        to="oc_integration.ocsku",
                        verbose_name="OC SKU",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="oc_integration.inboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "line",
                "verbose_name_plural": "lines",
                "ordering": ["carton", "id"],
            },
        ),
        migrations.CreateModel(
            name="InboundDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file_type",
                    models.CharField(
                        choices=[
                            ("PL", "Packing list"),
                            ("IN", "Commercial invoice"),
                            ("BL", "Bill of lading"),
                            ("MAWB", "Master air waybill"),
                        ],
                        max_length=8,
                    ),
                ),
                ("file_name", models.CharField(max_length=255)),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "verify_status",
                    models.CharField(blank=True, max_length=32, verbose_name="OC's check"),
                ),
                ("fail_reason", models.CharField(blank=True, max_length=255)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="oc_integration.inboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "customs document",
                "verbose_name_plural": "customs documents",
                "ordering": ["order", "uploaded_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="inboundcarton",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cartons",
                to="oc_integration.inboundorder",
            ),
        ),
        migrations.CreateModel(
            name="InboundReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("oc_sku", models.CharField(max_length=15, verbose_name="OC SKU")),
                ("sent", models.IntegerField(blank=True, null=True, verbose_name="sent (per OC)")),
                ("received", models.IntegerField(blank=True, null=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="oc_integration.inboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "received quantity",
                "verbose_name_plural": "received quantities",
                "ordering": ["order", "oc_sku"],
            },
        ),
        migrations.CreateModel(
            name="InboundStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft (not sent to OC)"),
                            ("sending", "Sending (answer not received yet)"),
                            ("unknown", "Outcome unknown (checked at OC before sending again)"),
                            ("refused", "Refused by OC"),
                            ("created", "Placed at OC"),
                            ("in_transit", "In transit"),
                            ("arrived", "Arrived at the warehouse"),
                            ("receiving", "Being received"),
                            ("received", "Received"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "oc_status",
                    models.CharField(blank=True, max_length=40, verbose_name="OC status"),
                ),
                (
                    "changed_at",
                    models.DateTimeField(
                        help_text="When OC says it changed (or when Hemi saw it)."
                    ),
                ),
                ("recorded", models.DateTimeField(auto_now_add=True)),
                ("note", models.CharField(blank=True, max_length=255)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="oc_integration.inboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "status change",
                "verbose_name_plural": "status history",
                "ordering": ["order", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="inboundorder",
            index=models.Index(fields=["account", "status"], name="inbound_account_status_idx"),
        ),
        migrations.AddIndex(
            model_name="inboundorder",
            index=models.Index(fields=["oc_inbound_number"], name="inbound_oc_number_idx"),
        ),
        migrations.AddConstraint(
            model_name="inboundorder",
            constraint=models.UniqueConstraint(
                fields=("account", "seller_inbound_number"),
                name="inbound_seller_number_once_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="inboundline",
            constraint=models.UniqueConstraint(
                fields=("carton", "sku"), name="inbound_line_sku_once_per_carton"
            ),
        ),
        migrations.AddConstraint(
            model_name="inboundcarton",
            constraint=models.UniqueConstraint(
                fields=("order", "seller_carton_number"), name="inbound_carton_once_per_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="inboundreceipt",
            constraint=models.UniqueConstraint(
                fields=("order", "oc_sku"), name="inbound_receipt_once_per_sku"
            ),
        ),
    ]
