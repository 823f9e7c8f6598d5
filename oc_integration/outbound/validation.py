"""Checking an outbound order before it is sent: clear per-field errors, stock warnings.

Every message names its field in the words staff see in the admin and says what is wrong,
e.g. "Postcode: at most 10 characters for OC (this has 12)." The field rules are those of
OC's Place Outbound Order page (see :data:`OC_FIELDS`); a few are our own choices, marked
as such where they are defined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pycountry

from oc_integration.models import OrderPlatform, OutboundOrder, OutboundOrderLine


@dataclass(frozen=True)
class FieldRule:
    """What OC's Place Outbound Order accepts in one field."""

    oc_name: str
    label: str  # the field's name as staff read it
    required: bool = False
    max_length: int | None = None


#: Model field -> OC's rule. From OC's Place Outbound Order field table (page 116942656)
#: unless a comment says otherwise. Line fields are ``line.<field of OutboundOrderLine>``.
#: Not checked: ``fileGroupID`` (255), which is never sent.
OC_FIELDS: dict[str, FieldRule] = {
    # OC's page shows no requirement flag or limit for referenceNumber: required is OC's
    # field list read by us [I]; 50 is the limit OC gives referenceNumber on its inbound
    # calls (Upload TrackingNo, 1-50 characters), assumed to hold here too [I].
    "reference_number": FieldRule("referenceNumber", "Reference number", True, 50),
    # Required: our reading, OC's page does not show the flag [I].
    "order_platform": FieldRule("orderPlatform", "Platform", True, 50),
    # Required: our reading [I]; at most 50 is GetServiceList's serviceRegion field.
    "service_region": FieldRule("serviceRegion", "Region", True, 50),
    # Required: our reading [I]; OC gives no limit.
    "shipping_service_code": FieldRule("shippingServiceCode", "Shipping service", True),
    # Required by OC; no limit shown.
    "consignee_name": FieldRule("consigneeName", "Recipient", True),
    "company_name": FieldRule("companyName", "Company", max_length=100),
    "house_number": FieldRule("houseNumber", "House number", max_length=10),
    "address1": FieldRule("consigneeAddress1", "Address line 1", True, 200),
    "address2": FieldRule("consigneeAddress2", "Address line 2", max_length=200),
    # OC marks the city optional; we refuse an empty one (see validate).
    "city": FieldRule("consigneeCity", "City", max_length=100),
    "province_or_state": FieldRule("consigneeProvinceOrState", "County / state", max_length=100),
    # OC marks the postcode optional; see POSTCODE_COUNTRIES.
    "zip_code": FieldRule("consigneeZipCode", "Postcode", max_length=10),
    # ISO 3166-1 alpha-2; checked with pycountry (see validate).
    "country_code": FieldRule("consigneeCountryCode", "Country code", True, 2),
    "phone": FieldRule("consigneePhone", "Phone", max_length=100),
    "email": FieldRule("consigneeEmail", "Email", max_length=100),
    # OC shows no requirement flag or limit for remarks.
    "remarks": FieldRule("remarks", "Remarks"),
    # Required for eBay orders (OC), in the form 02-05696-00555 (see validate).
    "ebay_order_id": FieldRule("ebayOrderId", "eBay order id", max_length=100),
    # Required for eBay orders (OC): the buyer's eBay user id (see validate).
    "ebay_buyer_id": FieldRule("ebayId", "eBay buyer", max_length=100),
    # At least one line: our reading of OC's productList [I]. MFSKUID is OC + 13 digits
    # (15 characters, as in OC's stock snapshot); SKUQuantity a whole number from 1.
    "line.oc_sku": FieldRule("productList[].MFSKUID", "OC SKU", True, 15),
    "line.quantity": FieldRule("productList[].SKUQuantity", "Quantity", True),
}

