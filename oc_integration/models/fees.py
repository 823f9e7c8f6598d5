"""What OC estimated and charged for shipping an outbound order, parcel by parcel.

Outbound Order Query v2 returns one ``trackingNumberList`` row per parcel with its
chargeable weight (and unit), its fee (and currency) and the SKUs packed in it with
their serial numbers. The fee is an estimate until the order is outbound and the actual
charge after; a parcel keeps both so the two can be compared.
"""

from __future__ import annotations

from django.db import models

from oc_integration.models.outbound import OutboundOrder


class OutboundParcel(models.Model):
    """One parcel of an outbound order, as OC's Query v2 last described it."""

    outbound_order = models.ForeignKey(
        OutboundOrder, on_delete=models.CASCADE, related_name="parcels"
    )
    # OC lists parcels in a stable order and gives a tracking number only once labelled,
    # so a parcel is known by its place in OC's list.
    position = models.PositiveSmallIntegerField(editable=False)
    tracking_number = models.CharField(max_length=64, blank=True)
    carrier_code = models.CharField(max_length=32, blank=True)
    carrier_name = models.CharField("carrier", max_length=64, blank=True)
    chargeable_weight = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    weight_unit = models.CharField(
        max_length=8, blank=True, help_text="OC's chargeableWeightUnit (g in OC's example)."
    )
    estimated_fee = models.DecimalField(
        "estimated fee",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The last fee OC gave before the order was outbound.",
    )
    estimated_currency = models.CharField(max_length=3, blank=True)
    estimated_at = models.DateTimeField("estimate read at", null=True, blank=True)
    charged_fee = models.DecimalField(
        "charged fee",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The fee OC gave once the order was outbound (the actual charge).",
    )
    charged_currency = models.CharField(max_length=3, blank=True)
    charged_at = models.DateTimeField("charge read at", null=True, blank=True)
    updated = models.DateTimeField()

    class Meta:
        verbose_name = "Outbound parcel and fee"
        verbose_name_plural = "Outbound parcels and fees"
        ordering = ["outbound_order_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["outbound_order", "position"], name="outbound_parcel_unique_position"
            )
        ]
        indexes = [models.Index(fields=["tracking_number"], name="outbound_parcel_tracking_idx")]

    def __str__(self) -> str:
        return self.tracking_number or f"{self.outbound_order_id} parcel {self.position + 1}"

    def weight_text(self) -> str:
        """The chargeable weight with its unit ("unit not given" rather than a bare number)."""
        if self.chargeable_weight is None:
            return "-"
        return f"{self.chargeable_weight.normalize():f} {self.weight_unit or '(unit not given)'}"


class ParcelItem(models.Model):
    """One SKU packed in a parcel, with the serial numbers OC recorded (``SN``)."""

    parcel = models.ForeignKey(OutboundParcel, on_delete=models.CASCADE, related_name="items")
    oc_sku = models.CharField("OC SKU", max_length=64)
    quantity = models.IntegerField(default=0)
    # As OC sends them, comma-separated ("A01,A02"), so one search finds a serial number.
    serial_numbers = models.TextField("serial numbers", blank=True)

    class Meta:
        verbose_name = "Parcel SKU"
        verbose_name_plural = "Parcel SKUs"
        ordering = ["parcel_id", "id"]

    def __str__(self) -> str:
        return f"{self.oc_sku} x {self.quantity}"

    def serial_list(self) -> list[str]:
        """The serial numbers one by one."""
        return [s for s in self.serial_numbers.split(",") if s]
