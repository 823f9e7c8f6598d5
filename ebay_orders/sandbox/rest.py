"""The Sell Fulfillment API (REST) of the sandbox: the same order book as the Trading API,
rendered as eBay's JSON.

  GET  /sell/fulfillment/v1/order?filter=lastmodifieddate:[from..to]&limit=N&offset=M
  GET  /sell/fulfillment/v1/order/{orderId}
  POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment   -> 201 + Location
  GET  /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment

``X-EBAY-C-MARKETPLACE-ID`` (EBAY_GB, EBAY_DE) chooses the site's orders; the bearer token
is checked like the Trading API's token. Faults (``/_sandbox/faults``) apply with the call
names getOrders, getOrder, createShippingFulfillment and getShippingFulfillments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from ebay_orders.sandbox.state import COUNTRIES, SandboxLine, SandboxOrder, SandboxState, now_utc

ORDER_PATH = "/sell/fulfillment/v1/order"
MARKETPLACES = {"EBAY_GB": 3, "EBAY_DE": 77}
MAX_LIMIT = 200
_FILTER = re.compile(r"^lastmodifieddate:\[(?P<start>[^.\]]+(?:\.\d+)?Z?)\.\.(?P<end>[^\]]*)\]$")
_FULFILLMENTS = re.compile(rf"^{ORDER_PATH}/(?P<order>[^/]+)/shipping_fulfillment/?$")
_ONE_ORDER = re.compile(rf"^{ORDER_PATH}/(?P<order>[^/]+)/?$")
# A JSON answer cut off in the middle, as a broken proxy would deliver it.
MALFORMED = b'{"href": "https://api.ebay.com/sell/fulfillment/v1/order", "total": 3, "orders": [{'


@dataclass
class RestAnswer:
    """What the server sends back (or, with ``hang_up``, does not)."""

    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    hang_up: bool = False


class _Refused(Exception):
    def __init__(self, status: int, error_id: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message


def errors(error_id: int, message: str, category: str = "REQUEST") -> dict[str, Any]:
    """eBay's REST error body."""
    return {
        "errors": [
            {
                "errorId": error_id,
                "domain": "API_FULFILLMENT" if error_id != 1001 else "OAuth",
                "category": category,
                "message": message,
                "longMessage": message,
            }
        ]
    }


def handles(path: str) -> bool:
    """Whether ``path`` is one of the REST endpoints."""
    return path == ORDER_PATH or path.startswith(ORDER_PATH + "/")


def _call_name(method: str, path: str) -> str:
    if _FULFILLMENTS.match(path):
        return "createShippingFulfillment" if method == "POST" else "getShippingFulfillments"
    if path.rstrip("/") == ORDER_PATH:
        return "getOrders"
    return "getOrder"


