import django.db.models.deletion
from django.db import migrations, models

SHIPPED = ("outbound", "delivered")


def parcels_from_first_fee(apps, schema_editor):
    """Orders read before parcels were stored keep their one fee, as their first parcel."""
    outbound_order = apps.get_model("oc_integration", "OutboundOrder")
    parcel = apps.get_model("oc_integration", "OutboundParcel")
    batch = []
    for order in outbound_order.objects.exclude(fee_amount=None).iterator(chunk_size=2000):
        charged = order.status in SHIPPED
        batch.append(
            parcel(
                outbound_order_id=order.pk,
                position=0,
                tracking_number=order.tracking_number,
                carrier_code=order.carrier_code,
                carrier_name=order.carrier_name,
                chargeable_weight=order.chargeable_weight,
                estimated_fee=None if charged else order.fee_amount,
                estimated_currency="" if charged else order.fee_currency,
                estimated_at=None if charged else order.last_checked_at,
                charged_fee=order.fee_amount if charged else None,
                charged_currency=order.fee_currency if charged else "",
                charged_at=order.last_checked_at if charged else None,
                updated=order.updated,
            )
        )
        if len(batch) >= 2000:
            parcel.objects.bulk_create(batch)
            batch = []
    parcel.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("oc_integration", "0019_cost_estimates")]

    operations = [
        migrations.CreateModel(
            name="OutboundParcel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(editable=False)),
                ("tracking_number", models.CharField(blank=True, max_length=64)),
                ("carrier_code", models.CharField(blank=True, max_length=32)),
                (
                    "carrier_name",
                    models.CharField(blank=True, max_length=64, verbose_name="carrier"),
                ),
                (
                    "chargeable_weight",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True),
                ),
                (
                    "weight_unit",
                    models.CharField(
                        blank=True,
                        help_text="OC's chargeableWeightUnit (g in OC's example).",
                        max_length=8,
                    ),
                ),
                (
                    "estimated_fee",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="The last fee OC gave before the order was outbound.",
                        max_digits=14,
                        null=True,
                        verbose_name="estimated fee",
                    ),
                ),
                ("estimated_currency", models.CharField(blank=True, max_length=3)),
                (
                    "estimated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="estimate read at"),
                ),
                (
                    "charged_fee",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        help_text="The fee OC gave once the order was outbound (the actual charge).",
                        max_digits=14,
                        null=True,
                        verbose_name="charged fee",
                    ),
                ),
                ("charged_currency", models.CharField(blank=True, max_length=3)),
                (
                    "charged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="charge read at"),
                ),
                ("updated", models.DateTimeField()),
                (
                    "outbound_order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parcels",
                        to="oc_integration.outboundorder",
                    ),
                ),
            ],
            options={
                "verbose_name": "Outbound parcel and fee",
                "verbose_name_plural": "Outbound parcels and fees",
                "ordering": ["outbound_order_id", "position"],
            },
        ),
        migrations.CreateModel(
            name="ParcelItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("oc_sku", models.CharField(max_length=64, verbose_name="OC SKU")),
                ("quantity", models.IntegerField(default=0)),
                ("serial_numbers", models.TextField(blank=True, verbose_name="serial numbers")),
                (
                    "parcel",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="oc_integration.outboundparcel",
                    ),
                ),
            ],
            options={
                "verbose_name": "Parcel SKU",
                "verbose_name_plural": "Parcel SKUs",
                "ordering": ["parcel_id", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="outboundparcel",
            index=models.Index(fields=["tracking_number"], name="outbound_parcel_tracking_idx"),
        ),
        migrations.AddConstraint(
            model_name="outboundparcel",
            constraint=models.UniqueConstraint(
                fields=("outbound_order", "position"), name="outbound_parcel_unique_position"
            ),
        ),
        migrations.RunPython(parcels_from_first_fee, migrations.RunPython.noop),
    ]
