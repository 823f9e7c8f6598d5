"""Low stock: the thresholds staff set per product and region, and which stock rows the
daily digest has already reported as low."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper

from hemi_fulfilment.catalog.models import Product
from oc_integration.models.auth import AccountOrangeConnex
from oc_integration.models.stock import ProductAccountOrangeConnex


class LowStockThreshold(models.Model):
    """When a product's stock in one region of one OC account counts as low.

    A stock row is low when its available stock is under ``minimum_available`` or when it
    covers fewer days of sales than ``minimum_days_of_cover`` (available ÷ units sold per
    day over the last 30 days of Hemi orders). An empty figure takes the default from the
    settings (``OC_LOW_STOCK_MINIMUM``, ``OC_LOW_STOCK_MIN_DAYS_OF_COVER``); 0 turns that
    test off. A product and region without a threshold uses both defaults.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="low_stock_thresholds",
        verbose_name="OC account",
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="oc_low_stock_thresholds"
    )
    region = models.CharField(
        "OC region", max_length=50, help_text="As OC names it: UK, DE, AU-MEL, US-East, …"
    )
    minimum_available = models.IntegerField(
        "minimum available",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Low below this many units available. Empty: OC_LOW_STOCK_MINIMUM; 0: off.",
    )
    minimum_days_of_cover = models.IntegerField(
        "minimum days of cover",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Low when the stock lasts fewer days at the last 30 days' sales. "
        "Empty: OC_LOW_STOCK_MIN_DAYS_OF_COVER; 0: off.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "low-stock threshold"
        verbose_name_plural = "low-stock thresholds"
        ordering = ["account", "product", "region"]
        constraints = [
            # OC spells regions differently between endpoints (US-west, US-West).
            models.UniqueConstraint(
                "account", "product", Upper("region"), name="oc_low_stock_one_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.region}"


class LowStockReport(models.Model):
    """A stock row the digest found low, kept while it stays low.

    The digest lists a row once when it crosses into low stock (``reported_at`` set),
    not again while it stays low; when the row recovers its report is deleted, so the
    next fall is a new crossing.
    """

    stock_row = models.OneToOneField(
        ProductAccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="low_stock_report",
        verbose_name="stock row",
    )
    low_since = models.DateTimeField("found low", help_text="The digest that first found it low.")
    reported_at = models.DateTimeField("reported", null=True, blank=True)

    class Meta:
        verbose_name = "low-stock report"
        verbose_name_plural = "low-stock reports"
        ordering = ["-low_since", "-id"]

    def __str__(self) -> str:
        return f"{self.stock_row} low since {self.low_since:%Y-%m-%d}"