def _time(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _read_time(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Refused(400, 30700, f"{name} is not a valid time: {value!r}") from None
    if moment.tzinfo is None:
        raise _Refused(400, 30700, f"{name} has no timezone: {value!r}")
    return moment.astimezone(UTC)


def _money(value: Decimal, currency: str) -> dict[str, str]:
    return {"value": f"{value:.2f}", "currency": currency}


def handle(
    state: SandboxState,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    base_url: str,
) -> RestAnswer:
    """Answer one REST call; journalled like the Trading calls (with ``"api": "rest"``)."""
    path, _, query = target.partition("?")
    call = _call_name(method, path)
    authorization = headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    token_ok = state.token_is_valid(token)
    entry: dict[str, Any] = {"call": call, "api": "rest", "token_ok": token_ok}
    match = _FULFILLMENTS.match(path) or _ONE_ORDER.match(path)
    if match:
        entry["order_id"] = unquote(match.group("order"))
    if not token_ok:
        entry["error"] = "token rejected"
        state.record(entry)
        return RestAnswer(401, errors(1001, "Invalid access token", "APPLICATION"))
    fault = state.take_fault(call)
    if fault:
        entry["fault"] = fault
    if fault in {"http_500", "timeout", "malformed_xml", "ack_failure"}:
        state.record(entry)
        if fault == "timeout":
            return RestAnswer(0, hang_up=True)
        if fault == "malformed_xml":
            return RestAnswer(200, raw=MALFORMED)
        return RestAnswer(500, errors(10007, "Internal error to the application.", "APPLICATION"))
    try:
        answer = _answer(state, method, path, query, headers, body, base_url, entry)
    except _Refused as exc:
        entry["error"] = exc.message
        answer = RestAnswer(exc.status, errors(exc.error_id, exc.message))
    if fault == "ack_warning" and isinstance(answer.payload, dict):
        answer.payload["warnings"] = [
            {"errorId": 99001, "message": "Sandbox warning injected by the ack_warning fault."}
        ]
    state.record(entry)
    if fault == "accept_then_timeout":
        return RestAnswer(0, hang_up=True)
    return answer


def _answer(
    state: SandboxState,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    base_url: str,
    entry: dict[str, Any],
) -> RestAnswer:
    marketplace = headers.get("x-ebay-c-marketplace-id", "")
    entry["marketplace_id"] = marketplace
    site_id = MARKETPLACES.get(marketplace)
    if site_id is None:
        raise _Refused(400, 35001, f"X-EBAY-C-MARKETPLACE-ID {marketplace!r} is not served here")
    if path.rstrip("/") == ORDER_PATH and method == "GET":
        return _get_orders(state, site_id, query, base_url, entry)
    order = _order(state, site_id, entry.get("order_id", ""))
    if _FULFILLMENTS.match(path):
        if method == "POST":
            return _create_fulfillment(state, order, body, base_url, entry)
        return RestAnswer(200, _fulfillments(state, order))
    if method == "GET":
        with state.lock:
            return RestAnswer(200, order_json(order))
    raise _Refused(405, 2002, f"{method} is not allowed on {path}")


def _order(state: SandboxState, site_id: int, order_id: str) -> SandboxOrder:
    with state.lock:
        order = state.orders.get(order_id)
    if order is None or order.site_id != site_id:
        raise _Refused(404, 32100, f"Invalid order ID: {order_id}")
    return order


def _get_orders(
    state: SandboxState, site_id: int, query: str, base_url: str, entry: dict[str, Any]
) -> RestAnswer:
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    found = _FILTER.match(params.get("filter", ""))
    if not found:
        raise _Refused(400, 30700, "filter must be lastmodifieddate:[from..to]")
    start = _read_time(found.group("start"), "the filter's start")
    end = _read_time(found.group("end"), "the filter's end") if found.group("end") else now_utc()
    if end <= start:
        raise _Refused(400, 30700, "the filter's end must follow its start")
    if start < now_utc() - timedelta(days=90):
        raise _Refused(400, 30700, "the filter's start is more than 90 days in the past")
    limit_raw, offset_raw = params.get("limit", "50"), params.get("offset", "0")
    if not limit_raw.isdigit() or not offset_raw.isdigit():
        raise _Refused(400, 30800, "limit and offset must be whole numbers")
    limit, offset = int(limit_raw), int(offset_raw)
    if not 1 <= limit <= MAX_LIMIT:
        raise _Refused(400, 30800, f"limit must be between 1 and {MAX_LIMIT}")
    matches = state.orders_modified(site_id, start, end)
    chunk = matches[offset : offset + limit]
    entry.update(
        modified_from=_time(start),
        modified_to=_time(end),
        limit=limit,
        offset=offset,
        order_ids=[o.order_id for o in chunk],
    )

    def href(at: int) -> str:
        page = urlencode({"filter": params["filter"], "limit": limit, "offset": at}, safe=":[].")
        return f"{base_url}{ORDER_PATH}?{page}"

    with state.lock:
        payload: dict[str, Any] = {
            "href": href(offset),
            "total": len(matches),
            "limit": limit,
            "offset": offset,
            "orders": [order_json(order) for order in chunk],
        }
    if offset + limit < len(matches):
        payload["next"] = href(offset + limit)
    if offset > 0:
        payload["prev"] = href(max(0, offset - limit))
    return RestAnswer(200, payload)


def _line_json(order: SandboxOrder, line: SandboxLine) -> dict[str, Any]:
    quantity: Any = "one" if order.malformed else line.quantity
    data: dict[str, Any] = {
        # The REST lineItemId is the Trading TransactionID.
        "lineItemId": line.transaction_id,
        "legacyItemId": line.item_id,
        "sku": line.sku,
        "title": line.title,
        "quantity": quantity,
        "lineItemCost": _money(line.price * line.quantity, order.currency),
        "total": _money(line.price * line.quantity, order.currency),
        "lineItemFulfillmentStatus": "FULFILLED" if order.tracking else "NOT_STARTED",
        "soldFormat": "FIXED_PRICE",
    }
    if line.fulfilled_by_ebay:
        # REST names no warehouse (no Fulfillment Ref ID); the Vault has its own programme.
        program: dict[str, Any] = {"fulfillmentProgram": {"fulfilledBy": "EBAY"}}
        if line.vault:
            program["ebayVault"] = {"fulfillmentType": "VAULT_TO_VAULT"}
        data["program"] = program
    return data


def order_json(order: SandboxOrder) -> dict[str, Any]:
    """One order as getOrders and getOrder render it (call with the state's lock held)."""
    total = order.subtotal + order.shipping_cost
    single = order.lines[0] if len(order.lines) == 1 else None
    return {
        "orderId": order.order_id,
        # The pre-2019 Trading form: ItemID-TransactionID for a one-line order.
        "legacyOrderId": f"{single.item_id}-{single.transaction_id}" if single else order.order_id,
        "creationDate": _time(order.created),
        "lastModifiedDate": _time(order.modified),
        "orderFulfillmentStatus": "FULFILLED" if order.tracking else "NOT_STARTED",
        "orderPaymentStatus": "PAID",
        "sellerId": f"demo-seller-{'uk' if order.site_id == 3 else 'de'}",
        "buyer": {
            "username": order.buyer_user_id,
            "buyerRegistrationAddress": {"email": order.email_shown},
        },
        "pricingSummary": {
            "priceSubtotal": _money(order.subtotal, order.currency),
            "deliveryCost": _money(order.shipping_cost, order.currency),
            "total": _money(total, order.currency),
        },
        "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
        "paymentSummary": {
            "payments": [
                {
                    "paymentMethod": "EBAY",
                    "paymentStatus": "PAID",
                    "paymentDate": _time(order.created),
                }
            ],
            "totalDueSeller": _money(total, order.currency),
        },
        "fulfillmentStartInstructions": [
            {
                "fulfillmentInstructionsType": "SHIP_TO",
                "shippingStep": {
                    "shipTo": {
                        "fullName": order.buyer_name,
                        "contactAddress": {
                            "addressLine1": order.street_line,
                            "city": order.city,
                            "stateOrProvince": "East Sussex",
                            "postalCode": order.postcode,
                            "countryCode": COUNTRIES.get(order.site_id, "GB"),
                        },
                        "primaryPhone": {"phoneNumber": "07510057052"},
                    },
                    "shippingServiceCode": "UK_RoyalMailSecondClassStandard",
                },
            }
        ],
        "lineItems": [_line_json(order, line) for line in order.lines],
    }


def _fulfillments(state: SandboxState, order: SandboxOrder) -> dict[str, Any]:
    with state.lock:
        found = [
            {
                "fulfillmentId": item.get("fulfillment_id") or item["number"],
                "shipmentTrackingNumber": item["number"],
                "shippingCarrierCode": item["carrier"],
                "shippedDate": item.get("shipped_date")
                or (_time(order.shipped_time) if order.shipped_time else ""),
                "lineItems": [
                    {"lineItemId": line_id, "quantity": 1}
                    for line_id in (item.get("line_items") or "").split(",")
                    if line_id
                ]
                or [
                    {"lineItemId": line.transaction_id, "quantity": line.quantity}
                    for line in order.lines
                ],
            }
            for item in order.tracking
        ]
    return {"fulfillments": found, "total": len(found)}


def _create_fulfillment(
    state: SandboxState,
    order: SandboxOrder,
    body: bytes,
    base_url: str,
    entry: dict[str, Any],
) -> RestAnswer:
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        raise _Refused(400, 32000, "the request body is not JSON") from None
    if not isinstance(request, dict):
        raise _Refused(400, 32000, "the request body is not a JSON object")
    items = request.get("lineItems")
    tracking = str(request.get("trackingNumber") or "")
    carrier = str(request.get("shippingCarrierCode") or "")
    ids = [str(i.get("lineItemId", "")) for i in items or [] if isinstance(i, dict)]
    entry.update(carrier=carrier, tracking_number=tracking, line_items=ids)
    if not ids or not tracking or not carrier:
        raise _Refused(400, 32100, "lineItems, trackingNumber and shippingCarrierCode are required")
    with state.lock:
        known = {line.transaction_id for line in order.lines}
        if unknown := [i for i in ids if i not in known]:
            raise _Refused(400, 32100, f"Invalid line item ID: {', '.join(unknown)}")
        if order.fulfilled_by_ebay:
            # [I] eBay refuses this for its own fulfilment; Hemi must never even ask.
            raise _Refused(400, 32500, f"Order {order.order_id} is fulfilled by eBay.")
        entry["already_shipped"] = order.shipped_time is not None
        fulfillment_id = f"{len(order.tracking) + 1}{tracking}"
        shipped = str(request.get("shippedDate") or _time(now_utc()))
        order.shipped_time = now_utc()
        order.modified = order.shipped_time
        order.tracking.append(
            {
                "carrier": carrier,
                "number": tracking,
                "fulfillment_id": fulfillment_id,
                "line_items": ",".join(ids),
                "shipped_date": shipped,
            }
        )
    entry["fulfillment_id"] = fulfillment_id
    location = f"{base_url}{ORDER_PATH}/{order.order_id}/shipping_fulfillment/{fulfillment_id}"
    return RestAnswer(201, {}, headers={"Location": location})
