"""Inbound orders: stock the seller sends into an OC warehouse, planned in Hemi.

An ``InboundOrder`` is drafted in Hemi with its cartons (``InboundCarton``) and their
lines (``InboundLine``: an OC SKU and how many units), placed at OC once (its answer,
if lost, is checked at OC before anything is sent again), then followed: every status
OC reports is kept (``InboundStatusChange``), and so are the units OC received per SKU
(``InboundReceipt``) and the customs papers uploaded (``InboundDocument``).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from oc_integration.client import inbound as oc_inbound
from oc_integration.models.auth import AccountOrangeConnex
from oc_integration.models.catalog import OCSku


class InboundStatus(models.TextChoices):
    """Where an inbound order is: Hemi's own steps, then what OC's status word means."""

    DRAFT = "draft", "Draft (not sent to OC)"
    SENDING = "sending", "Sending (answer not received yet)"
    UNKNOWN = "unknown", "Outcome unknown (checked at OC before sending again)"
    REFUSED = "refused", "Refused by OC"
    CREATED = oc_inbound.CREATED, "Placed at OC"
    IN_TRANSIT = oc_inbound.IN_TRANSIT, "In transit"
    ARRIVED = oc_inbound.ARRIVED, "Arrived at the warehouse"
    RECEIVING = oc_inbound.RECEIVING, "Being received"
    RECEIVED = oc_inbound.RECEIVED, "Received"
    CANCELLED = oc_inbound.CANCELLED, "Cancelled"


#: Placed at OC and not finished: the status sync asks about these, and their units are
#: "on the way" on the stock rows.
OPEN_INBOUND = (
    InboundStatus.CREATED,
    InboundStatus.IN_TRANSIT,
    InboundStatus.ARRIVED,
    InboundStatus.RECEIVING,
)
#: May still be edited and placed.
EDITABLE_INBOUND = (InboundStatus.DRAFT, InboundStatus.REFUSED)
#: OC's status word meanings -> Hemi's status (an unknown word: OC has it, so "placed").
STATUS_OF_MEANING: dict[str, str] = {
    oc_inbound.CREATED: InboundStatus.CREATED,
    oc_inbound.IN_TRANSIT: InboundStatus.IN_TRANSIT,
    oc_inbound.ARRIVED: InboundStatus.ARRIVED,
    oc_inbound.RECEIVING: InboundStatus.RECEIVING,
    oc_inbound.RECEIVED: InboundStatus.RECEIVED,
    oc_inbound.CANCELLED: InboundStatus.CANCELLED,
    oc_inbound.UNKNOWN: InboundStatus.CREATED,
}
SHIPPING_METHOD_CHOICES = list(oc_inbound.SHIPPING_METHODS.items())
TRANSPORT_METHOD_CHOICES = list(oc_inbound.TRANSPORT_METHODS.items())
CLEARANCE_TYPE_CHOICES = list(oc_inbound.CLEARANCE_FILE_TYPES.items())


def new_seller_inbound_number() -> str:
    """A fresh seller inbound number: ``IN-`` + today's date + 6 random hex digits."""
    return f"IN-{timezone.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


