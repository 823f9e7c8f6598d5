"""What Hemi's ``Order`` and ``OrderItemEbay`` fields should hold for an eBay order.

The order may come from the Trading API or the Sell Fulfillment API: both give the same
:class:`EbayOrder`, so the rules are one.

Pure rules, no queries: the page store (``order_store``) fetches and writes in bulk and
asks this module only what the values are and whether an order can be taken at all.
Fields that belong to the seller's own shipping (carrier, tracking number, shipped flag)
never appear here, so the import cannot touch them.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ebay_orders.client import EbayOrder, OrderLine
from ebay_orders.models import IssueKind
from hemi_fulfilment.catalog.models import EbayAccount, Product
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)


class OrderRejected(Exception):
    """The order cannot be stored as eBay sent it; it is recorded for review and skipped."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def fit(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with text cut to the model's column lengths."""
    # eBay's free text may exceed Hemi's columns; PostgreSQL would refuse the whole page.
    fitted = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        fitted[name] = value[:limit] if isinstance(value, str) and limit else value
    return fitted


def _status(parsed: EbayOrder, current: str | None) -> str:
    if current == OrderStatus.SHIPPED:
        return current  # the seller's shipping stands; eBay's view is reported, not imported
    if parsed.order_status == "Cancelled" or parsed.cancel_status == "CancelComplete":
        return OrderStatus.CANCELLED
    if parsed.paid_time is not None or parsed.order_status in {"Completed", "Shipped"}:
        return OrderStatus.PAID
    return OrderStatus.NEW


def order_values(parsed: EbayOrder, account: EbayAccount, current: Order | None) -> dict[str, Any]:
    """The ``Order`` fields the import owns, as ``parsed`` says they should be now."""
    values: dict[str, Any] = {
        "channel": Channel.EBAY,
        "ebay_account_id": account.pk,
        "buyer_name": parsed.ship_name,
        "buyer_username": parsed.buyer_user_id,
        "subtotal": parsed.subtotal,
        "shipping_cost": parsed.shipping_cost,
        "total": parsed.total,
        "ship_name": parsed.ship_name,
        "ship_company": parsed.ship_company,
        "ship_address1": parsed.ship_address1,
        "ship_address2": parsed.ship_address2,
        "ship_city": parsed.ship_city,
        "ship_state": parsed.ship_state,
        "ship_postcode": parsed.ship_postcode,
        "ship_country_code": parsed.ship_country_code,
        "ship_phone": parsed.ship_phone,
        "status": _status(parsed, current.status if current else None),
    }
    # eBay stops sending these after a while; an answer without them keeps what Hemi has.
    optional = {
        "buyer_email": parsed.buyer_email,
        "currency": parsed.currency,
        "ordered_at": parsed.created_time,
    }
    values.update({name: value for name, value in optional.items() if value})
    fulfilment = parsed.fulfilment
    if fulfilment != "mixed":  # a mixed order keeps what it had: no guessing
        values["marketplace_fulfillment_channel"] = (
            FulfillmentChannel.EBAY if fulfilment == "ebay" else FulfillmentChannel.SELLER
        )
    return fit(Order, values)


def line_values(
    parsed: EbayOrder, line: OrderLine, product: Product, order: Order
) -> dict[str, Any]:
    """The ``OrderItemEbay`` fields of ``line``; ``order`` already holds the order's values."""
    values: dict[str, Any] = {
        "product_id": product.pk,
        "ebay_item_id": line.item_id,
        "transaction_id": line.transaction_id,
        "sku": line.sku,
        "title": line.title,
        "quantity": line.quantity,
        "price": line.price,
        "currency": line.currency or parsed.currency or order.currency,
        "type": line_type(line),
    }
    # The Sell Fulfillment API names no warehouse: when Trading could not tell either,
    # the Fulfillment Ref ID Hemi has stays (a new line's stays empty).
    if line.fulfillment_ref_id_known:
        values["fulfillment_ref_id"] = line.fulfillment_ref_id
    return fit(OrderItemEbay, values)


def line_type(line: OrderLine) -> str:
    """The line's *Type*: eBay Vault, Fulfilled by eBay or Seller fulfilled."""
    if line.in_vault:
        return OrderItemType.EBAY_VAULT
    if line.fulfilled_by_ebay:
        return OrderItemType.FULFILLED_BY_EBAY
    return OrderItemType.SELLER_FULFILLED


def order_number(parsed: EbayOrder) -> str:
    """Hemi's order number for a new eBay order."""
    return f"EBAY-{parsed.order_id}"[: Order._meta.get_field("number").max_length]


def check_skus(parsed: EbayOrder, products: dict[str, Product]) -> None:
    """Raise :class:`OrderRejected` when a line's SKU is missing or unknown to Hemi."""
    for line in parsed.lines:
        if not line.sku:
            raise OrderRejected(
                IssueKind.UNKNOWN_SKU,
                f"Order {parsed.order_id}: line {line.order_line_item_id} has no SKU",
            )
        if line.sku not in products:
            raise OrderRejected(
                IssueKind.UNKNOWN_SKU,
                f"Order {parsed.order_id}: SKU {line.sku} is not in Hemi",
            )
