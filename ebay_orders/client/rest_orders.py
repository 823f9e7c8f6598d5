"""Reading the Sell Fulfillment API's JSON into the orders the store takes. Pure, no Django.

Orders come back as the same :class:`EbayOrder` / :class:`OrderLine` the Trading parser
produces, under the same keys: the order's id is ``orderId`` (what Trading's ``OrderID``
has been at every compatibility level since 1113), and a line's id is
``legacyItemId-lineItemId``, Trading's ``ItemID-TransactionID`` [I].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ebay_orders.client.errors import (
    EbayMalformedResponse,
    EbayMessage,
)
from ebay_orders.client.orders import (
    EbayOrder,
    GetOrdersPage,
    OrderLine,
    OrderParseError,
    OrderProblem,
    order_amounts,
)
from ebay_orders.client.xmlutil import parse_ebay_time


@dataclass(frozen=True)
class ShippingFulfillment:
    """One shipping fulfillment eBay holds for an order (a package with its tracking)."""

    fulfillment_id: str
    tracking_number: str
    carrier: str
    shipped_date: datetime | None
    line_item_ids: tuple[str, ...] = ()


def json_object(payload: Any, operation: str) -> dict[str, Any]:
    """``payload`` as a JSON object, or a clear error naming ``operation``."""
    if not isinstance(payload, dict):
        raise EbayMalformedResponse(f"{operation}: the answer is not a JSON object")
    return payload


def messages_of(
    payload: dict[str, Any], key: str = "errors", severity: str = "Error"
) -> list[EbayMessage]:
    """eBay's ``errors`` (or ``warnings``) list of a JSON answer as messages."""
    items = payload.get(key) or []
    if not isinstance(items, list):
        return []
    return [
        EbayMessage(
            code=str(item.get("errorId", "")),
            severity=severity,
            short_message=str(item.get("message", "")),
            long_message=str(item.get("longMessage", "")),
        )
        for item in items
        if isinstance(item, dict)
    ]


