"""What OC estimated a parcel would cost to fulfil, per shipping service.

A ``CostTrial`` is one question to OC (one parcel: region, address, SKUs); its
``ServiceCostEstimate`` rows are OC's answer per shipping service. A trial whose answer
has not arrived yet (OC's asynchronous pair) is asked again with the same reference,
never sent twice. ``parcel_key`` identifies the parcel, so a page asks the database
before it asks OC.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from hemi_fulfilment.catalog.models import Product
from oc_integration.models.auth import AccountOrangeConnex


class TrialStatus(models.TextChoices):
    PENDING = "pending", "Waiting for OC's answer"
    READY = "ready", "Estimated"
    FAILED = "failed", "Failed"


class TrialMethod(models.TextChoices):
    SYNCED = "synced", "Synchronous freight trial"
    ASYNC = "async", "Cost Estimation Request and Response"


class CostTrial(models.Model):
    """One cost estimate request to OC, for an order about to be pushed or a product."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="cost_trials",
        verbose_name="OC account",
    )
    reference_id = models.CharField("OC reference", max_length=64, unique=True)
    parcel_key = models.CharField(max_length=64, db_index=True, editable=False)
    order_reference = models.CharField(
        "order", max_length=64, blank=True, help_text="The Hemi or outbound order estimated."
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="oc_cost_trials",
        help_text="Set for the standard single-unit estimate of a product.",
    )
    region = models.CharField(max_length=16)
    country_code = models.CharField("destination", max_length=2)
    ebay_order = models.BooleanField("eBay order", default=False)
    method = models.CharField(max_length=8, choices=TrialMethod.choices)
    status = models.CharField(max_length=8, choices=TrialStatus.choices)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "OC cost estimate"
        verbose_name_plural = "OC cost estimates"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["account", "parcel_key", "-requested_at"], name="cost_trial_key_idx"
            ),
            models.Index(
                fields=["product", "region", "-requested_at"], name="cost_trial_product_idx"
            ),
        ]
        permissions = [
            ("estimate_costs", "Can ask OC for fulfilment cost estimates of products"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_id} ({self.get_status_display()})"


class ServiceCostEstimate(models.Model):
    """OC's estimate of one shipping service for one trial (or why there is none)."""

    trial = models.ForeignKey(CostTrial, on_delete=models.CASCADE, related_name="estimates")
    service_code = models.CharField("shipping service", max_length=64)
    service_name = models.CharField(max_length=255, blank=True)
    ebay_fee = models.DecimalField(
        "eBay order", max_digits=12, decimal_places=2, null=True, blank=True
    )
    other_fee = models.DecimalField(
        "other order", max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3, blank=True)
    ok = models.BooleanField(default=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "service cost estimate"
        verbose_name_plural = "service cost estimates"
        ordering = ["trial_id", "other_fee", "service_code"]

    def __str__(self) -> str:
        return f"{self.service_code}: {self.other_fee} {self.currency}"

    def fee_for(self, *, ebay: bool) -> Decimal | None:
        """``ebayFee`` for an eBay order, ``noEbayFee`` for any other."""
        return self.ebay_fee if ebay else self.other_fee
