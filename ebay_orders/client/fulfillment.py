"""The eBay Sell Fulfillment API client (REST): getOrders, createShippingFulfillment.

No Django, like the Trading client: the caller passes a :class:`TokenProvider`, the
settings values and a :data:`CallRecorder`. One ``requests.Session``, explicit timeouts,
every call recorded once. When eBay answers HTTP 401 the provider is asked once for a
fresh token and the call is sent once more.

Its answers are read by :mod:`ebay_orders.client.rest_orders`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests

from ebay_orders.client.errors import (
    EbayApiError,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayTokenNotRenewed,
    is_token_rejection,
)
from ebay_orders.client.orders import (
    EbayOrder,
    GetOrdersPage,
    OrderParseError,
)
from ebay_orders.client.rest_orders import (
    ShippingFulfillment,
    json_object,
    messages_of,
    parse_order,
    parse_orders_page,
    parse_shipping_fulfillment,
)
from ebay_orders.client.session import EbaySessionClient
from ebay_orders.client.tokens import TokenProvider
from ebay_orders.client.xmlutil import ebay_time
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
            return parse_order(json_object(answer.payload, "getOrder"))
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
        payload = json_object(answer.payload, "getShippingFulfillments")
        found = payload.get("fulfillments") or []
        if not isinstance(found, list):
            raise EbayMalformedResponse("getShippingFulfillments: fulfillments is not a list")
        try:
            return [parse_shipping_fulfillment(item) for item in found]
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
        response = self._exchange(
            operation,
            method,
            url,
            record,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            data=data,
            headers=headers,
        )
        status = response.status_code
        if status == 401:
            record.outcome = Outcome.TOKEN_REJECTED
            raise EbayHttpError(401, f"{operation}: eBay refused the access token (HTTP 401)")
        if status >= 500:
            record.outcome = Outcome.HTTP_ERROR
            raise EbayHttpError(status, f"{operation}: eBay answered HTTP {status}")
        payload = _json(response.content) if response.content.strip() else {}
        if 400 <= status < 500:
            errors = messages_of(payload) if isinstance(payload, dict) else []
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