class InboundOrder(models.Model):
    """One replenishment of an OC warehouse (OC's inbound order)."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.PROTECT,
        related_name="inbound_orders",
        verbose_name="OC account",
    )
    seller_inbound_number = models.CharField(
        "seller inbound number",
        max_length=oc_inbound.SELLER_INBOUND_NUMBER_MAX_LENGTH,
        default=new_seller_inbound_number,
        help_text="Hemi's number for it, unique per OC account (OC's sellerInboundNumber).",
    )
    region = models.CharField(
        "fulfilment centre", max_length=50, help_text="OC service region, e.g. UK or DE."
    )
    shipping_from = models.CharField(
        "shipping from", max_length=2, help_text="Country of origin, 2 letters (e.g. CN)."
    )
    shipping_method = models.CharField(max_length=2, choices=SHIPPING_METHOD_CHOICES)
    transport_method = models.CharField(max_length=2, choices=TRANSPORT_METHOD_CHOICES, blank=True)
    eta = models.DateField("ETA", help_text="Estimated arrival at the warehouse.")
    vat = models.CharField("VAT number", max_length=oc_inbound.VAT_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=16, choices=InboundStatus.choices, default=InboundStatus.DRAFT, db_index=True
    )
    oc_status = models.CharField("OC status", max_length=40, blank=True)
    oc_inbound_number = models.CharField(
        "OC inbound number", max_length=oc_inbound.INBOUND_NUMBER_MAX_LENGTH, blank=True
    )
    booking_number = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField("last sent", null=True, blank=True)
    placed_at = models.DateTimeField("placed at OC", null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField("last checked at OC", null=True, blank=True)
    # The end of the last query window that covered this order: the next sync starts there.
    checked_until = models.DateTimeField(null=True, blank=True, editable=False)
    tracking = models.JSONField(
        default=list, blank=True, help_text='Uploaded: [{"carton", "carrier", "number"}].'
    )
    tracking_uploaded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Inbound order"
        verbose_name_plural = "Inbound orders"
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "seller_inbound_number"],
                name="inbound_seller_number_once_per_account",
            )
        ]
        indexes = [
            models.Index(fields=["account", "status"], name="inbound_account_status_idx"),
            models.Index(fields=["oc_inbound_number"], name="inbound_oc_number_idx"),
        ]
        permissions = [
            ("place_inboundorder", "Can place inbound orders at Orange Connex"),
            ("sync_inboundorder", "Can sync inbound orders from OC now"),
            ("download_inbound_labels", "Can download inbound labels from OC"),
            ("upload_inbound_documents", "Can upload inbound tracking numbers and customs papers"),
        ]

    def __str__(self) -> str:
        return self.oc_inbound_number or self.seller_inbound_number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_INBOUND


class InboundCarton(models.Model):
    """One carton of an inbound order."""

    order = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="cartons")
    seller_carton_number = models.CharField(
        "seller carton number", max_length=oc_inbound.SELLER_CARTON_NUMBER_MAX_LENGTH
    )
    origin_country = models.CharField(
        "origin country", max_length=2, blank=True, help_text="Empty: the order's shipping from."
    )

    class Meta:
        verbose_name = "carton"
        verbose_name_plural = "cartons"
        ordering = ["order", "seller_carton_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "seller_carton_number"], name="inbound_carton_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return self.seller_carton_number


class InboundLine(models.Model):
    """One OC SKU in a carton, and how many units of it."""

    # The carton's order, kept on the line so the order's page edits every line at once.
    order = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="lines")
    carton = models.ForeignKey(InboundCarton, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(
        OCSku, on_delete=models.PROTECT, related_name="inbound_lines", verbose_name="OC SKU"
    )
    quantity = models.IntegerField(help_text="Units of the SKU in this carton (more than 0).")

    class Meta:
        verbose_name = "line"
        verbose_name_plural = "lines"
        ordering = ["carton", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carton", "sku"], name="inbound_line_sku_once_per_carton"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku_id}"


class InboundReceipt(models.Model):
    """What OC reports about one SKU of an inbound order: units expected and received."""

    order = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="receipts")
    oc_sku = models.CharField("OC SKU", max_length=15)
    sent = models.IntegerField("sent (per OC)", null=True, blank=True)
    received = models.IntegerField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "received quantity"
        verbose_name_plural = "received quantities"
        ordering = ["order", "oc_sku"]
        constraints = [
            models.UniqueConstraint(fields=["order", "oc_sku"], name="inbound_receipt_once_per_sku")
        ]

    def __str__(self) -> str:
        return f"{self.oc_sku}: {self.received} received"


class InboundStatusChange(models.Model):
    """One status an inbound order reached, as Hemi learnt it (evidence: never deleted)."""

    order = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    oc_status = models.CharField("OC status", max_length=40, blank=True)
    changed_at = models.DateTimeField(help_text="When OC says it changed (or when Hemi saw it).")
    recorded = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "status change"
        verbose_name_plural = "status history"
        # In the order Hemi learnt them: OC's times have whole seconds, Hemi's do not.
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.changed_at:%Y-%m-%d %H:%M}"


class InboundDocument(models.Model):
    """One customs-clearance document uploaded to OC, and OC's check of it."""

    order = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="documents")
    file_type = models.CharField(max_length=8, choices=CLEARANCE_TYPE_CHOICES)
    file_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField("size (bytes)")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    verify_status = models.CharField("OC's check", max_length=32, blank=True)
    fail_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "customs document"
        verbose_name_plural = "customs documents"
        ordering = ["order", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_file_type_display()}: {self.file_name}"