#: Countries whose addresses need a postcode for a parcel to arrive. OC marks the postcode
#: optional: this set is our choice (OC's own regions, the EU's large postal systems, and
#: the destinations a UK or DE warehouse commonly ships to); add a country here to require
#: it there too.
POSTCODE_COUNTRIES = frozenset(
    {
        "GB", "DE", "AT", "BE", "CH", "CZ", "DK", "ES", "FI", "FR", "IT", "LU", "NL",
        "NO", "PL", "PT", "SE", "US", "CA", "AU",
    }
)  # fmt: skip

EBAY_ORDER_ID = re.compile(r"^\d{2}-\d{5}-\d{5}$")
# Codes people type that ISO 3166-1 does not have, with the code they mean.
COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


@dataclass
class Validation:
    """Errors block sending; warnings (e.g. low stock) do not."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        """Record ``message`` against the field ``name``."""
        self.errors.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        """True when nothing stops the order from being sent."""
        return not self.errors

    @property
    def in_words(self) -> str:
        """Every error, one sentence each, field by field."""
        return " ".join(message for messages in self.errors.values() for message in messages)


def text_of(value: Any) -> str:
    """A field's value as it is sent to OC (surrounding spaces removed)."""
    return str(value if value is not None else "").strip()


def _too_long(label: str, limit: int, value: str) -> str:
    return f"{label}: at most {limit} characters for OC (this has {len(value)})."


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code ("" when it is none)."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return str(country.name) if country is not None else ""


def _suggestion(value: str) -> str:
    """The alpha-2 code ``value`` probably means (a code, an alpha-3, a name), or ""."""
    if value.upper() in COMMON_MISTAKES:
        return COMMON_MISTAKES[value.upper()]
    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError:
        pass
    if len(value) <= 3:
        # Fuzzy search on two or three letters finds unrelated countries (XX -> Malta).
        return ""
    try:
        return str(pycountry.countries.search_fuzzy(value)[0].alpha_2)
    except LookupError:
        return ""


def country_problem(value: str) -> str:
    """Why ``value`` is not an ISO 3166-1 alpha-2 country code ("" when it is one)."""
    label = OC_FIELDS["country_code"].label
    if len(value) == 2 and value.isalpha() and country_name(value):
        return ""
    if value.upper() == "UK":
        return f"{label}: UK is not a country code: did you mean GB?"
    suggested = _suggestion(value)
    if suggested:
        return (
            f"{label}: {value} is not an ISO 3166-1 two-letter country code: did you mean "
            f"{suggested} ({country_name(suggested)})?"
        )
    return (
        f"{label}: {value} is not an ISO 3166-1 two-letter country code; use the "
        "country's two letters, e.g. GB or DE."
    )


def _check_fields(order: OutboundOrder, result: Validation) -> None:
    """Required fields and OC's length limits, one message per field."""
    for name, rule in OC_FIELDS.items():
        if name.startswith("line."):
            continue
        value = text_of(getattr(order, name))
        if rule.required and not value:
            result.error(name, f"{rule.label}: required by OC.")
        elif name == "country_code":
            # A bad code gets a message about the code, not about its length.
            problem = country_problem(value)
            if problem:
                result.error(name, problem)
        elif rule.max_length is not None and len(value) > rule.max_length:
            result.error(name, _too_long(rule.label, rule.max_length, value))


def _check_address(order: OutboundOrder, result: Validation) -> None:
    """Our own rules on top of OC's: a city always, a postcode where the country uses one."""
    if not text_of(order.city):
        result.error("city", f"{OC_FIELDS['city'].label}: required to deliver the parcel.")
    country = text_of(order.country_code).upper()
    if country in POSTCODE_COUNTRIES and not text_of(order.zip_code):
        result.error(
            "zip_code",
            f"{OC_FIELDS['zip_code'].label}: required for addresses in {country} "
            f"({country_name(country)}).",
        )


