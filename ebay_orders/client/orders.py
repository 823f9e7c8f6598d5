"""GetOrders and CompleteSale: request builders and the GetOrders response parser (pure).

:class:`EbayOrder` and :class:`OrderLine` are what both order sources produce (the
Trading API here, the Sell Fulfillment API in ``fulfillment``), so one store serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from ebay_orders.client.errors import EbayMalformedResponse, EbayMessage
from ebay_orders.client.xmlutil import (
    amount,
    children,
    ebay_time,
    element,
    find,
    optional_time,
    serialize,
    sub,
    text,
)


@dataclass(frozen=True)
class OrderLine:
    """One line of an order (a Trading ``Transaction``, a REST ``lineItem``).

    ``order_line_item_id`` is Hemi's key for the line: ``ItemID-TransactionID``, which
    both sources give (the REST ``lineItemId`` is the Trading ``TransactionID`` [I]).
    """

    order_line_item_id: str
    item_id: str
    transaction_id: str
    sku: str
    title: str
    quantity: int
    price: Decimal
    currency: str
    # Set only when eBay sent Program/Fulfillment: the line is shipped by eBay's programme.
    # Vault lines (FulfillmentBy EBAY without a warehouse) are eBay's to ship too.
    fulfilled_by_ebay: bool = False
    fulfillment_by: str = ""
    fulfillment_ref_id: str = ""
    in_vault: bool = False
    # False when the source cannot tell the warehouse (REST): the stored one is kept.
    fulfillment_ref_id_known: bool = True


def order_amounts(
    lines: Sequence[OrderLine],
    subtotal: Decimal | None,
    shipping: Decimal | None,
    total: Decimal | None,
    total_currency: str,
) -> dict[str, Any]:
    """An order's amounts as both order sources store them: what eBay gave, else the
    lines' sum for the subtotal, zero for shipping and total, the lines' currency."""
    return {
        "subtotal": subtotal
        if subtotal is not None
        else sum((line.price * line.quantity for line in lines), Decimal("0")),
        "shipping_cost": shipping if shipping is not None else Decimal("0"),
        "total": total if total is not None else Decimal("0"),
        "currency": total_currency or next((line.currency for line in lines if line.currency), ""),
    }


@dataclass(frozen=True)
class EbayOrder:
    """One ``Order`` of a GetOrders page, in the fields Hemi keeps."""

    order_id: str
    order_status: str
    cancel_status: str
    created_time: datetime | None
    modified_time: datetime | None
    paid_time: datetime | None
    buyer_user_id: str
    buyer_email: str
    subtotal: Decimal
    shipping_cost: Decimal
    total: Decimal
    currency: str
    ship_name: str
    ship_company: str
    ship_address1: str
    ship_address2: str
    ship_city: str
    ship_state: str
    ship_postcode: str
    ship_country_code: str
    ship_phone: str
    lines: tuple[OrderLine, ...]
    # What the seller (or Hemi) reported: Order/ShippedTime and every line's tracking numbers.
    shipped_time: datetime | None = None
    tracking_numbers: tuple[str, ...] = ()

    @property
    def fulfilment(self) -> str:
        """ "ebay" when every line is eBay-fulfilled, "seller" when none is, else "mixed"."""
        by_ebay = {line.fulfilled_by_ebay for line in self.lines}
        if by_ebay == {True}:
            return "ebay"
        if by_ebay == {False}:
            return "seller"
        return "mixed"


@dataclass(frozen=True)
class OrderProblem:
    """An order of the page that could not be read; the rest of the page still counts."""

    order_id: str
    message: str


@dataclass(frozen=True)
class GetOrdersPage:
    """One page of GetOrders."""

    page_number: int
    total_pages: int | None
    total_entries: int | None
    has_more_orders: bool
    orders: list[EbayOrder]
    problems: list[OrderProblem] = field(default_factory=list)
    warnings: list[EbayMessage] = field(default_factory=list)
    # REST paging: the offset of the next page, None on the last page (Trading: unused).
    next_offset: int | None = None


# How many OrderIDs one GetOrders call carries (one page's worth) [I].
MAX_ORDER_IDS = 100


class OrderParseError(ValueError):
    """An order (or one of its lines) lacks a required field or has an unreadable value."""


def get_orders_request(
    *, mod_time_from: datetime, mod_time_to: datetime, page_number: int, entries_per_page: int
) -> bytes:
    """The GetOrders body for one page of one modification-time window."""
    root = element("GetOrdersRequest")
    sub(root, "DetailLevel", "ReturnAll")
    sub(root, "ModTimeFrom", ebay_time(mod_time_from))
    sub(root, "ModTimeTo", ebay_time(mod_time_to))
    sub(root, "OrderRole", "Seller")
    sub(root, "OrderStatus", "All")
    pagination = sub(root, "Pagination")
    sub(pagination, "EntriesPerPage", str(entries_per_page))
    sub(pagination, "PageNumber", str(page_number))
    sub(root, "WarningLevel", "High")
    return serialize(root)


def get_orders_by_id_request(*, order_ids: Sequence[str]) -> bytes:
    """The GetOrders body for these orders (eBay ignores every other filter with OrderIDs)."""
    if not order_ids or len(order_ids) > MAX_ORDER_IDS:
        raise ValueError(f"between 1 and {MAX_ORDER_IDS} order ids, got {len(order_ids)}")
    root = element("GetOrdersRequest")
    sub(root, "DetailLevel", "ReturnAll")
    array = sub(root, "OrderIDArray")
    for order_id in order_ids:
        sub(array, "OrderID", order_id)
    sub(root, "OrderRole", "Seller")
    sub(root, "WarningLevel", "High")
    return serialize(root)


def complete_sale_request(
    *, order_id: str, carrier: str, tracking_number: str, shipped_time: datetime | None = None
) -> bytes:
    """The CompleteSale body that marks ``order_id`` shipped with its tracking details."""
    root = element("CompleteSaleRequest")
    sub(root, "OrderID", order_id)
    sub(root, "Shipped", "true")
    shipment = sub(root, "Shipment")
    tracking = sub(shipment, "ShipmentTrackingDetails")
    sub(tracking, "ShippingCarrierUsed", carrier)
    sub(tracking, "ShipmentTrackingNumber", tracking_number)
    if shipped_time is not None:
        sub(shipment, "ShippedTime", ebay_time(shipped_time))
    sub(root, "WarningLevel", "High")
    return serialize(root)


def _integer(raw: str, name: str, default: int) -> int:
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise OrderParseError(f"{name} is not a whole number: {raw!r}") from None


def parse_line(node: etree._Element) -> OrderLine:
    """Read one ``Transaction``; raise :class:`OrderParseError` when it is unusable."""
    item_id = text(node, "Item", "ItemID")
    transaction_id = text(node, "TransactionID")
    if not item_id:
        raise OrderParseError("an order line has no Item/ItemID")
    # eBay builds OrderLineItemID as ItemID-TransactionID; older answers may omit it.
    line_id = text(node, "OrderLineItemID") or (
        f"{item_id}-{transaction_id}" if transaction_id else ""
    )
    if not line_id:
        raise OrderParseError(f"the line for item {item_id} has no OrderLineItemID")
    quantity = _integer(text(node, "QuantityPurchased"), "QuantityPurchased", 1)
    if quantity < 1:
        raise OrderParseError(f"line {line_id} has quantity {quantity}")
    try:
        price, currency = amount(node, "TransactionPrice")
    except ValueError as exc:
        raise OrderParseError(f"line {line_id}: {exc}") from None
    fulfillment = find(node, "Program", "Fulfillment")
    by = text(fulfillment, "FulfillmentBy")
    ref_id = text(fulfillment, "FulfillmentRefId")
    return OrderLine(
        order_line_item_id=line_id,
        item_id=item_id,
        transaction_id=transaction_id,
        # A variation's own SKU is the one Hemi stocks.
        sku=text(node, "Variation", "SKU") or text(node, "Item", "SKU"),
        title=text(node, "Variation", "VariationTitle") or text(node, "Item", "Title"),
        quantity=quantity,
        price=price if price is not None else Decimal("0"),
        currency=currency,
        fulfilled_by_ebay=fulfillment is not None,
        fulfillment_by=by,
        fulfillment_ref_id=ref_id,
        # eBay's Vault: FulfillmentBy EBAY and, by eBay's rule, no FulfillmentRefId.
        in_vault=by.upper() == "EBAY" and not ref_id,
    )


def parse_order(node: etree._Element) -> EbayOrder:
    """Read one ``Order``; raise :class:`OrderParseError` when it is unusable."""
    order_id = text(node, "OrderID")
    if not order_id:
        raise OrderParseError("an order has no OrderID")
    transactions = list(children(find(node, "TransactionArray"), "Transaction"))
    if not transactions:
        raise OrderParseError("the order has no TransactionArray/Transaction")
    lines = tuple(parse_line(t) for t in transactions)
    try:
        total, total_currency = amount(node, "Total")
        subtotal, _ = amount(node, "Subtotal")
        shipping, _ = amount(node, "ShippingServiceSelected", "ShippingServiceCost")
        created = optional_time(node, "CreatedTime")
        modified = optional_time(node, "CheckoutStatus", "LastModifiedTime")
        paid = optional_time(node, "PaidTime")
        shipped = optional_time(node, "ShippedTime")
    except ValueError as exc:
        raise OrderParseError(str(exc)) from None
    address = find(node, "ShippingAddress")
    email = text(transactions[0], "Buyer", "Email")
    return EbayOrder(
        order_id=order_id,
        order_status=text(node, "OrderStatus"),
        cancel_status=text(node, "CancelStatus"),
        created_time=created,
        modified_time=modified,
        paid_time=paid,
        buyer_user_id=text(node, "BuyerUserID"),
        # eBay masks the address ("Invalid Request") outside a short window after the sale.
        buyer_email=email if "@" in email else "",
        **order_amounts(lines, subtotal, shipping, total, total_currency),
        ship_name=text(address, "Name"),
        ship_company=text(address, "CompanyName"),
        ship_address1=text(address, "Street1"),
        ship_address2=text(address, "Street2"),
        ship_city=text(address, "CityName"),
        ship_state=text(address, "StateOrProvince"),
        ship_postcode=text(address, "PostalCode"),
        ship_country_code=text(address, "Country"),
        ship_phone=text(address, "Phone"),
        lines=lines,
        shipped_time=shipped,
        tracking_numbers=tuple(
            number
            for transaction in transactions
            for details in children(find(transaction, "ShippingDetails"), "ShipmentTrackingDetails")
            if (number := text(details, "ShipmentTrackingNumber"))
        ),
    )


def parse_get_orders(root: etree._Element, warnings: list[EbayMessage]) -> GetOrdersPage:
    """Read a GetOrders response whose ``Ack`` was already checked.

    A malformed order becomes an :class:`OrderProblem` and the rest of the page is kept.
    """
    orders: list[EbayOrder] = []
    problems: list[OrderProblem] = []
    for node in children(find(root, "OrderArray"), "Order"):
        try:
            orders.append(parse_order(node))
        except OrderParseError as exc:
            problems.append(OrderProblem(order_id=text(node, "OrderID"), message=str(exc)))
    total_pages_raw = text(root, "PaginationResult", "TotalNumberOfPages")
    total_entries_raw = text(root, "PaginationResult", "TotalNumberOfEntries")
    try:
        page_number = _integer(text(root, "PageNumber"), "PageNumber", 1)
    except OrderParseError as exc:
        raise EbayMalformedResponse(f"GetOrders: {exc}") from None
    return GetOrdersPage(
        page_number=page_number,
        total_pages=int(total_pages_raw) if total_pages_raw.isdigit() else None,
        total_entries=int(total_entries_raw) if total_entries_raw.isdigit() else None,
        has_more_orders=text(root, "HasMoreOrders").lower() == "true",
        orders=orders,
        problems=problems,
        warnings=warnings,
    )
