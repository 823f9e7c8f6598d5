"""Trading API XML as eBay writes it: responses of GetOrders and CompleteSale, and errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from ebay_orders.sandbox.state import COUNTRIES, SITES, SandboxLine, SandboxOrder, now_utc

NS = "urn:ebay:apis:eBLBaseComponents"
VERSION = "1349"
# The ack_warning fault's own code: the sandbox's, not one of eBay's.
WARNING_CODE = "99001"
WARNING_MESSAGE = "Sandbox warning injected by the ack_warning fault."
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class BadRequest(ValueError):
    """The request is not a Trading API call eBay would accept."""


def ebay_time(moment: datetime) -> str:
    """``2026-11-20T10:00:00.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def read_time(value: str, name: str) -> datetime:
    """Parse an eBay time sent by the caller, or raise :class:`BadRequest`."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"{name} is not a valid time: {value!r}") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{name} has no timezone: {value!r}")
    return moment.astimezone(UTC)


def parse_request(body: bytes, call_name: str) -> etree._Element:
    """The request root, which must be ``<{call_name}Request>`` in eBay's namespace."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"request is not well-formed XML: {exc}") from None
    if root.tag != f"{{{NS}}}{call_name}Request":
        raise BadRequest(f"expected <{call_name}Request> in {NS}, got {root.tag}")
    return root


def value(root: etree._Element, path: str) -> str:
    """Text at a slash-separated path of local names ("" when absent)."""
    node = root.find("/".join(f"{{{NS}}}{part}" for part in path.split("/")))
    return (node.text or "").strip() if node is not None else ""


def values(root: etree._Element, path: str) -> list[str]:
    """Texts of every element at a slash-separated path of local names, blanks left out."""
    nodes = root.findall("/".join(f"{{{NS}}}{part}" for part in path.split("/")))
    return [text for node in nodes if (text := (node.text or "").strip())]


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}", attrib=attrs)
    if text is not None:
        node.text = text
    return node