def _check_lines(
    order: OutboundOrder,
    lines: list[OutboundOrderLine],
    available: dict[str, int],
    result: Validation,
) -> None:
    region = order.service_region
    if not lines:
        result.error("lines", "Lines: the order has none; OC needs at least one product.")
    sku_rule, quantity_rule = OC_FIELDS["line.oc_sku"], OC_FIELDS["line.quantity"]
    for line in lines:
        if not line.oc_sku:
            result.error(
                "lines",
                f"{sku_rule.label} of SKU {line.sku}: none in {region} (the product is not "
                "created in OC there, or the stock sync has not run since); create it in "
                "OC's portal or run the stock sync.",
            )
        elif sku_rule.max_length is not None and len(line.oc_sku) > sku_rule.max_length:
            result.error(
                "lines",
                _too_long(f"{sku_rule.label} of SKU {line.sku}", sku_rule.max_length, line.oc_sku),
            )
        if line.quantity < 1:
            result.error(
                "lines",
                f"{quantity_rule.label} of SKU {line.sku}: at least 1 for OC "
                f"(this has {line.quantity}).",
            )
        stock = available.get(line.oc_sku)
        if line.oc_sku and stock is not None and stock < line.quantity:
            result.warnings.append(
                f"SKU {line.sku}: OC showed {stock} available in {region} at "
                f"the last stock sync, the order needs {line.quantity}."
            )


def validate(
    order: OutboundOrder,
    lines: list[OutboundOrderLine],
    *,
    services: set[str],
    available: dict[str, int],
) -> Validation:
    """Check ``order`` against OC's rules (:data:`OC_FIELDS`) and ours.

    ``services``: the shipping service codes OC offers in the order's region (empty when
    the list was never fetched: then the code is not checked). ``available``: OC SKU ->
    available stock in the region, for the low-stock warning.
    """
    result = Validation()
    _check_fields(order, result)
    _check_address(order, result)
    service = text_of(order.shipping_service_code)
    if service and services and service not in services:
        result.error(
            "shipping_service_code",
            f"{OC_FIELDS['shipping_service_code'].label}: OC offers no service {service} "
            f"in {order.service_region}.",
        )
    ebay_id = text_of(order.ebay_order_id)
    if order.order_platform == OrderPlatform.EBAY and "ebay_order_id" not in result.errors:
        label = OC_FIELDS["ebay_order_id"].label
        if not ebay_id:
            result.error(
                "ebay_order_id",
                f"{label}: required by OC for eBay orders, in OC's form 02-05696-00555.",
            )
        elif not EBAY_ORDER_ID.match(ebay_id):
            result.error("ebay_order_id", f"{label}: {ebay_id} is not in OC's form 02-05696-00555.")
    if (
        order.order_platform == OrderPlatform.EBAY
        and "ebay_buyer_id" not in result.errors
        and not text_of(order.ebay_buyer_id)
    ):
        result.error(
            "ebay_buyer_id",
            f"{OC_FIELDS['ebay_buyer_id'].label}: required by OC for eBay orders (the buyer's "
            "eBay user id); the Hemi order has none. Import the order from eBay again.",
        )
    _check_lines(order, lines, available, result)
    return result


def creation_payload(order: OutboundOrder, lines: list[OutboundOrderLine]) -> dict[str, Any]:
    """The order as OC's Place Outbound Order expects it (values as validated)."""
    payload: dict[str, Any] = {
        "referenceNumber": text_of(order.reference_number),
        "orderPlatform": order.order_platform,
        "serviceRegion": text_of(order.service_region),
        "shippingServiceCode": text_of(order.shipping_service_code),
        "consigneeName": text_of(order.consignee_name),
        "companyName": text_of(order.company_name),
        "houseNumber": text_of(order.house_number),
        "consigneeAddress1": text_of(order.address1),
        "consigneeAddress2": text_of(order.address2),
        "consigneeCity": text_of(order.city),
        "consigneeProvinceOrState": text_of(order.province_or_state),
        "consigneeCountryCode": text_of(order.country_code).upper(),
        "consigneeZipCode": text_of(order.zip_code),
        "consigneePhone": text_of(order.phone),
        "consigneeEmail": text_of(order.email),
        "remarks": text_of(order.remarks),
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
        payload["ebayOrderId"] = text_of(order.ebay_order_id)
        payload["ebayId"] = text_of(order.ebay_buyer_id)
    return payload