# --- parsing (pure) ----------------------------------------------------------------------
def _get(data: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _text(data: Any, *path: str) -> str:
    value = _get(data, *path)
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _amount(data: Any, *path: str) -> tuple[Decimal | None, str]:
    """An ``Amount`` object (``value`` and ``currency``); (None, "") when absent."""
    node = _get(data, *path)
    if node is None:
        return None, ""
    raw = _text(node, "value")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise OrderParseError(f"{'.'.join(path)} is not an amount: {raw!r}") from None
    if not value.is_finite():
        raise OrderParseError(f"{'.'.join(path)} is not an amount: {raw!r}")
    return value, _text(node, "currency").upper()


def _time(data: Any, *path: str) -> datetime | None:
    raw = _text(data, *path)
    if not raw:
        return None
    try:
        return parse_ebay_time(raw)
    except ValueError:
        raise OrderParseError(f"{'.'.join(path)} is not a time: {raw!r}") from None


def _quantity(raw: Any, line_id: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise OrderParseError(f"line {line_id} has no readable quantity")
    try:
        quantity = int(raw)
    except ValueError:
        raise OrderParseError(f"line {line_id}: quantity is not a whole number: {raw!r}") from None
    if quantity < 1:
        raise OrderParseError(f"line {line_id} has quantity {quantity}")
    return quantity


def parse_line(data: Any) -> OrderLine:
    """Read one ``lineItem``; raise :class:`OrderParseError` when it is unusable."""
    if not isinstance(data, dict):
        raise OrderParseError("a line item is not an object")
    line_item_id = _text(data, "lineItemId")
    item_id = _text(data, "legacyItemId")
    if not line_item_id:
        raise OrderParseError("a line item has no lineItemId")
    if not item_id:
        raise OrderParseError(f"line item {line_item_id} has no legacyItemId")
    line_id = f"{item_id}-{line_item_id}"
    quantity = _quantity(data.get("quantity"), line_id)
    cost, currency = _amount(data, "lineItemCost")
    # lineItemCost is the whole line (unit price x quantity); Hemi keeps the unit price.
    price = (cost / quantity).quantize(Decimal("0.01"), ROUND_HALF_UP) if cost else Decimal("0")
    by_ebay = _text(data, "program", "fulfillmentProgram", "fulfilledBy").upper() == "EBAY"
    vault = _get(data, "program", "ebayVault") is not None
    return OrderLine(
        order_line_item_id=line_id,
        item_id=item_id,
        transaction_id=line_item_id,
        sku=_text(data, "sku"),
        title=_text(data, "title"),
        quantity=quantity,
        price=price,
        currency=currency,
        fulfilled_by_ebay=by_ebay or vault,
        fulfillment_by="EBAY" if by_ebay or vault else "",
        in_vault=vault,
        # REST names no warehouse: unknown for eBay-fulfilled lines until Trading tells.
        fulfillment_ref_id_known=not by_ebay or vault,
    )


def parse_order(data: Any) -> EbayOrder:
    """Read one REST ``order``; raise :class:`OrderParseError` when it is unusable."""
    if not isinstance(data, dict):
        raise OrderParseError("an order is not an object")
    order_id = _text(data, "orderId")
    if not order_id:
        raise OrderParseError("an order has no orderId")
    items = data.get("lineItems")
    if not isinstance(items, list) or not items:
        raise OrderParseError("the order has no lineItems")
    lines = tuple(parse_line(item) for item in items)
    total, total_currency = _amount(data, "pricingSummary", "total")
    subtotal, _ = _amount(data, "pricingSummary", "priceSubtotal")
    shipping, _ = _amount(data, "pricingSummary", "deliveryCost")
    created = _time(data, "creationDate")
    modified = _time(data, "lastModifiedDate")
    payments = _get(data, "paymentSummary", "payments")
    paid = None
    if _text(data, "orderPaymentStatus") == "PAID":
        first = payments[0] if isinstance(payments, list) and payments else {}
        paid = _time(first, "paymentDate") or created
    cancelled = _text(data, "cancelStatus", "cancelState") == "CANCELED"
    instructions = data.get("fulfillmentStartInstructions")
    ship_to = _get(
        instructions[0] if isinstance(instructions, list) and instructions else {},
        "shippingStep",
        "shipTo",
    )
    address = _get(ship_to, "contactAddress")
    email = _text(data, "buyer", "buyerRegistrationAddress", "email") or _text(ship_to, "email")
    return EbayOrder(
        order_id=order_id,
        order_status="Cancelled" if cancelled else ("Completed" if paid else "Active"),
        cancel_status="CancelComplete" if cancelled else "",
        created_time=created,
        modified_time=modified,
        paid_time=paid,
        buyer_user_id=_text(data, "buyer", "username"),
        buyer_email=email if "@" in email else "",
        **order_amounts(lines, subtotal, shipping, total, total_currency),
        ship_name=_text(ship_to, "fullName"),
        ship_company=_text(ship_to, "companyName"),
        ship_address1=_text(address, "addressLine1"),
        ship_address2=_text(address, "addressLine2"),
        ship_city=_text(address, "city"),
        ship_state=_text(address, "stateOrProvince"),
        ship_postcode=_text(address, "postalCode"),
        ship_country_code=_text(address, "countryCode"),
        ship_phone=_text(ship_to, "primaryPhone", "phoneNumber"),
        lines=lines,
    )


def _count(payload: dict[str, Any], name: str, default: int) -> int:
    raw = payload.get(name, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise EbayMalformedResponse(f"getOrders: {name} is not a count: {raw!r}")
    return raw


def parse_orders_page(payload: Any, *, offset: int, limit: int) -> GetOrdersPage:
    """Read a getOrders answer. A malformed order becomes an :class:`OrderProblem` naming
    it, and the rest of the page is kept; a malformed page raises
    :class:`EbayMalformedResponse`."""
    page = json_object(payload, "getOrders")
    found = page.get("orders", [])
    if not isinstance(found, list):
        raise EbayMalformedResponse("getOrders: orders is not a list")
    total = _count(page, "total", len(found))
    served = _count(page, "limit", limit) or limit
    start = _count(page, "offset", offset)
    orders: list[EbayOrder] = []
    problems: list[OrderProblem] = []
    for item in found:
        try:
            orders.append(parse_order(item))
        except OrderParseError as exc:
            problems.append(OrderProblem(order_id=_text(item, "orderId"), message=str(exc)))
    more = bool(page.get("next")) and start + served < total
    return GetOrdersPage(
        page_number=start // served + 1,
        total_pages=-(-total // served) if total else 0,
        total_entries=total,
        has_more_orders=more,
        orders=orders,
        problems=problems,
        warnings=messages_of(page, "warnings", "Warning"),
        next_offset=start + served if more else None,
    )


def parse_shipping_fulfillment(data: Any) -> ShippingFulfillment:
    if not isinstance(data, dict):
        raise OrderParseError("a fulfillment is not an object")
    items = data.get("lineItems") or []
    return ShippingFulfillment(
        fulfillment_id=_text(data, "fulfillmentId"),
        tracking_number=_text(data, "shipmentTrackingNumber"),
        carrier=_text(data, "shippingCarrierCode"),
        shipped_date=_time(data, "shippedDate"),
        line_item_ids=tuple(_text(item, "lineItemId") for item in items)
        if isinstance(items, list)
        else (),
    )
