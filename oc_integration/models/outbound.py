"""Outbound orders sent to OC, the shipping services OC offers, and OC's callbacks."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.orders.models import Order
from oc_integration.models.auth import AccountOrangeConnex


class OutboundStatus(models.TextChoices):
    """Our side of the state machine, then OC's progression of the order."""

    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    UNKNOWN = "unknown", "Unknown (being checked with OC)"
    SUBMITTED = "submitted", "Submitted"
    REJECTED = "rejected", "Rejected by OC"
    PICKED = "picked", "Picked"
    PACKED = "packed", "Packed"
    OUTBOUND = "outbound", "Outbound (shipped)"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    EXCEPTION = "exception", "Exception at OC"


#: OC's status words -> ours.
OC_STATUS = {
    "Submitted": OutboundStatus.SUBMITTED,
    "Accepted": OutboundStatus.SUBMITTED,
    "Create picking task": OutboundStatus.SUBMITTED,
    "Picked": OutboundStatus.PICKED,
    "Packed": OutboundStatus.PACKED,
    "Outbound": OutboundStatus.OUTBOUND,
    "In-delivery": OutboundStatus.OUTBOUND,
    "Delivered": OutboundStatus.DELIVERED,
    "Cancelled": OutboundStatus.CANCELLED,
    "Exception": OutboundStatus.EXCEPTION,
    "Undeliverable return": OutboundStatus.EXCEPTION,
    "Failed": OutboundStatus.EXCEPTION,
}
#: How far along an order is; an older status never replaces a newer one.
STATUS_RANK = {
    OutboundStatus.SUBMITTED: 1,
    OutboundStatus.PICKED: 2,
    OutboundStatus.PACKED: 3,
    OutboundStatus.OUTBOUND: 4,
    OutboundStatus.EXCEPTION: 5,
    OutboundStatus.DELIVERED: 6,
    OutboundStatus.CANCELLED: 6,
}
#: Statuses OC still moves along (queried by the status job).
OPEN_AT_OC = [
    OutboundStatus.SUBMITTED,
    OutboundStatus.PICKED,
    OutboundStatus.PACKED,
    OutboundStatus.OUTBOUND,
]


class OrderPlatform(models.TextChoices):
    EBAY = "eBay", "eBay"
    OTHERS = "OTHERS", "Others"
    ALIEXPRESS = "AliExpress", "AliExpress"


class Incoterms(models.TextChoices):
    DDP = "DDP", "DDP (delivered duty paid)"
    DAP = "DAP", "DAP (delivered at place)"


