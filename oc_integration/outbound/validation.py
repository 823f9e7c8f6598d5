"""Checking an outbound order before it is sent: clear per-field errors, stock warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from oc_integration.models import OrderPlatform, OutboundOrder, OutboundOrderLine

EBAY_ORDER_ID = re.compile(r"^\d{2}-\d{5}-\d{5}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
#: OC's length limits (its API document).
MAX_LENGTHS = {"house_number": 10, "zip_code": 10, "company_name": 100}
REQUIRED = {
    "reference_number": "reference number",
    "order_platform": "platform",
    "service_region": "region",
    "shipping_service_code": "shipping service",
    "consignee_name": "recipient",
    "address1": "address line 1",
    "country_code": "country code",
}


@dataclass
class Validation:
    """Errors block sending; warnings (e.g. low stock) do not."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(
    order: OutboundOrder,
    lines: list[OutboundOrderLine],
    *,
    services: set[str],
    available: dict[str, int],
) -> Validation:
    """Check ``order`` against OC's rules.

    ``services``: the shipping service codes OC offers in the order's region (empty when
    the list was never fetched: then the code is not checked). ``available``: OC SKU ->
    available stock in the region, for the low-stock warning.
    """
    result = Validation()
    for name, label in REQUIRED.items():
        if not str(getattr(order, name) or "").strip():
            result.error(name, f"The {label} is required.")
    for name, limit in MAX_LENGTHS.items():
        value = str(getattr(order, name) or "")
        if len(value) > limit:
            result.error(name, f"At most {limit} characters for OC (this has {len(value)}).")
    if order.country_code and not COUNTRY_CODE.match(order.country_code):
        result.error("country_code", "A country code is two capital letters, e.g. GB or DE.")
    if order.shipping_service_code and services and order.shipping_service_code not in services:
        result.error(
            "shipping_service_code",
            f"OC offers no service {order.shipping_service_code} in {order.service_region}.",
        )
    if order.order_platform == OrderPlatform.EBAY and not EBAY_ORDER_ID.match(
        order.ebay_order_id or ""
    ):
        result.error(
            "ebay_order_id", "eBay orders need the eBay order id in OC's form 02-05696-00555."
        )
    if not lines:
        result.error("lines", "The order has no lines.")
    for line in lines:
        if not line.oc_sku:
            result.error(
                "lines",
                f"SKU {line.sku} has no OC SKU in {order.service_region}: it is not created "
                "in OC there (run the stock sync, or create it in OC's portal).",
            )
        if line.quantity < 1:
            result.error("lines", f"SKU {line.sku}: the quantity must be at least 1.")
        stock = available.get(line.oc_sku)
        if line.oc_sku and stock is not None and stock < line.quantity:
            result.warnings.append(
                f"SKU {line.sku}: OC showed {stock} available in {order.service_region} at "
                f"the last stock sync, the order needs {line.quantity}."
            )
    return result


def creation_payload(order: OutboundOrder, lines: list[OutboundOrderLine]) -> dict[str, Any]:
    """The order as OC's Place Outbound Order expects it."""
    payload: dict[str, Any] = {
        "referenceNumber": order.reference_number,
        "orderPlatform": order.order_platform,
        "serviceRegion": order.service_region,
        "shippingServiceCode": order.shipping_service_code,
        "consigneeName": order.consignee_name,
        "companyName": order.company_name,
        "houseNumber": order.house_number,
        "consigneeAddress1": order.address1,
        "consigneeAddress2": order.address2,
        "consigneeCity": order.city,
        "consigneeProvinceOrState": order.province_or_state,
        "consigneeCountryCode": order.country_code,
        "consigneeZipCode": order.zip_code,
        "consigneePhone": order.phone,
        "consigneeEmail": order.email,
        "remarks": order.remarks,
        "currency": order.currency,
        "incoterms": order.incoterms,
        "productList": [
            {
                "MFSKUID": line.oc_sku,
                "declaredValue": float(line.declared_value),
                "SKUQuantity": line.quantity,
                "currency": line.currency,
                **(
                    {"ebayItemId": line.ebay_item_id, "ebayTransactionId": line.ebay_transaction_id}
                    if order.order_platform == OrderPlatform.EBAY and line.ebay_item_id
                    else {}
                ),
            }
            for line in lines
        ],
    }
    if order.order_platform == OrderPlatform.EBAY:
        payload["ebayOrderId"] = order.ebay_order_id
    return payload
