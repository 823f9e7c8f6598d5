"""The eBay Sell Fulfillment API client (REST): getOrders, createShippingFulfillment.

No Django, like the Trading client: the caller passes a :class:`TokenProvider`, the
settings values and a :data:`CallRecorder`. One ``requests.Session``, explicit timeouts,
every call recorded once. When eBay answers HTTP 401 the provider is asked once for a
fresh token and the call is sent once more.

Orders come back as the same :class:`EbayOrder` / :class:`OrderLine` the Trading parser
produces, under the same keys: the order's id is ``orderId`` (what Trading's ``OrderID``
has been at every compatibility level since 1113), and a line's id is
``legacyItemId-lineItemId``, Trading's ``ItemID-TransactionID`` [I].
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

import requests

from ebay_orders.client.errors import (
    EbayApiError,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayMessage,
    EbayTimeoutError,
    EbayTokenNotRenewed,
    EbayTransportError,
    is_token_rejection,
)
from ebay_orders.client.orders import (
    EbayOrder,
    GetOrdersPage,
    OrderLine,
    OrderParseError,
    OrderProblem,
)
from ebay_orders.client.session import EbaySessionClient
from ebay_orders.client.tokens import TokenProvider
from ebay_orders.client.xmlutil import ebay_time, parse_ebay_time
from hemi_fulfilment.apilog.records import CallRecord, CallRecorder, Outcome, discard
from hemi_fulfilment.apilog.redaction import REDACTED
from hemi_fulfilment.integration_errors import NoUsableToken

ORDER_PATH = "/sell/fulfillment/v1/order"
MARKETPLACE_HEADER = "X-EBAY-C-MARKETPLACE-ID"
# getOrders' ceiling for ``limit``.
MAX_LIMIT = 200

#: eBay's marketplace id for each site code Hemi uses (``EbayAccount.site_code``).
MARKETPLACE_IDS: dict[str, str] = {
    "US": "EBAY_US",
    "CA": "EBAY_CA",
    "CAFR": "EBAY_CA",
    "UK": "EBAY_GB",
    "AU": "EBAY_AU",
    "AT": "EBAY_AT",
    "BEFR": "EBAY_BE",
    "BENL": "EBAY_BE",
    "FR": "EBAY_FR",
    "DE": "EBAY_DE",
    "MOTORS": "EBAY_MOTORS",
    "IT": "EBAY_IT",
    "NL": "EBAY_NL",
    "ES": "EBAY_ES",
    "CH": "EBAY_CH",
    "HK": "EBAY_HK",
    "IN": "EBAY_IN",
    "IE": "EBAY_IE",
    "MY": "EBAY_MY",
    "PH": "EBAY_PH",
    "PL": "EBAY_PL",
    "SG": "EBAY_SG",
}


def marketplace_id(site_code: str) -> str:
    """eBay's marketplace id (``EBAY_GB``...) for a Hemi site code; ValueError if unknown."""
    try:
        return MARKETPLACE_IDS[site_code.upper()]
    except KeyError:
        raise ValueError(f"no eBay marketplace is known for site {site_code!r}") from None


@dataclass(frozen=True)
class FulfillmentConfig:
    """Where and how to call: values the service reads from settings and the connection."""

    api_url: str  # the REST base, e.g. https://api.ebay.com
    marketplace_id: str
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True)
class ShippingFulfillment:
    """One shipping fulfillment eBay holds for an order (a package with its tracking)."""

    fulfillment_id: str
    tracking_number: str
    carrier: str
    shipped_date: datetime | None
    line_item_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Answer:
    status: int
    payload: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def filter_window(modified_from: datetime, modified_to: datetime) -> str:
    """getOrders' ``filter`` for orders last modified in [from, to]."""
    return f"lastmodifieddate:[{ebay_time(modified_from)}..{ebay_time(modified_to)}]"


