"""The sandbox's Returns 2.0: return orders of shipped outbound orders, their labels,
cancelling an RMA or updating its tracking, and the returned-stock snapshot.

OC publishes only the paths (the two queries are GETs with a body) and the first field of
two requests, so every shape below is the sandbox's own plausible choice, the one the
client in ``oc_integration/client/returns.py`` is written against:

- query orders ``data: {startTime, endTime, pageNumber, pageSize}`` (a window of under
  7 days on the update time) or ``{orderNumberList: [...]}``; answers
  ``{"returnOrderList": [row...], "total", "pageNumber", "pageSize"}``.
- label ``data: {orderNumber}``; answers ``{"orderNumber", "labelFormat": "PDF",
  "labelFile": <base64 PDF>}`` (no label for a cancelled return: 400404).
- cancel/update ``data: {orderNumber, operationType: CANCEL|UPDATE_TRACKING,
  cancelReason | trackingNumber + carrierCode (+ carrierName)}``; a cancel is refused once
  the parcel is on its way back (500520) or twice (500521).
- stock ``data: {serviceType: "SKU", uniqueIdList: [MFSKUID...], pageNumber, pageSize}``;
  answers ``{"list": [{"serviceType", "uniqueId", "serviceRegion", "returnedQuantity",
  "sellableQuantity", "unsellableQuantity"}], "total"}``.

A return is created through the control API for an outbound order that has shipped
(Outbound or Delivered) and moves CREATED -> IN_TRANSIT -> RECEIVED -> PROCESSED (or
CREATED -> CANCELLED). Receiving it adds its units to the returned stock of the outbound
order's region (sellable unless the control call says damaged).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from .messages import OcError, Response, json_response
from .outbound import OrderBook, OutboundOrder
from .services import ORDER_SUFFIX, tracking_number
from .skus import label_pdf
from .timefmt import SandboxClock, format_oc_time, parse_oc_time

QUERY_ORDERS = "/openapi/3pp/returns/v1/query/orders"
LABEL = "/openapi/3pp/returns/v1/query/label"
CANCEL_RMA = "/openapi/3pp/returns/v1/cancel/rma"
STOCK = "/openapi/3pp/returns/v1/query/stock"

CREATED, IN_TRANSIT, RECEIVED, PROCESSED, CANCELLED = (
    "CREATED",
    "IN_TRANSIT",
    "RECEIVED",
    "PROCESSED",
    "CANCELLED",
)
FLOW = (CREATED, IN_TRANSIT, RECEIVED, PROCESSED)
SHIPPED = ("Outbound", "Delivered")
REASONS = (
    ("NOT_AS_DESCRIBED", "Item not as described"),
    ("NO_LONGER_NEEDED", "Buyer no longer needs it"),
    ("DAMAGED", "Arrived damaged"),
    ("WRONG_ITEM", "Wrong item sent"),
)
MAX_WINDOW_SECONDS = 7 * 24 * 3600
MAX_PAGE_SIZE = 100
MAX_UNIQUE_IDS = 200
#: The carrier a return label is issued for, per region.
RETURN_CARRIERS = {
    "UK": ("RM", "Royal Mail Tracked Returns"),
    "DE": ("DHL", "DHL Retoure"),
}


def _get(data: dict[str, Any], name: str) -> Any:
    """A key, case-insensitively (OC's examples are loose about case)."""
    if name in data:
        return data[name]
    lowered = name.lower()
    return next((v for k, v in data.items() if k.lower() == lowered), None)


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def _whole(value: Any, what: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise OcError(400202, f"{what} must be a whole number")
    return int(str(value).strip())


@dataclass
class ReturnLine:
    """One SKU of a return."""

    mfskuid: str
    seller_sku: str
    quantity: int
    received: int = 0
    condition: str = ""


@dataclass
class ReturnOrder:
    """One return order held by the sandbox."""

    order_number: str
    client_id: str
    outbound: OutboundOrder
    region: str
    reason_code: str
    reason: str
    lines: list[ReturnLine]
    created_at: float
    updated_at: float
    status: str = CREATED
    tracking_number: str = ""
    carrier_code: str = ""
    carrier_name: str = ""
    cancel_reason: str = ""
    history: list[dict[str, str]] = field(default_factory=list)

    def query_row(self) -> dict[str, Any]:
        """The return as the return order query answers it."""
        return {
            "orderNumber": self.order_number,
            "outboundOrderNumber": self.outbound.order_number,
            "referenceNumber": self.outbound.reference_number,
            "ebayOrderId": self.outbound.ebay_order_id,
            "serviceRegion": self.region,
            "status": self.status,
            "returnReasonCode": self.reason_code,
            "returnReason": self.reason,
            "trackingNumber": self.tracking_number,
            "carrierCode": self.carrier_code,
            "carrierName": self.carrier_name,
            "createTime": format_oc_time(self.created_at),
            "updateTime": format_oc_time(self.updated_at),
            "itemList": [
                {
                    "MFSKUID": line.mfskuid,
                    "sellerSKUID": line.seller_sku,
                    "quantity": line.quantity,
                    "receivedQuantity": line.received,
                    "condition": line.condition,
                }
                for line in self.lines
            ],
        }

    def control_row(self) -> dict[str, Any]:
        """The query row plus what only the control API shows."""
        return {
            **self.query_row(),
            "clientId": self.client_id,
            "cancelReason": self.cancel_reason,
            "history": list(self.history),
        }


class ReturnBook:
    """Every client's return orders and returned stock (the sandbox lock guards it)."""

    def __init__(self, clock: SandboxClock, numbers: Iterator[int]) -> None:
        self._clock = clock
        self._numbers = numbers
        self._serials = itertools.count(700001)
        self.returns: dict[str, ReturnOrder] = {}
        # (client, MFSKUID, region) -> {"sellable": n, "unsellable": n}
        self.stock: dict[tuple[str, str, str], dict[str, int]] = {}

    # --- the API ---------------------------------------------------------------------------
    def _mine(self, client_id: str, number: str) -> ReturnOrder:
        found = self.returns.get(number)
        if found is None or found.client_id != client_id:
            raise OcError(400404, f"Return order {number} does not exist")
        return found

    def query(self, client_id: str, data: Any) -> dict[str, Any]:
        """Return orders by number, else changed within a window; paged."""
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        page = _whole(_get(data, "pageNumber"), "pageNumber", 1)
        size = _whole(_get(data, "pageSize"), "pageSize", 20)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise OcError(400202, f"pageNumber must be >= 1, pageSize 1 to {MAX_PAGE_SIZE}")
        numbers = _get(data, "orderNumberList")
        mine = [r for r in self.returns.values() if r.client_id == client_id]
        if numbers:
            if not isinstance(numbers, list):
                raise OcError(400002, "orderNumberList must be a list of return order numbers")
            wanted = {_text(n.get("orderNumber") if isinstance(n, dict) else n) for n in numbers}
            matches = [r for r in mine if r.order_number in wanted]
        else:
            try:
                start = parse_oc_time(_text(_get(data, "startTime"))).timestamp()
                end = parse_oc_time(_text(_get(data, "endTime"))).timestamp()
            except ValueError as exc:
                raise OcError(400200, f"startTime and endTime are required: {exc}") from exc
            if end < start:
                raise OcError(400202, "endTime is before startTime")
            if end - start > MAX_WINDOW_SECONDS:
                raise OcError(400202, "The query window must not exceed 7 days")
            matches = [r for r in mine if start <= r.updated_at <= end]
        matches.sort(key=lambda r: (r.updated_at, r.order_number))
        shown = matches[(page - 1) * size : page * size]
        return {
            "returnOrderList": [r.query_row() for r in shown],
            "total": len(matches),
            "pageNumber": page,
            "pageSize": size,
        }

    def label(self, client_id: str, data: Any) -> dict[str, Any]:
        """The return label of one return order, a real PDF in base64."""
        if not isinstance(data, dict) or not _text(_get(data, "orderNumber")):
            raise OcError(400200, "orderNumber is required")
        order = self._mine(client_id, _text(_get(data, "orderNumber")))
        if order.status == CANCELLED:
            raise OcError(400404, f"Return order {order.order_number} is cancelled: no label")
        lines = [
            f"RETURN {order.order_number}",
            f"To: OC {order.region} returns centre",
            f"{order.carrier_name} {order.tracking_number}",
            f"Order {order.outbound.reference_number}",
            *(f"{line.mfskuid} x {line.quantity}" for line in order.lines),
        ]
        pdf = label_pdf([lines[:5], lines[5:] or ["(no items)"]])
        return {
            "orderNumber": order.order_number,
            "labelFormat": "PDF",
            "labelFile": base64.b64encode(pdf).decode("ascii"),
        }

    def change(self, client_id: str, data: Any) -> dict[str, Any]:
        """Cancel an RMA or update its return tracking (``operationType``)."""
        if not isinstance(data, dict) or not _text(_get(data, "orderNumber")):
            raise OcError(400200, "orderNumber is required")
        order = self._mine(client_id, _text(_get(data, "orderNumber")))
        operation = _text(_get(data, "operationType")).upper()
        if operation == "CANCEL":
            if order.status == CANCELLED:
                raise OcError(500521, f"Return order {order.order_number} is already cancelled")
            if order.status != CREATED:
                raise OcError(
                    500520,
                    f"Return order {order.order_number} cannot be cancelled: it is {order.status}",
                )
            reason = _text(_get(data, "cancelReason"))
            if not reason:
                raise OcError(400200, "cancelReason is required")
            order.cancel_reason = reason[:200]
            self._set_status(order, CANCELLED)
        elif operation == "UPDATE_TRACKING":
            if order.status in (CANCELLED, PROCESSED):
                raise OcError(
                    500522, f"Return order {order.order_number} is {order.status}: no tracking"
                )
            number, carrier = _text(_get(data, "trackingNumber")), _text(_get(data, "carrierCode"))
            if not number or not carrier:
                raise OcError(400200, "trackingNumber and carrierCode are required")
            if len(number) > 50 or len(carrier) > 50:
                raise OcError(400201, "trackingNumber and carrierCode: at most 50 characters")
            order.tracking_number, order.carrier_code = number, carrier
            order.carrier_name = _text(_get(data, "carrierName"))[:50] or carrier
            order.updated_at = self._clock.now()
            order.history.append(
                {"status": "TRACKING_UPDATED", "at": format_oc_time(order.updated_at)}
            )
        else:
            raise OcError(400202, "operationType must be CANCEL or UPDATE_TRACKING")
        return {
            "orderNumber": order.order_number,
            "status": order.status,
            "trackingNumber": order.tracking_number,
        }

    def stock_rows(self, client_id: str, data: Any) -> dict[str, Any]:
        """The returned-stock snapshot of the named SKUs (every region they are in)."""
        if not isinstance(data, dict):
            raise OcError(400002, "data must be a JSON object")
        if _text(_get(data, "serviceType")).upper() != "SKU":
            raise OcError(400202, "serviceType must be SKU")
        ids = _get(data, "uniqueIdList")
        if not isinstance(ids, list) or not ids:
            raise OcError(400200, "uniqueIdList is required")
        if len(ids) > MAX_UNIQUE_IDS:
            raise OcError(400100, f"At most {MAX_UNIQUE_IDS} uniqueIds per request")
        wanted = {_text(i.get("uniqueId") if isinstance(i, dict) else i) for i in ids}
        page = _whole(_get(data, "pageNumber"), "pageNumber", 1)
        size = _whole(_get(data, "pageSize"), "pageSize", 20)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise OcError(400202, f"pageNumber must be >= 1, pageSize 1 to {MAX_PAGE_SIZE}")
        rows = [
            {
                "serviceType": "SKU",
                "uniqueId": sku,
                "serviceRegion": region,
                "returnedQuantity": counts["sellable"] + counts["unsellable"],
                "sellableQuantity": counts["sellable"],
                "unsellableQuantity": counts["unsellable"],
            }
            for (client, sku, region), counts in sorted(self.stock.items())
            if client == client_id and sku in wanted
        ]
        return {"list": rows[(page - 1) * size : page * size], "total": len(rows)}

    # --- the control API -----------------------------------------------------------------
    def create(self, client_id: str, outbound: OutboundOrder, spec: dict[str, Any]) -> ReturnOrder:
        """A buyer's return of a shipped outbound order (all of it unless ``items``)."""
        if outbound.client_id != client_id:
            raise KeyError(outbound.order_number)
        if outbound.status not in SHIPPED:
            raise ValueError(
                f"order {outbound.order_number} has not shipped yet (it is {outbound.status})"
            )
        shipped = dict(outbound.products)
        sellers = {
            entry.get("MFSKUID"): entry.get("sellerSKUID", "")
            for tracking in outbound.tracking
            for entry in tracking.get("SKUList", [])
        }
        items = spec.get("items")
        wanted: list[tuple[str, int]] = list(outbound.products)
        if items is not None:
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ValueError('items must be a list like [{"MFSKUID", "quantity"}]')
            wanted = [(str(i.get("MFSKUID") or ""), int(i.get("quantity") or 0)) for i in items]
        for sku, quantity in wanted:
            if sku not in shipped:
                raise ValueError(f"{sku} was not in order {outbound.order_number}")
            if not 1 <= quantity <= shipped[sku]:
                raise ValueError(f"quantity of {sku} must be 1 to {shipped[sku]}")
        serial = next(self._numbers)
        reason_code = str(spec.get("reasonCode") or REASONS[serial % len(REASONS)][0])
        reason = str(spec.get("reason") or dict(REASONS).get(reason_code, reason_code))
        region = outbound.service_region
        now = self._clock.now()
        carrier_code, carrier_name = RETURN_CARRIERS.get(region, RETURN_CARRIERS["UK"])
        order = ReturnOrder(
            order_number=f"OCR{serial:013d}{ORDER_SUFFIX.get(region, region[:2].upper())}",
            client_id=client_id,
            outbound=outbound,
            region=region,
            reason_code=reason_code,
            reason=reason,
            lines=[ReturnLine(sku, str(sellers.get(sku) or ""), qty) for sku, qty in wanted],
            created_at=now,
            updated_at=now,
            tracking_number=tracking_number(region, next(self._serials)),
            carrier_code=carrier_code,
            carrier_name=carrier_name,
        )
        order.history.append({"status": CREATED, "at": format_oc_time(now)})
        self.returns[order.order_number] = order
        return order

    def advance(self, body: dict[str, Any]) -> list[ReturnOrder]:
        """Move one return (``orderNumber``) or every open one (``all``) on a step, or to
        ``to``; ``damaged`` makes the received units unsellable."""
        if body.get("all"):
            chosen = [r for r in self.returns.values() if r.status in FLOW[:-1]]
            targets = {r.order_number: FLOW[FLOW.index(r.status) + 1] for r in chosen}
        else:
            number = str(body.get("orderNumber") or "")
            if number not in self.returns:
                raise KeyError(number)
            order = self.returns[number]
            if order.status not in FLOW[:-1]:
                raise ValueError(f"return {number} is already {order.status}")
            to = str(body.get("to") or FLOW[FLOW.index(order.status) + 1])
            if to not in FLOW or FLOW.index(to) <= FLOW.index(order.status):
                raise ValueError(f"to must be a later step than {order.status}: {', '.join(FLOW)}")
            chosen, targets = [order], {number: to}
        damaged = bool(body.get("damaged"))
        for order in chosen:
            for status in FLOW[
                FLOW.index(order.status) + 1 : FLOW.index(targets[order.order_number]) + 1
            ]:
                if status == RECEIVED:
                    self._receive(order, damaged)
                self._set_status(order, status)
        return chosen

    def _receive(self, order: ReturnOrder, damaged: bool) -> None:
        condition = "UNSELLABLE" if damaged else "SELLABLE"
        for line in order.lines:
            line.received, line.condition = line.quantity, condition
            counts = self.stock.setdefault(
                (order.client_id, line.mfskuid, order.region), {"sellable": 0, "unsellable": 0}
            )
            counts[condition.lower()] += line.quantity

    def _set_status(self, order: ReturnOrder, status: str) -> None:
        order.status = status
        order.updated_at = self._clock.now()
        order.history.append({"status": status, "at": format_oc_time(order.updated_at)})


# --- the HTTP handlers ------------------------------------------------------------------
class OcSandbox(Protocol):
    """What the handlers use of the sandbox (``core`` holds one; no import back to it)."""

    returns: ReturnBook
    orders: OrderBook


def _success(data: Any, envelope: dict[str, Any]) -> Response:
    return json_response(
        {
            "code": 0,
            "message": "success",
            "messageId": envelope.get("messageId"),
            "data": data,
            "success": True,
        }
    )


def _query(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return _success(sandbox.returns.query(client_id, envelope.get("data") or {}), envelope)


def _label(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return _success(sandbox.returns.label(client_id, envelope.get("data")), envelope)


def _change(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return _success(sandbox.returns.change(client_id, envelope.get("data")), envelope)


def _stock(sandbox: OcSandbox, client_id: str, envelope: dict[str, Any]) -> Response:
    return _success(sandbox.returns.stock_rows(client_id, envelope.get("data")), envelope)


Handler = Callable[[OcSandbox, str, dict[str, Any]], Response]
#: (method, path) -> handler; the two queries are GETs carrying a JSON body, as OC's are.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("GET", QUERY_ORDERS): _query,
    ("GET", LABEL): _label,
    ("POST", CANCEL_RMA): _change,
    ("POST", STOCK): _stock,
}


# --- the control API ---------------------------------------------------------------------
def control_returns(sandbox: OcSandbox, body: dict[str, Any]) -> Any:
    """``GET /_sandbox/returns``: every return order."""
    return {"returns": [r.control_row() for r in sandbox.returns.returns.values()]}


def control_create(sandbox: OcSandbox, body: dict[str, Any]) -> Any:
    """``POST /_sandbox/returns``: ``{"outboundOrderNumber"|"referenceNumber", "items"?,
    "reasonCode"?, "reason"?, "client_id"?}`` -> ``{"return"}``."""
    outbound = sandbox.orders.find(
        str(body.get("outboundOrderNumber") or ""), str(body.get("referenceNumber") or "")
    )
    client_id = str(body.get("client_id") or outbound.client_id)
    return {"return": sandbox.returns.create(client_id, outbound, body).control_row()}


def control_advance(sandbox: OcSandbox, body: dict[str, Any]) -> Any:
    """``POST /_sandbox/returns/advance``: see :meth:`ReturnBook.advance`."""
    return {"returns": [r.control_row() for r in sandbox.returns.advance(body)]}