def _amount(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    _el(parent, tag, f"{amount:.2f}", currencyID=currency)


def envelope(call_name: str, ack: str) -> etree._Element:
    """``<{call}Response>`` with Timestamp, Ack, Version and Build."""
    # The call name comes from a request header: only a plain word may become a tag.
    call_name = call_name if call_name.isalnum() and call_name.isascii() else "Unknown"
    # Parsed rather than built: lxml's stubs cannot type a default-namespace nsmap.
    root = etree.fromstring(f'<{call_name}Response xmlns="{NS}"/>'.encode(), parser=_PARSER)
    _el(root, "Timestamp", ebay_time(now_utc()))
    _el(root, "Ack", ack)
    _el(root, "Version", VERSION)
    _el(root, "Build", "E1349_CORE_APIXO_19220561_R1")
    return root


def add_error(root: etree._Element, code: str, message: str, severity: str = "Error") -> None:
    """Append one ``Errors`` item (eBay puts them right after ``Ack``)."""
    errors = etree.Element(f"{{{NS}}}Errors")
    _el(errors, "ShortMessage", message[:80])
    _el(errors, "LongMessage", message)
    _el(errors, "ErrorCode", code)
    _el(errors, "SeverityCode", severity)
    _el(errors, "ErrorClassification", "RequestError")
    root.find(f"{{{NS}}}Ack").addnext(errors)  # type: ignore[union-attr]


def failure(call_name: str, code: str, message: str) -> bytes:
    """A complete ``Ack`` Failure response."""
    root = envelope(call_name, "Failure")
    add_error(root, code, message)
    return serialize(root)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _line(parent: etree._Element, order: SandboxOrder, line: SandboxLine) -> None:
    node = _el(parent, "Transaction")
    buyer = _el(node, "Buyer")
    _el(buyer, "Email", order.email_shown)
    _el(buyer, "UserFirstName", order.buyer_name.split()[0])
    _el(buyer, "UserLastName", order.buyer_name.split()[-1])
    if order.tracking:
        shipping = _el(node, "ShippingDetails")
        for tracking in order.tracking:
            details = _el(shipping, "ShipmentTrackingDetails")
            _el(details, "ShippingCarrierUsed", tracking["carrier"])
            _el(details, "ShipmentTrackingNumber", tracking["number"])
    _el(node, "CreatedDate", ebay_time(order.created))
    item = _el(node, "Item")
    _el(item, "ItemID", line.item_id)
    _el(item, "Site", SITES.get(order.site_id, "UK"))
    _el(item, "Title", line.title)
    _el(item, "SKU", line.sku)
    _el(node, "QuantityPurchased", "one" if order.malformed else str(line.quantity))
    _el(node, "TransactionID", line.transaction_id)
    _amount(node, "TransactionPrice", line.price, order.currency)
    _el(node, "OrderLineItemID", line.line_id)
    if line.fulfilled_by_ebay:
        fulfillment = _el(_el(node, "Program"), "Fulfillment")
        _el(fulfillment, "FulfillmentBy", "EBAY")
        if line.fulfillment_ref_id:  # eBay Vault lines name no warehouse
            _el(fulfillment, "FulfillmentRefId", line.fulfillment_ref_id)


def add_order(array: etree._Element, order: SandboxOrder) -> None:
    """Append one ``Order`` in GetOrders' shape (DetailLevel ReturnAll)."""
    node = _el(array, "Order")
    _el(node, "OrderID", order.order_id)
    _el(node, "OrderStatus", "Completed")
    total = order.subtotal + order.shipping_cost
    _amount(node, "AmountPaid", total, order.currency)
    checkout = _el(node, "CheckoutStatus")
    _el(checkout, "eBayPaymentStatus", "NoPaymentFailure")
    _el(checkout, "LastModifiedTime", ebay_time(order.modified))
    _el(checkout, "PaymentMethod", "CreditCard")
    _el(checkout, "Status", "Complete")
    _el(node, "CreatedTime", ebay_time(order.created))
    _el(node, "SellerUserID", f"demo-seller-{SITES.get(order.site_id, 'uk').lower()}")
    address = _el(node, "ShippingAddress")
    _el(address, "Name", order.buyer_name)
    _el(address, "Street1", order.street_line)
    _el(address, "Street2")
    _el(address, "CityName", order.city)
    _el(address, "StateOrProvince", "East Sussex")
    _el(address, "Country", COUNTRIES.get(order.site_id, "GB"))
    _el(address, "Phone", "07510057052")
    _el(address, "PostalCode", order.postcode)
    selected = _el(node, "ShippingServiceSelected")
    _el(selected, "ShippingService", "UK_RoyalMailSecondClassStandard")
    _amount(selected, "ShippingServiceCost", order.shipping_cost, order.currency)
    _amount(node, "Subtotal", order.subtotal, order.currency)
    _amount(node, "Total", total, order.currency)
    lines = _el(node, "TransactionArray")
    for line in order.lines:
        _line(lines, order, line)
    _el(node, "BuyerUserID", order.buyer_user_id)
    _el(node, "PaidTime", ebay_time(order.created))
    if order.shipped_time is not None:
        _el(node, "ShippedTime", ebay_time(order.shipped_time))
    _el(node, "CancelStatus", "NotApplicable")


def get_orders_response(
    orders: list[SandboxOrder],
    *,
    page_number: int,
    per_page: int,
    total: int,
    ack: str = "Success",
) -> bytes:
    """One page of GetOrders; ``orders`` is that page's slice of ``total`` matches."""
    root = envelope("GetOrders", ack)
    pages = max(1, -(-total // per_page))
    pagination = _el(root, "PaginationResult")
    _el(pagination, "TotalNumberOfPages", str(pages))
    _el(pagination, "TotalNumberOfEntries", str(total))
    _el(root, "HasMoreOrders", "true" if page_number < pages else "false")
    array = _el(root, "OrderArray")
    for order in orders:
        add_order(array, order)
    _el(root, "OrdersPerPage", str(per_page))
    _el(root, "PageNumber", str(page_number))
    _el(root, "ReturnedOrderCountActual", str(len(orders)))
    if ack == "Warning":
        add_error(root, WARNING_CODE, WARNING_MESSAGE, "Warning")
    return serialize(root)


def complete_sale_response(ack: str = "Success") -> bytes:
    """CompleteSale's answer: nothing but the envelope."""
    root = envelope("CompleteSale", ack)
    if ack == "Warning":
        add_error(root, WARNING_CODE, WARNING_MESSAGE, "Warning")
    return serialize(root)
