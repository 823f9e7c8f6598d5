"""Return orders OC reports (Returns 2.0), their items, and the returned stock per SKU."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.orders.models import Order
from oc_integration.models.auth import AccountOrangeConnex
from oc_integration.models.outbound import OutboundOrder


class ReturnStatus(models.TextChoices):
    """What OC's status word means (OC publishes none: the words are read by the client)."""

    CREATED = "created", "Created (label issued)"
    IN_TRANSIT = "in_transit", "On its way back"
    RECEIVED = "received", "Received at OC"
    COMPLETED = "completed", "Processed"
    CANCELLED = "cancelled", "Cancelled"
    UNKNOWN = "unknown", "Unknown OC status"


#: Statuses in which OC may still cancel the RMA / take a tracking update.
CANCELLABLE_RETURNS = (ReturnStatus.CREATED,)
TRACKABLE_RETURNS = (ReturnStatus.CREATED, ReturnStatus.IN_TRANSIT, ReturnStatus.UNKNOWN)


class PendingRequest(models.TextChoices):
    """A change sent to OC whose answer was lost: checked with OC before it is sent again."""

    NONE = "", "None"
    CANCEL = "cancel", "Cancellation"
    TRACKING = "tracking", "Tracking update"


class ReturnOrder(models.Model):
    """A buyer's return, as OC reports it, linked to the outbound order it returns."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.PROTECT,
        related_name="return_orders",
        verbose_name="OC account",
    )
    oc_return_number = models.CharField("OC return number", max_length=40)
    outbound_order = models.ForeignKey(
        OutboundOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="return_orders",
        verbose_name="outbound order",
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="oc_returns",
        verbose_name="Hemi order",
    )
    # OC's references of the original order, kept whether or not they matched ours.
    outbound_order_number = models.CharField("OC outbound order", max_length=32, blank=True)
    reference_number = models.CharField("order reference", max_length=64, blank=True)
    ebay_order_id = models.CharField("eBay order id", max_length=32, blank=True)
    region = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.UNKNOWN
    )
    oc_status = models.CharField("OC status", max_length=32, blank=True)
    reason_code = models.CharField("reason code", max_length=32, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    tracking_number = models.CharField("return tracking number", max_length=64, blank=True)
    carrier_code = models.CharField("carrier code", max_length=32, blank=True)
    carrier_name = models.CharField("carrier", max_length=64, blank=True)
    oc_created_at = models.DateTimeField("created at OC", null=True, blank=True)
    oc_updated_at = models.DateTimeField("changed at OC", null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    pending_request = models.CharField(
        max_length=16, choices=PendingRequest.choices, blank=True, default=PendingRequest.NONE
    )
    pending_since = models.DateTimeField(null=True, blank=True)
    # The tracking number of a tracking update whose answer was lost.
    pending_tracking = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    last_synced_at = models.DateTimeField("last read from OC", null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Return order"
        verbose_name_plural = "Return orders"
        ordering = ["-oc_created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "oc_return_number"], name="return_number_unique_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["account", "status"], name="return_account_status_idx"),
        ]
        permissions = [
            ("sync_returns", "Can import return orders from Orange Connex now"),
            ("download_return_label", "Can download return labels from Orange Connex"),
            ("cancel_returnorder", "Can cancel return orders (RMAs) at Orange Connex"),
            ("update_return_tracking", "Can update the return tracking at Orange Connex"),
        ]

    def __str__(self) -> str:
        return self.oc_return_number


class ReturnOrderItem(models.Model):
    """One SKU of a return: units the buyer sends back, units OC received, their state."""

    return_order = models.ForeignKey(ReturnOrder, on_delete=models.CASCADE, related_name="items")
    oc_sku = models.CharField("OC SKU", max_length=15, blank=True)
    seller_sku = models.CharField("seller SKU", max_length=64, blank=True)
    quantity = models.PositiveIntegerField(default=0)
    received_quantity = models.PositiveIntegerField("received", default=0)
    condition = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "Return item"
        verbose_name_plural = "Return items"
        ordering = ["return_order_id", "id"]

    def __str__(self) -> str:
        return f"{self.oc_sku or self.seller_sku} x {self.quantity}"


class ReturnedStock(models.Model):
    """Returned units OC holds of one OC SKU in one region (the returned-stock snapshot)."""

    account = models.ForeignKey(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="returned_stock"
    )
    oc_sku = models.CharField("OC SKU", max_length=15)
    region = models.CharField(max_length=50)
    returned = models.PositiveIntegerField("returned units", default=0)
    # OC's other counts of the row ({"sellable": 2, "unsellable": 1}), for reference.
    counts = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField("snapshot taken")

    class Meta:
        verbose_name = "Returned stock"
        verbose_name_plural = "Returned stock"
        ordering = ["oc_sku", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "oc_sku", "region"], name="returned_stock_one_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.oc_sku} {self.region}: {self.returned}"


class ReturnSyncState(models.Model):
    """Where an account's return order import goes on from, and how its last run went."""

    account = models.OneToOneField(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="return_sync"
    )
    synced_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.TextField(blank=True)

    class Meta:
        verbose_name = "Return import state"
        verbose_name_plural = "Return import states"

    def __str__(self) -> str:
        return f"{self.account}: until {self.synced_until}"
