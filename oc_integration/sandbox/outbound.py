"""Outbound orders: creation (v1), query (v2), cancellation (v1) and their life cycle.

Shapes chosen where OC's documents leave freedom (``data`` of the response envelope):

- creation, all accepted: ``[{"referenceNumber", "orderNumber"}]``; some or all refused:
  HTTP 200 ``{"code": 4, "success": false, "data": [accepted...], "errors": [{"code",
  "id", "referenceNumber", "message"}]}`` as in OC's example (error codes are strings).
  Per-order error codes: ``400200`` required field missing, ``400201`` too long,
  ``400202`` invalid value, ``400404`` unknown MFSKUID, ``400409`` duplicate
  referenceNumber, ``400448`` insufficient AVL stock (``商品:<MFSKUID> 库存不足``).
  More than 50 orders: ``code`` 400100 and nothing is created.
- query v2: ``{"orderList": [row...], "total": <matching>, "hasMore": <total > 1000>}``;
  the number lists (either matches) win over the time window, which is required without them.
  A ``query_lag`` fault leaves out orders no query has returned yet (see ``faults``).
- cancel: ``{"orderNumber", "status": "Cancelled"}``; ``400404`` unknown order, ``400520``
  picked or later, ``400521`` already cancelled.

Statuses run Submitted -> Picked -> Packed -> Outbound -> Delivered (or Submitted ->
Cancelled). Creation moves stock AVL -> RSVALOC, cancellation moves it back, Packed
makes its parcels (tracking number, weight, estimated fee, SKUs with serial numbers; see
``parcels``), Outbound takes it out of the warehouse and turns the estimates into charges.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .faults import QUERY_V2, FaultBook
from .messages import OcError
from .parcels import apply_charges, charge_from, pack
from .services import CARRIERS, DEFAULT_SERVICE, ORDER_SUFFIX, SERVICE_CODES, tracking_number
from .timefmt import SandboxClock, format_oc_time, parse_oc_time

CREATION = "/openapi/3pp/outbound/v1/creation"
FLOW = ("Submitted", "Picked", "Packed", "Outbound", "Delivered")
CANCELLED = "Cancelled"
PLATFORMS = ("eBay", "OTHERS", "AliExpress")
REQUIRED = (
    "referenceNumber",
    "orderPlatform",
    "serviceRegion",
    "shippingServiceCode",
    "consigneeName",
    "consigneeAddress1",
    "consigneeCountryCode",
)
#: OC's Place Outbound Order length limits (its field table).
MAX_LENGTHS = {
    "orderPlatform": 50,
    "ebayId": 100,
    "ebayOrderId": 100,
    "companyName": 100,
    "houseNumber": 10,
    "consigneeAddress1": 200,
    "consigneeAddress2": 200,
    "consigneeCity": 100,
    "consigneeProvinceOrState": 100,
    "consigneeZipCode": 10,
    "consigneePhone": 100,
    "consigneeEmail": 100,
    "fileGroupID": 255,
}
EBAY_ORDER_ID = re.compile(r"\d{2}-\d{5}-\d{5}")
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")

ErrorList = list[tuple[str, str]]  # (code, message)


@dataclass
class OutboundOrder:
    """One outbound order held by the sandbox."""

    order_number: str
    reference_number: str
    client_id: str
    service_region: str
    shipping_service_code: str
    order_platform: str
    ebay_order_id: str
    products: list[tuple[str, int]]
    created_at: float
    auto_ef: bool = False
    status: str = "Submitted"
    tracking: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    cancel_reason: str = ""
    # Charges set through the control API, by parcel index (see ``parcels``).
    charges: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Whether a Query v2 answer has included it (a ``query_lag`` fault hides it until then).
    queried: bool = False
    # The seller's own label (``own_label``): its carrier and tracking number ship the order.
    seller_label: dict[str, str] | None = None

    def query_row(self) -> dict[str, Any]:
        """The order as Outbound Order Query v2 returns it."""
        return {
            "orderNumber": self.order_number,
            "referenceNumber": self.reference_number,
            "status": self.status,
            "autoFulfillmentEF": self.auto_ef,
            "orderCreationTime": format_oc_time(self.created_at),
            "serviceRegion": self.service_region,
            "ebayOrderId": self.ebay_order_id,
            "trackingNumberList": [dict(entry) for entry in self.tracking],
        }

    def control_row(self) -> dict[str, Any]:
        """The query row plus what only the control API shows."""
        return {
            **self.query_row(),
            "clientId": self.client_id,
            "orderPlatform": self.order_platform,
            "shippingServiceCode": self.shipping_service_code,
            "productList": [{"MFSKUID": s, "SKUQuantity": q} for s, q in self.products],
            "history": list(self.history),
            "cancelReason": self.cancel_reason,
            "sellerLabel": dict(self.seller_label) if self.seller_label else None,
        }


def orders_in(body: bytes) -> int | None:
    """How many orders a creation request's body carries (None: not a list of orders).

    Read when the request arrives, so the journal shows it even for a faulted call.
    """
    try:
        data = json.loads(body.decode("utf-8")).get("data")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None
    return len(data) if isinstance(data, list) else None


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def _quantity(value: Any) -> int | None:
    """A positive whole quantity (OC's Java would accept "2" as well as 2), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value) or None
    return None


def field_errors(order: Any) -> ErrorList:
    """Everything wrong with one order's fields, before looking at stock."""
    if not isinstance(order, dict):
        return [("400202", "order must be a JSON object")]
    errors: ErrorList = [
        ("400200", f"{name} is required") for name in REQUIRED if not _text(order.get(name))
    ]
    for name, limit in MAX_LENGTHS.items():
        if len(_text(order.get(name))) > limit:
            errors.append(("400201", f"{name} must be at most {limit} characters"))
    platform, region = _text(order.get("orderPlatform")), _text(order.get("serviceRegion"))
    code = _text(order.get("shippingServiceCode"))
    if platform and platform not in PLATFORMS:
        errors.append(("400202", f"orderPlatform must be one of {', '.join(PLATFORMS)}"))
    if region and region not in SERVICE_CODES:
        errors.append(("400202", f"serviceRegion {region} is not served"))
    elif region and code and code not in SERVICE_CODES[region]:
        errors.append(("400202", f"shippingServiceCode {code} is not offered in {region}"))
    country = _text(order.get("consigneeCountryCode"))
    if country and not COUNTRY_CODE.fullmatch(country):
        errors.append(("400202", "consigneeCountryCode must be a 2-letter country code"))
    if platform == "eBay":
        ebay_id = _text(order.get("ebayOrderId"))
        if not ebay_id:
            errors.append(("400200", "ebayOrderId is required for eBay orders"))
        elif not EBAY_ORDER_ID.fullmatch(ebay_id):
            errors.append(("400202", f"ebayOrderId {ebay_id} is not like 02-05696-00555"))
        if not _text(order.get("ebayId")):
            errors.append(("400200", "ebayId is required for eBay orders"))
    products = order.get("productList")
    if not isinstance(products, list) or not products:
        errors.append(("400200", "productList is required"))
        return errors
    for item in products:
        if not isinstance(item, dict) or not _text(item.get("MFSKUID")):
            errors.append(("400200", "productList[].MFSKUID is required"))
        elif _quantity(item.get("SKUQuantity")) is None:
            errors.append(("400202", f"SKUQuantity of {item['MFSKUID']} must be above 0"))
    return errors


class OrderBook:
    """Every client's outbound orders; not thread-safe (the sandbox lock guards it)."""

    def __init__(
        self,
        clock: SandboxClock,
        numbers: Iterator[int],
        on_change: Callable[[OutboundOrder], None],
        max_per_request: int = 50,
        max_results: int = 1000,
        faults: FaultBook | None = None,
    ) -> None:
        self._clock = clock
        self._faults = faults
        # Shared across resets, so an order number is never handed out twice.
        self._numbers = numbers
        self._tracking_serials = itertools.count(20_000_001)
        self._on_change = on_change
        self.max_per_request = max_per_request
        self.max_results = max_results
        self.orders: dict[str, OutboundOrder] = {}
        self._by_reference: dict[tuple[str, str], str] = {}

    # --- OC API -------------------------------------------------------------------------

    def create(
        self, client_id: str, orders: Any, catalog: Catalog
    ) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        """Place outbound orders; returns (accepted rows, error items)."""
        if not isinstance(orders, list) or not orders:
            raise OcError(400002, "data must be a non-empty list of orders")
        if len(orders) > self.max_per_request:
            raise OcError(400100, f"At most {self.max_per_request} orders per request")
        accepted: list[dict[str, str]] = []
        errors: list[dict[str, Any]] = []
        for order in orders:
            result = self._admit(client_id, order, catalog, auto_ef=False)
            if isinstance(result, OutboundOrder):
                accepted.append(
                    {"referenceNumber": result.reference_number, "orderNumber": result.order_number}
                )
                continue
            reference = _text(order.get("referenceNumber")) if isinstance(order, dict) else ""
            for code, message in result:
                errors.append(
                    {
                        "code": code,
                        "id": reference or None,
                        "message": message,
                        "referenceNumber": reference or None,
                    }
                )
        return accepted, errors

    def query(self, client_id: str, data: Any) -> dict[str, Any]:
        """Outbound Order Query v2: by number lists, else by creation-time window."""
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        numbers = _names(data.get("orderNumberList"), "orderNumber")
        references = _names(data.get("referenceNumberList"), "referenceNumber")
        mine = [o for o in self.orders.values() if o.client_id == client_id]
        if numbers or references:
            matches = [
                o for o in mine if o.order_number in numbers or o.reference_number in references
            ]
        else:
            try:
                start = parse_oc_time(data["startTime"]).timestamp()
                end = parse_oc_time(data["endTime"]).timestamp()
            except KeyError as exc:
                raise OcError(400002, f"{exc.args[0]} is required without number lists") from exc
            except ValueError as exc:
                raise OcError(400002, str(exc)) from exc
            if end < start:
                raise OcError(400002, "endTime is before startTime")
            matches = [o for o in mine if start <= o.created_at <= end]
        if self._faults is not None and self._faults.take("query_lag", QUERY_V2):
            # OC's query side has not caught up with orders it just created.
            matches = [o for o in matches if o.queried]
        matches.sort(key=lambda o: (o.created_at, o.order_number))
        shown = matches[: self.max_results]
        for order in shown:
            order.queried = True
        rows = [o.query_row() for o in shown]
        return {"orderList": rows, "total": len(matches), "hasMore": len(matches) > len(rows)}

    def cancel(self, client_id: str, data: Any, catalog: Catalog) -> dict[str, str]:
        """Cancel an order that is not picked yet, releasing its reserved stock."""
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        number = _text(data.get("orderNumber"))
        if not number:
            raise OcError(400200, "orderNumber is required")
        order = self.orders.get(number)
        if order is None or order.client_id != client_id:
            raise OcError(400404, f"Order {number} does not exist")
        if order.status == CANCELLED:
            raise OcError(400521, f"Order {number} is already cancelled")
        if order.status != "Submitted":
            raise OcError(400520, f"Order {number} cannot be cancelled: already picked")
        for sku, qty in order.products:
            catalog.move(sku, order.service_region, "RSVALOC", "AVL", qty)
        order.cancel_reason = _text(data.get("cancelReason"))
        self._set_status(order, CANCELLED, catalog)
        return {"orderNumber": number, "status": CANCELLED}

    # --- control API ----------------------------------------------------------------------

    def find(self, order_number: str = "", reference_number: str = "") -> OutboundOrder:
        """An order by number or by reference; KeyError when there is none."""
        if order_number and order_number in self.orders:
            return self.orders[order_number]
        for order in self.orders.values():
            if reference_number and order.reference_number == reference_number:
                return order
        raise KeyError(order_number or reference_number)

    def advance(self, order: OutboundOrder, to: str, catalog: Catalog) -> None:
        """Move an order forward to ``to``, through every status in between."""
        if to not in FLOW:
            raise ValueError(f"to must be one of {', '.join(FLOW[1:])}")
        if order.status == CANCELLED:
            raise ValueError(f"order {order.order_number} is cancelled")
        current, target = FLOW.index(order.status), FLOW.index(to)
        if target <= current:
            raise ValueError(f"order {order.order_number} is already {order.status}")
        for status in FLOW[current + 1 : target + 1]:
            self._set_status(order, status, catalog)

    def advance_all(self, catalog: Catalog) -> list[OutboundOrder]:
        """Every open order one step forward; returns the orders that moved."""
        moved = [o for o in self.orders.values() if o.status in FLOW[:-1]]
        for order in moved:
            self._set_status(order, FLOW[FLOW.index(order.status) + 1], catalog)
        return moved

    def set_charge(self, order: OutboundOrder, body: dict[str, Any]) -> None:
        """What OC charges for one parcel once it is outbound (now, if it already is)."""
        if order.status == CANCELLED:
            raise ValueError(f"order {order.order_number} is cancelled")
        index, charge = charge_from(body)
        order.charges[index] = charge
        if order.status in FLOW[FLOW.index("Outbound") :]:
            apply_charges(order.tracking, order.charges)

    def create_auto(self, client_id: str, spec: dict[str, Any], catalog: Catalog) -> OutboundOrder:
        """An order OC created by itself for an eBay-fulfilled sale (autoFulfillmentEF)."""
        region = _text(spec.get("serviceRegion")) or "UK"
        serial = next(self._tracking_serials)
        ebay_id = _text(spec.get("ebayOrderId")) or f"{serial % 100:02d}-{serial % 99999:05d}-00001"
        products = spec.get("productList")
        if not products:
            in_stock = next((r for r in catalog.rows.values() if r.count(region, "AVL") > 0), None)
            if in_stock is None:
                raise ValueError(f"no SKU has AVL stock in {region}")
            products = [{"MFSKUID": in_stock.mfskuid, "SKUQuantity": 1}]
        order = {
            "referenceNumber": _text(spec.get("referenceNumber")) or ebay_id,
            "orderPlatform": "eBay",
            "ebayOrderId": ebay_id,
            "ebayId": _text(spec.get("ebayId")) or "ebay-buyer",
            "serviceRegion": region,
            "shippingServiceCode": spec.get("shippingServiceCode")
            or DEFAULT_SERVICE.get(region, ""),
            "consigneeName": spec.get("consigneeName") or "eBay buyer",
            "consigneeAddress1": spec.get("consigneeAddress1") or "Address held by eBay",
            "consigneeCountryCode": spec.get("consigneeCountryCode")
            or ORDER_SUFFIX.get(region, "GB"),
            "productList": products,
        }
        result = self._admit(client_id, order, catalog, auto_ef=True)
        if not isinstance(result, OutboundOrder):
            raise ValueError("; ".join(f"{code} {message}" for code, message in result))
        return result

    # --- internals ------------------------------------------------------------------------

    def _admit(
        self, client_id: str, order: Any, catalog: Catalog, auto_ef: bool
    ) -> OutboundOrder | ErrorList:
        errors = field_errors(order)
        if errors:
            return errors
        region, reference = _text(order["serviceRegion"]), _text(order["referenceNumber"])
        needed: dict[str, int] = {}
        for item in order["productList"]:
            sku = _text(item["MFSKUID"])
            needed[sku] = needed.get(sku, 0) + (_quantity(item["SKUQuantity"]) or 0)
        unknown = [sku for sku in needed if catalog.get(sku) is None]
        if unknown:
            return [("400404", f"MFSKUID {sku} does not exist") for sku in unknown]
        if (client_id, reference) in self._by_reference:
            return [("400409", f"Duplicate referenceNumber {reference}")]
        for sku, qty in needed.items():
            row = catalog.get(sku)
            if row is None or row.count(region, "AVL") < qty:
                return [("400448", f"商品:{sku} 库存不足")]
        suffix = ORDER_SUFFIX.get(region, region[:2].upper())
        created = OutboundOrder(
            order_number=f"OCO{next(self._numbers)}{suffix}",
            reference_number=reference,
            client_id=client_id,
            service_region=region,
            shipping_service_code=_text(order["shippingServiceCode"]),
            order_platform=_text(order["orderPlatform"]),
            ebay_order_id=_text(order.get("ebayOrderId")),
            products=list(needed.items()),
            created_at=self._clock.now(),
            auto_ef=auto_ef,
        )
        for sku, qty in created.products:
            catalog.move(sku, region, "AVL", "RSVALOC", qty)
        self.orders[created.order_number] = created
        self._by_reference[(client_id, reference)] = created.order_number
        self._record(created, "Submitted")
        return created

    def _set_status(self, order: OutboundOrder, status: str, catalog: Catalog) -> None:
        order.status = status
        if status == "Packed" or (status == "Outbound" and not order.tracking):
            carrier = order.seller_label or CARRIERS.get(order.service_region, CARRIERS["UK"])
            numbers = [
                (order.seller_label or {}).get("trackingNumber")
                or tracking_number(order.service_region, next(self._tracking_serials))
                for _ in order.products
            ]
            order.tracking = pack(order.service_region, order.products, carrier, numbers)
        if status == "Outbound":
            # The parcel leaves the warehouse: the reservation becomes a shipment.
            for sku, qty in order.products:
                catalog.move(sku, order.service_region, "RSVALOC", None, qty)
            apply_charges(order.tracking, order.charges)
        self._record(order, status)

    def _record(self, order: OutboundOrder, status: str) -> None:
        order.status = status
        order.history.append({"status": status, "at": format_oc_time(self._clock.now())})
        self._on_change(order)


def _names(items: Any, key: str) -> set[str]:
    """The values of ``key`` in a list like ``[{"orderNumber": "..."}]``."""
    if items is None:
        return set()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise OcError(400002, f"{key}List must be a list of objects with {key}")
    return {_text(i.get(key)) for i in items if _text(i.get(key))}
