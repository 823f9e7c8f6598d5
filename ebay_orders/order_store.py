"""Storing one GetOrders order as a Hemi ``Order`` with its ``OrderItemEbay`` lines.

Upserts by eBay ``OrderID`` and ``OrderLineItemID``: a re-import updates, never duplicates,
and fields that did not change are not written. Fields that belong to the seller's own
shipping (carrier, tracking number, shipped flag) are never touched by the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from ebay_orders.client import EbayOrder
from ebay_orders.models import IssueKind, OrderIssue
from hemi_fulfilment.catalog.models import EbayAccount, Product
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


class OrderRejected(Exception):
    """The order cannot be stored as eBay sent it; it is recorded for review and skipped."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class StoredOrder:
    """What storing one order did."""

    outcome: str  # CREATED, UPDATED or UNCHANGED
    order: Order
    fulfilment: str  # "ebay", "seller" or "mixed"


def mixed_message(order_id: str) -> str:
    """The review message for an order with both kinds of lines (the seed says none exist)."""
    return f"Order {order_id} mixes eBay-fulfilled and seller-fulfilled lines: flagged for review"


def _fit(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    # eBay's free text may exceed Hemi's columns; PostgreSQL would refuse the whole order.
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


def _order_values(parsed: EbayOrder, account: EbayAccount, current: Order | None) -> dict[str, Any]:
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
    return _fit(Order, values)


def _changed(instance: models.Model, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def _store_lines(order: Order, parsed: EbayOrder, products: dict[str, Product]) -> bool:
    ids = [line.order_line_item_id for line in parsed.lines]
    existing = {
        i.order_line_item_id: i for i in OrderItemEbay.objects.filter(order_line_item_id__in=ids)
    }
    any_change = False
    for line in parsed.lines:
        values = _fit(
            OrderItemEbay,
            {
                "product_id": products[line.sku].pk,
                "ebay_item_id": line.item_id,
                "transaction_id": line.transaction_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "price": line.price,
                "currency": line.currency or parsed.currency or order.currency,
                "fulfillment_ref_id": line.fulfillment_ref_id,
                "type": (
                    OrderItemType.FULFILLED_BY_EBAY
                    if line.fulfilled_by_ebay
                    else OrderItemType.SELLER_FULFILLED
                ),
            },
        )
        item = existing.get(line.order_line_item_id)
        if item is None:
            OrderItemEbay.objects.create(
                order=order, order_line_item_id=line.order_line_item_id, **values
            )
            any_change = True
        elif item.order_id != order.pk:
            raise OrderRejected(
                IssueKind.NOT_STORED,
                f"Order {parsed.order_id}: line {line.order_line_item_id} already belongs to "
                f"Hemi order {item.order_id}",
            )
        elif changed := _changed(item, values):
            item.save(update_fields=[*changed, "updated"])
            any_change = True
    return any_change


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


def _order_number(parsed: EbayOrder) -> str:
    return f"EBAY-{parsed.order_id}"[: Order._meta.get_field("number").max_length]


def store_order(
    *, account: EbayAccount, parsed: EbayOrder, products: dict[str, Product]
) -> StoredOrder:
    """Create or update the Hemi order for ``parsed``; call inside ``transaction.atomic()``.

    Raises :class:`OrderRejected` (nothing stored) for an unknown SKU or a line that
    belongs to another order. A mixed order is stored and flagged for review.
    """
    check_skus(parsed, products)
    order = Order.objects.filter(ebay_order_id=parsed.order_id).first()
    values = _order_values(parsed, account, order)
    if order is None:
        order = Order.objects.create(
            number=_order_number(parsed), ebay_order_id=parsed.order_id, **values
        )
        outcome = CREATED
    else:
        changed = _changed(order, values)
        if changed:
            order.save(update_fields=[*changed, "updated"])
        outcome = UPDATED if changed else UNCHANGED
    if _store_lines(order, parsed, products) and outcome == UNCHANGED:
        outcome = UPDATED
    if parsed.fulfilment == "mixed":
        flag_issue(
            account=account,
            ebay_order_id=parsed.order_id,
            kind=IssueKind.MIXED_FULFILMENT,
            message=mixed_message(parsed.order_id),
            order=order,
        )
    else:
        # eBay now sends the order wholly one way: the earlier doubt is settled.
        OrderIssue.objects.filter(
            order=order, kind=IssueKind.MIXED_FULFILMENT, resolved=False
        ).update(resolved=True)
    return StoredOrder(outcome=outcome, order=order, fulfilment=parsed.fulfilment)


def flag_issue(
    *,
    account: EbayAccount,
    ebay_order_id: str,
    kind: str,
    message: str,
    order: Order | None = None,
) -> OrderIssue:
    """Record (or refresh the record of) an order held for review.

    A person's decision stands: an issue marked resolved is not reopened when the next
    import (the overlap re-reads recent orders) meets the same order again.
    """
    issue = None
    if ebay_order_id:
        issue = (
            OrderIssue.objects.filter(ebay_account=account, ebay_order_id=ebay_order_id, kind=kind)
            .order_by("resolved", "-id")
            .first()
        )
    if issue is None:
        return OrderIssue.objects.create(
            ebay_account=account,
            ebay_order_id=ebay_order_id[:64],
            kind=kind,
            message=message,
            order=order,
        )
    if not issue.resolved:
        issue.message = message
        issue.order = order or issue.order
        issue.save(update_fields=["message", "order", "last_seen"])
    return issue
