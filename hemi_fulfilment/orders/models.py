"""Hemi's orders ("Orders") and eBay order lines ("Order Item eBay")."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from hemi_fulfilment.catalog.models import EbayAccount, Product


class Channel(models.TextChoices):
    EBAY = "ebay", "eBay"
    WEB_SHOP = "web", "Web shop"
    AMAZON = "amazon", "Amazon"
    OTHER = "other", "Other marketplace"


class FulfillmentChannel(models.TextChoices):
    """Hemi's "Marketplace Fulfillment Channel": who ships the order."""

    SELLER = "seller", "Seller fulfilled"
    EBAY = "ebay", "Fulfilled by eBay"


class OrderStatus(models.TextChoices):
    NEW = "new", "New"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    """A Hemi order, from any sales channel."""

    number = models.CharField("order number", max_length=64, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EBAY)
    ebay_account = models.ForeignKey(
        EbayAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="eBay account",
    )
    ebay_order_id = models.CharField(
        "eBay order id", max_length=64, null=True, blank=True, unique=True
    )
    buyer_name = models.CharField(max_length=255, blank=True)
    buyer_email = models.EmailField(blank=True)
    buyer_username = models.CharField("buyer user id", max_length=128, blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    shipping_cost = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="GBP")
    # Shipping address, in the shape OC's outbound orders need.
    ship_name = models.CharField("recipient", max_length=255, blank=True)
    ship_company = models.CharField("company", max_length=100, blank=True)
    ship_house_number = models.CharField("house number", max_length=10, blank=True)
    ship_address1 = models.CharField("address line 1", max_length=255, blank=True)
    ship_address2 = models.CharField("address line 2", max_length=255, blank=True)
    ship_city = models.CharField("city", max_length=128, blank=True)
    ship_state = models.CharField("county / state", max_length=128, blank=True)
    ship_postcode = models.CharField("postcode", max_length=32, blank=True)
    ship_country_code = models.CharField("country code", max_length=2, blank=True)
    ship_phone = models.CharField("phone", max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.NEW)
    shipped = models.BooleanField(default=False)
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipping_carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    marketplace_fulfillment_channel = models.CharField(
        "Marketplace Fulfillment Channel",
        max_length=16,
        choices=FulfillmentChannel.choices,
        default=FulfillmentChannel.SELLER,
    )
    ordered_at = models.DateTimeField("ordered", null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Order"
        verbose_name_plural = "Orders"
        ordering = ["-ordered_at", "-id"]
        indexes = [
            models.Index(
                fields=["marketplace_fulfillment_channel"], name="order_fulfil_channel_idx"
            ),
            models.Index(fields=["channel", "status"], name="order_channel_status_idx"),
            models.Index(fields=["shipped", "status"], name="order_shipped_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_fulfilled_by_ebay(self) -> bool:
        return self.marketplace_fulfillment_channel == FulfillmentChannel.EBAY


class OrderItemType(models.TextChoices):
    SELLER_FULFILLED = "seller", "Seller fulfilled"
    FULFILLED_BY_EBAY = "ebay", "Fulfilled by eBay"
    # Trading's FulfillmentBy EBAY without a Fulfillment Ref ID: eBay ships the item to its
    # Vault; like eBay-fulfilled lines it is eBay's to ship, never reported by Hemi.
    EBAY_VAULT = "ebay_vault", "eBay Vault"


class OrderItemEbay(models.Model):
    """One eBay order line of a Hemi order ("Order Item eBay")."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ebay_items")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="ebay_order_items"
    )
    ebay_item_id = models.CharField("eBay item id", max_length=32)
    transaction_id = models.CharField("transaction id", max_length=32, blank=True)
    order_line_item_id = models.CharField("order line item id", max_length=64, unique=True)
    sku = models.CharField("SKU", max_length=64, blank=True)
    title = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="GBP")
    fulfillment_ref_id = models.CharField("Fulfillment Ref ID", max_length=64, blank=True)
    type = models.CharField(
        "Type",
        max_length=16,
        choices=OrderItemType.choices,
        default=OrderItemType.SELLER_FULFILLED,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Order Item eBay"
        verbose_name_plural = "Order Items eBay"
        ordering = ["order_id", "id"]
        indexes = [
            models.Index(fields=["sku"], name="order_item_ebay_sku_idx"),
            models.Index(fields=["type"], name="order_item_ebay_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_item_id} ({self.sku or self.ebay_item_id})"


class OrderItem(models.Model):
    """An order line of a non-eBay channel (web shop, other marketplaces)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_items"
    )
    sku = models.CharField("SKU", max_length=64)
    title = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="GBP")

    class Meta:
        verbose_name = "Order item"
        verbose_name_plural = "Order items"
        ordering = ["order_id", "id"]
        indexes = [models.Index(fields=["sku"], name="order_item_sku_idx")]

    def __str__(self) -> str:
        return f"{self.sku} x {self.quantity}"
