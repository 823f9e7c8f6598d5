"""Which eBay account each OC service region serves, per OC account."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper

from hemi_fulfilment.catalog.models import EbayAccount
from oc_integration.models.auth import AccountOrangeConnex


class RegionMapping(models.Model):
    """One OC service region of one OC account, and the eBay account it fulfils.

    Several regions may serve one eBay account (US-East, US-South and US-West for eBay
    US): each keeps its own stock row. A region without an eBay account still has its
    stock shown; its rows are simply not linked to a listing.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="region_mappings",
        verbose_name="OC account",
    )
    region = models.CharField(
        "OC region", max_length=50, help_text="As OC names it: UK, DE, AU, AU-MEL, US-East, …"
    )
    ebay_account = models.ForeignKey(
        EbayAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oc_regions",
        verbose_name="eBay account",
        help_text="Whose listings this region's stock fills; empty: stock only.",
    )

    class Meta:
        verbose_name = "region → eBay account"
        verbose_name_plural = "regions → eBay accounts"
        ordering = ["account", "region"]
        constraints = [
            # OC spells regions differently between endpoints (US-west, US-West).
            models.UniqueConstraint(
                "account", Upper("region"), name="oc_region_mapping_one_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} → {self.ebay_account or 'stock only'}"