class OutboundOrder(models.Model):
    """An order OC's warehouse is asked to pick, pack and ship from OC stock."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.PROTECT,
        related_name="outbound_orders",
        verbose_name="OC account",
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_orders",
        verbose_name="Hemi order",
    )
    reference_number = models.CharField("reference number", max_length=64)
    order_platform = models.CharField(
        max_length=16, choices=OrderPlatform.choices, default=OrderPlatform.OTHERS
    )
    ebay_order_id = models.CharField("eBay order id", max_length=32, blank=True)
    # OC's ``ebayId``: the buyer's eBay user id, required by OC for eBay orders.
    ebay_buyer_id = models.CharField("eBay buyer", max_length=100, blank=True)
    service_region = models.CharField("region", max_length=16)
    shipping_service_code = models.CharField("shipping service", max_length=64, blank=True)
    consignee_name = models.CharField("recipient", max_length=255, blank=True)
    company_name = models.CharField("company", max_length=255, blank=True)
    house_number = models.CharField(max_length=32, blank=True)
    address1 = models.CharField("address line 1", max_length=255, blank=True)
    address2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField(max_length=128, blank=True)
    province_or_state = models.CharField("county / state", max_length=128, blank=True)
    country_code = models.CharField(max_length=8, blank=True)
    zip_code = models.CharField("postcode", max_length=32, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    incoterms = models.CharField(max_length=3, choices=Incoterms.choices, default=Incoterms.DDP)
    remarks = models.CharField(max_length=255, blank=True)

    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.DRAFT
    )
    oc_order_number = models.CharField(
        "OC order number", max_length=32, null=True, blank=True, unique=True
    )
    auto_fulfillment_ef = models.BooleanField(
        "created by OC",
        default=False,
        help_text="OC created this order itself (autoFulfillmentEF).",
    )
    validation_errors = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    rejection_code = models.CharField("OC error code", max_length=16, blank=True)
    last_error = models.TextField(blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    carrier_code = models.CharField(max_length=32, blank=True)
    carrier_name = models.CharField("carrier", max_length=64, blank=True)
    chargeable_weight = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fee_currency = models.CharField(max_length=3, blank=True)
    tracking = models.JSONField("all tracking entries", default=list, blank=True)
    send_attempts = models.PositiveIntegerField(default=0)
    # A creation whose answer was lost is re-sent only after OC has said "not found" on
    # several checks spread over time (OC's Query v2 may lag behind its creation API).
    not_found_checks = models.PositiveSmallIntegerField(default=0, editable=False)
    first_not_found_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    oc_created_at = models.DateTimeField("created at OC", null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField("last checked with OC", null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Outbound order"
        verbose_name_plural = "Outbound orders"
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference_number"], name="outbound_reference_unique_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["account", "status"], name="outbound_account_status_idx"),
            models.Index(fields=["service_region", "status"], name="outbound_region_status_idx"),
        ]
        permissions = [
            ("push_outboundorder", "Can push outbound orders to Orange Connex"),
            ("cancel_outboundorder", "Can cancel outbound orders at Orange Connex"),
            ("refresh_outboundorder", "Can refresh outbound orders from Orange Connex"),
        ]

    def __str__(self) -> str:
        return self.oc_order_number or self.reference_number


class OutboundOrderLine(models.Model):
    """One SKU of an outbound order, by OC SKU (MFSKUID)."""

    outbound_order = models.ForeignKey(
        OutboundOrder, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True)
    sku = models.CharField("SKU", max_length=64)
    oc_sku = models.CharField("OC SKU", max_length=15, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    declared_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="GBP")
    ebay_item_id = models.CharField("eBay item id", max_length=32, blank=True)
    ebay_transaction_id = models.CharField("eBay transaction id", max_length=32, blank=True)

    class Meta:
        verbose_name = "Outbound order line"
        verbose_name_plural = "Outbound order lines"
        ordering = ["outbound_order_id", "id"]

    def __str__(self) -> str:
        return f"{self.oc_sku or self.sku} x {self.quantity}"


class ShippingService(models.Model):
    """A shipping service OC offers in a region (from GetServiceList, refreshed daily)."""

    region = models.CharField(max_length=16)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name = "OC shipping service"
        verbose_name_plural = "OC shipping services"
        ordering = ["region", "code"]
        permissions = [("refresh_shippingservice", "Can fetch OC's shipping services now")]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="shipping_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.code}"


class WebhookDelivery(models.Model):
    """One callback OC sent, stored raw before anything else happens."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored (older or duplicate)"
        REJECTED = "rejected", "Rejected (kept for review)"
        FAILED = "failed", "Failed (will not retry)"

    account = models.ForeignKey(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    raw_body = models.TextField(blank=True)
    event_status = models.CharField("reported status", max_length=32, blank=True)
    order_number = models.CharField("OC order number", max_length=32, blank=True)
    reference_number = models.CharField(max_length=64, blank=True)
    outbound_order = models.ForeignKey(
        OutboundOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "OC callback"
        verbose_name_plural = "OC callbacks"
        ordering = ["-received_at", "-id"]
        permissions = [("replay_webhookdelivery", "Can replay failed OC callbacks")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "delivery_id"], name="webhook_delivery_once_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} ({self.get_status_display()})"
