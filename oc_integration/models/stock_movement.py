"""OC's stock movements and stock age, as imported, and where the movement import stands."""

from __future__ import annotations

from django.db import models

from oc_integration.models.auth import AccountOrangeConnex
from oc_integration.models.outbound import OutboundOrder
from oc_integration.models.stock import ProductAccountOrangeConnex, SyncRun


class StockMovement(models.Model):
    """One change of a SKU's stock at OC (GetStockMovement), kept as evidence.

    A movement is identified by its account, OC SKU, region, inventory status and OC's
    movement id, so importing a window again stores nothing twice. It is linked to the
    outbound order whose OC order number (or reference) it carries, and to the stock row
    of its SKU and region, when those exist.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="stock_movements",
        verbose_name="OC account",
    )
    oc_sku = models.CharField("OC SKU", max_length=32)
    seller_sku = models.CharField("SKU", max_length=64, blank=True)
    region = models.CharField("region", max_length=16)
    inventory_status = models.CharField(
        "stock status", max_length=16, blank=True, help_text="OC's status: AVL, RSVALOC, …"
    )
    movement_id = models.CharField("OC movement id", max_length=64)
    quantity = models.IntegerField(help_text="Signed: negative when stock left the status.")
    count_after = models.IntegerField("count after", null=True, blank=True)
    reason = models.CharField("reason", max_length=32, blank=True, help_text="OC's reason code.")
    order_number = models.CharField("OC order number", max_length=64, blank=True)
    moved_at = models.DateTimeField("time")
    outbound_order = models.ForeignKey(
        OutboundOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    stock_row = models.ForeignKey(
        ProductAccountOrangeConnex,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name="stock row",
    )
    run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="imported by run",
    )
    imported = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Stock movement"
        verbose_name_plural = "Stock movements"
        ordering = ["-moved_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "oc_sku", "region", "inventory_status", "movement_id"],
                name="oc_stock_movement_once",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-moved_at"], name="oc_movement_recent_idx"),
            models.Index(fields=["stock_row", "-moved_at"], name="oc_movement_row_idx"),
            models.Index(fields=["seller_sku"], name="oc_movement_sku_idx"),
            models.Index(fields=["oc_sku"], name="oc_movement_oc_sku_idx"),
            models.Index(fields=["order_number"], name="oc_movement_order_idx"),
        ]
        permissions = [("run_movement_sync", "Can import stock movements from OC now")]

    def __str__(self) -> str:
        return f"{self.oc_sku} {self.region} {self.quantity:+d} ({self.moved_at:%Y-%m-%d %H:%M})"


class StockMovementCursor(models.Model):
    """How far the scheduled movement import has got for an account: every window before
    ``complete_until`` was imported whole. It moves only when a window completes."""

    account = models.OneToOneField(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="movement_cursor"
    )
    complete_until = models.DateTimeField("imported up to")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Stock movement import position"
        verbose_name_plural = "Stock movement import positions"

    def __str__(self) -> str:
        return f"{self.account}: up to {self.complete_until:%Y-%m-%d %H:%M}"


class StockAge(models.Model):
    """How old one SKU's stock is in one region (GetStockAge), from the latest import.

    ``buckets`` holds OC's buckets as it gives them: ``[{"label": "91-180", "from": 91,
    "to": 180, "quantity": 4}, …]`` (``to`` null for the oldest, open-ended one). The
    totals over 90 / 180 / 365 days are the quantities of the buckets that start at or
    after that many days, computed at import so the report filters on plain columns.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="stock_ages",
        verbose_name="OC account",
    )
    oc_sku = models.CharField("OC SKU", max_length=32)
    seller_sku = models.CharField("SKU", max_length=64, blank=True)
    region = models.CharField("region", max_length=16)
    buckets = models.JSONField("age buckets", default=list)
    total_quantity = models.IntegerField("quantity", default=0)
    over_90_days = models.IntegerField("over 90 days", default=0)
    over_180_days = models.IntegerField("over 180 days", default=0)
    over_365_days = models.IntegerField("over 365 days", default=0)
    snapshot_date = models.DateField("as of")
    stock_row = models.ForeignKey(
        ProductAccountOrangeConnex,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_ages",
        verbose_name="stock row",
    )
    run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="imported by run",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Aged stock"
        verbose_name_plural = "Aged stock"
        ordering = ["-over_365_days", "-over_180_days", "-over_90_days", "seller_sku", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "oc_sku", "region"], name="oc_stock_age_one_per_sku_region"
            )
        ]
        indexes = [
            models.Index(fields=["region", "over_90_days"], name="oc_stock_age_90_idx"),
            models.Index(fields=["seller_sku"], name="oc_stock_age_sku_idx"),
        ]
        permissions = [("run_stock_age_sync", "Can import stock age from OC now")]

    def __str__(self) -> str:
        return f"{self.seller_sku or self.oc_sku} {self.region} (as of {self.snapshot_date})"