class FulfillmentClient(EbaySessionClient):
    """Calls the Sell Fulfillment API for one eBay account (one token provider, one site)."""

    def __init__(
        self,
        *,
        config: FulfillmentConfig,
        tokens: TokenProvider,
        recorder: CallRecorder = discard,
        account_id: int | None = None,
        account_label: str = "",
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(
            tokens=tokens,
            recorder=recorder,
            account_id=account_id,
            account_label=account_label,
            session=session,
        )
        self.config = config

    # --- the calls -----------------------------------------------------------------------
    def get_orders(
        self,
        *,
        modified_from: datetime,
        modified_to: datetime,
        offset: int = 0,
        limit: int = MAX_LIMIT,
    ) -> GetOrdersPage:
        """One page of the orders last modified in [``modified_from``, ``modified_to``]."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        query = urlencode(
            {
                "filter": filter_window(modified_from, modified_to),
                "limit": str(limit),
                "offset": str(offset),
            },
            safe=":[].",
        )
        answer = self._call("getOrders", "GET", f"{ORDER_PATH}?{query}")
        return parse_orders_page(answer.payload, offset=offset, limit=limit)

    def get_order(self, order_id: str) -> EbayOrder:
        """One order by its ``orderId``."""
        answer = self._call("getOrder", "GET", f"{ORDER_PATH}/{quote(order_id, safe='')}")
        try:
            return parse_order(_object(answer.payload, "getOrder"))
        except OrderParseError as exc:
            raise EbayMalformedResponse(f"getOrder: order {order_id}: {exc}") from None

    def create_shipping_fulfillment(
        self,
        *,
        order_id: str,
        line_items: Sequence[tuple[str, int]],
        carrier: str,
        tracking_number: str,
        shipped_date: datetime | None = None,
    ) -> str:
        """Tell eBay these line items (``lineItemId``, quantity) of ``order_id`` shipped with
        this carrier and tracking number; return eBay's fulfillment id."""
        if not line_items:
            raise ValueError(f"order {order_id}: a shipping fulfillment needs its line items")
        body: dict[str, Any] = {
            "lineItems": [{"lineItemId": item, "quantity": qty} for item, qty in line_items],
            "shippingCarrierCode": carrier,
            "trackingNumber": tracking_number,
        }
        if shipped_date is not None:
            body["shippedDate"] = ebay_time(shipped_date)
        path = f"{ORDER_PATH}/{quote(order_id, safe='')}/shipping_fulfillment"
        answer = self._call("createShippingFulfillment", "POST", path, body, expect=201)
        location = answer.headers.get("Location", "")
        fulfillment_id = location.rstrip("/").rsplit("/", 1)[-1] if location else ""
        if not fulfillment_id:
            # The shipment was taken (201); only its id is missing from the answer.
            raise EbayMalformedResponse(
                f"createShippingFulfillment: order {order_id}: HTTP 201 without a Location header"
            )
        return fulfillment_id

    def get_shipping_fulfillments(self, order_id: str) -> list[ShippingFulfillment]:
        """The shipping fulfillments eBay holds for ``order_id``, with their tracking."""
        path = f"{ORDER_PATH}/{quote(order_id, safe='')}/shipping_fulfillment"
        answer = self._call("getShippingFulfillments", "GET", path)
        payload = _object(answer.payload, "getShippingFulfillments")
        found = payload.get("fulfillments") or []
        if not isinstance(found, list):
            raise EbayMalformedResponse("getShippingFulfillments: fulfillments is not a list")
        try:
            return [_shipping_fulfillment(item) for item in found]
        except OrderParseError as exc:
            raise EbayMalformedResponse(
                f"getShippingFulfillments: order {order_id}: {exc}"
            ) from None

    # --- HTTP ----------------------------------------------------------------------------
    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        expect: int = 200,
    ) -> _Answer:
        """One call; on HTTP 401 a fresh token once and the call once more."""
        token = self._tokens.access_token()
        try:
            return self._call_once(operation, method, path, body, token, expect)
        except EbayError as exc:
            if not is_token_rejection(exc):
                raise
            rejected = exc
        try:
            fresh = self._tokens.renew_after_rejection(token)
        except NoUsableToken as exc:
            errors = rejected.errors if isinstance(rejected, EbayApiError) else []
            raise EbayTokenNotRenewed(operation, "HTTP 401", errors, str(exc)) from rejected
        return self._call_once(operation, method, path, body, fresh, expect)

    def _call_once(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        token: str,
        expect: int,
    ) -> _Answer:
        url = self.config.api_url.rstrip("/") + path
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            MARKETPLACE_HEADER: self.config.marketplace_id,
        }
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        record = CallRecord(
            provider="ebay",
            operation=operation,
            method=method,
            url=url,
            correlation_id=uuid.uuid4().hex,
            account_id=self._account_id,
            account_label=self._account_label,
            request_headers={**headers, "Authorization": REDACTED},
            request_body=data or "",
        )
        started = time.monotonic()
        try:
            return self._send(operation, method, url, headers, data, expect, record)
        except EbayError as exc:
            record.error_message = str(exc)
            raise
        finally:
            record.duration_ms = int((time.monotonic() - started) * 1000)
            self._recorder(record)

    def _send(
        self,
        operation: str,
        method: str,
        url: str,
        headers: dict[str, str],
        data: str | None,
        expect: int,
        record: CallRecord,
    ) -> _Answer:
        try:
            response = self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
        except requests.Timeout as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayTimeoutError(f"{operation}: eBay did not answer in time ({exc})") from exc
        except requests.RequestException as exc:
            record.outcome = Outcome.TRANSPORT_ERROR
            raise EbayTransportError(f"{operation}: could not reach eBay ({exc})") from exc
        record.http_status = response.status_code
        record.response_body = response.content.decode("utf-8", "replace")
        status = response.status_code
        if status == 401:
            record.outcome = Outcome.TOKEN_REJECTED
            raise EbayHttpError(401, f"{operation}: eBay refused the access token (HTTP 401)")
        if status >= 500:
            record.outcome = Outcome.HTTP_ERROR
            raise EbayHttpError(status, f"{operation}: eBay answered HTTP {status}")
        payload = _json(response.content) if response.content.strip() else {}
        if 400 <= status < 500:
            errors = _messages(payload) if isinstance(payload, dict) else []
            if not errors:
                record.outcome = Outcome.HTTP_ERROR
                raise EbayHttpError(status, f"{operation}: eBay answered HTTP {status}")
            record.outcome = Outcome.BUSINESS_ERROR
            raise EbayApiError(operation, f"HTTP {status}", errors)
        if status != expect:
            record.outcome = Outcome.HTTP_ERROR
            raise EbayHttpError(
                status, f"{operation}: eBay answered HTTP {status} where {expect} was expected"
            )
        if payload is _UNREADABLE:
            record.outcome = Outcome.MALFORMED
            raise EbayMalformedResponse(f"{operation}: the answer is not JSON")
        record.outcome = Outcome.SUCCESS
        return _Answer(status=status, payload=payload, headers=dict(response.headers))


_UNREADABLE = object()


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return _UNREADABLE


def _object(payload: Any, operation: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise EbayMalformedResponse(f"{operation}: the answer is not a JSON object")
    return payload


def _messages(
    payload: dict[str, Any], key: str = "errors", severity: str = "Error"
) -> list[EbayMessage]:
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
        subtotal=subtotal
        if subtotal is not None
        else sum((line.price * line.quantity for line in lines), Decimal("0")),
        shipping_cost=shipping if shipping is not None else Decimal("0"),
        total=total if total is not None else Decimal("0"),
        currency=total_currency or next((line.currency for line in lines if line.currency), ""),
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
    page = _object(payload, "getOrders")
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
        warnings=_messages(page, "warnings", "Warning"),
        next_offset=start + served if more else None,
    )


def _shipping_fulfillment(data: Any) -> ShippingFulfillment:
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
