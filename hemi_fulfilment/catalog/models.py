"""Hemi's catalog entities, under the names Hemi's staff know them by."""

from __future__ import annotations

from django.db import models


class Product(models.Model):
    """A product in Hemi's catalog, identified by its Hemi SKU."""

    sku = models.CharField("SKU", max_length=64, unique=True)
    title = models.CharField("title", max_length=255)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Product"
        verbose_name_plural = "Products"
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"


class EbayAccount(models.Model):
    """One eBay seller account on one eBay site ("eBay UK", "eBay DE").

    Two sellers trading on the same site are two eBay accounts with the same site code,
    each with its own connection, listings and orders.
    """

    name = models.CharField(
        max_length=64, unique=True, help_text='As Hemi shows it, e.g. "eBay UK".'
    )
    site_code = models.CharField(
        max_length=8, db_index=True, help_text='eBay site code, e.g. "UK" or "DE".'
    )
    site_id = models.PositiveIntegerField(
        "eBay site id", help_text="Trading API site id: UK 3, DE 77."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eBay account"
        verbose_name_plural = "eBay accounts"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemAccount(models.Model):
    """A product's listing on one eBay account (Hemi's "item account for eBay UK")."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="item_accounts")
    ebay_account = models.ForeignKey(
        EbayAccount, on_delete=models.PROTECT, related_name="item_accounts"
    )
    ebay_item_id = models.CharField(
        "eBay item id", max_length=32, blank=True, help_text="The listing's ItemID, once listed."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Item account"
        verbose_name_plural = "Item accounts"
        ordering = ["product__sku", "ebay_account__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "ebay_account"], name="item_account_one_per_product_and_site"
            )
        ]
        indexes = [models.Index(fields=["ebay_item_id"], name="item_account_item_id_idx")]

    def __str__(self) -> str:
        return f"{self.product.sku} item account for {self.ebay_account.name}"
