"""The Sell Fulfillment API client against canned answers (``responses``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from ebay_orders.client import (
    EbayApiError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayTimeoutError,
    EbayTokenNotRenewed,
    FixedToken,
    FulfillmentClient,
    FulfillmentConfig,
    marketplace_id,
)
from hemi_fulfilment.apilog.records import CallRecord, Outcome
from hemi_fulfilment.apilog.redaction import REDACTED

API = "https://api.ebay.invalid"
ORDERS = f"{API}/sell/fulfillment/v1/order"
START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 2, tzinfo=UTC)


def order(order_id: str = "03-10001-07919", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "orderId": order_id,
        "legacyOrderId": "110003000001-2900000010000",
        "creationDate": "2026-11-01T08:00:00.000Z",
        "lastModifiedDate": "2026-11-01T09:00:00.000Z",
        "orderPaymentStatus": "PAID",
        "buyer": {"username": "buyer_1", "buyerRegistrationAddress": {"email": "b@example.com"}},
        "pricingSummary": {
            "priceSubtotal": {"value": "24.00", "currency": "GBP"},
            "deliveryCost": {"value": "2.50", "currency": "GBP"},
            "total": {"value": "26.50", "currency": "GBP"},
        },
        "cancelStatus": {"cancelState": "NONE_REQUESTED"},
        "fulfillmentStartInstructions": [
            {
                "shippingStep": {
                    "shipTo": {
                        "fullName": "Ann Buyer",
                        "contactAddress": {
                            "addressLine1": "1 High Street",
                            "city": "Brighton",
                            "postalCode": "BN2 5ES",
                            "countryCode": "GB",
                        },
                        "primaryPhone": {"phoneNumber": "0751"},
                    }
                }
            }
        ],
        "lineItems": [
            {
                "lineItemId": "2900000010000",
                "legacyItemId": "110003000001",
                "sku": "SKU-1",
                "title": "A thing",
                "quantity": 2,
                "lineItemCost": {"value": "24.00", "currency": "GBP"},
            }
        ],
    }
    data.update(changes)
    return data


def page(orders: list[dict[str, Any]], total: int, offset: int = 0, more: bool = False) -> str:
    payload: dict[str, Any] = {"total": total, "limit": 200, "offset": offset, "orders": orders}
    if more:
        payload["next"] = f"{ORDERS}?offset={offset + 200}"
    return json.dumps(payload)


class Renewing:
    """A token provider that hands out a second token once the first is refused."""

    def __init__(self) -> None:
        self.renewals = 0

    def access_token(self) -> str:
        return "first-access-token-AAAA1111"

    def renew_after_rejection(self, rejected_token: str) -> str:
        self.renewals += 1
        return "second-access-token-BBBB2222"


@pytest.fixture
def records() -> list[CallRecord]:
    return []


def make_client(records: list[CallRecord], tokens: Any = None) -> FulfillmentClient:
    config = FulfillmentConfig(
        api_url=API, marketplace_id="EBAY_DE", connect_timeout=3, read_timeout=7
    )
    return FulfillmentClient(
        config=config,
        tokens=tokens or FixedToken("fixed-access-token-CCCC3333"),
        recorder=records.append,
        account_id=5,
        account_label="eBay DE",
    )


def test_site_codes_map_to_ebay_marketplaces() -> None:
    assert marketplace_id("UK") == "EBAY_GB" and marketplace_id("de") == "EBAY_DE"
    with pytest.raises(ValueError, match="XX"):
        marketplace_id("XX")


@responses.activate
def test_get_orders_asks_for_the_window_page_and_marketplace(records: list[CallRecord]) -> None:
    responses.get(ORDERS, body=page([], 0))

    make_client(records).get_orders(modified_from=START, modified_to=END, offset=400)

    sent = responses.calls[0].request
    query = parse_qs(urlsplit(sent.url or "").query)
    assert query["filter"] == [
        "lastmodifieddate:[2026-11-01T00:00:00.000Z..2026-11-02T00:00:00.000Z]"
    ]
    assert query["limit"] == ["200"] and query["offset"] == ["400"]
    assert sent.headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"
    assert sent.headers["Authorization"] == "Bearer fixed-access-token-CCCC3333"
    assert records[0].operation == "getOrders" and records[0].outcome == Outcome.SUCCESS
    assert records[0].request_headers["Authorization"] == REDACTED
    assert "fixed-access-token" not in json.dumps(records[0].request_headers)


def test_a_limit_above_200_is_refused_before_any_call(records: list[CallRecord]) -> None:
    with pytest.raises(ValueError, match="200"):
        make_client(records).get_orders(modified_from=START, modified_to=END, limit=201)


@responses.activate
def test_an_order_is_read_into_the_shared_dataclasses(records: list[CallRecord]) -> None:
    responses.get(ORDERS, body=page([order()], 1))

    result = make_client(records).get_orders(modified_from=START, modified_to=END)

    [parsed] = result.orders
    assert parsed.order_id == "03-10001-07919" and parsed.buyer_user_id == "buyer_1"
    assert parsed.total == Decimal("26.50") and parsed.shipping_cost == Decimal("2.50")
    assert parsed.currency == "GBP" and parsed.buyer_email == "b@example.com"
    assert parsed.ship_name == "Ann Buyer" and parsed.ship_country_code == "GB"
    assert parsed.paid_time == datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert parsed.fulfilment == "seller"
    [line] = parsed.lines
    # Trading's OrderLineItemID (ItemID-TransactionID): the same key from both sources.
    assert line.order_line_item_id == "110003000001-2900000010000"
    assert line.transaction_id == "2900000010000" and line.item_id == "110003000001"
    assert line.price == Decimal("12.00") and line.quantity == 2
    assert result.has_more_orders is False and result.next_offset is None


@responses.activate
def test_fulfilled_by_ebay_and_vault_lines_are_told_apart(records: list[CallRecord]) -> None:
    by_ebay = order("A")
    by_ebay["lineItems"][0]["program"] = {"fulfillmentProgram": {"fulfilledBy": "EBAY"}}
    vault = order("B")
    vault["lineItems"][0]["program"] = {
        "fulfillmentProgram": {"fulfilledBy": "EBAY"},
        "ebayVault": {"fulfillmentType": "VAULT_TO_VAULT"},
    }
    responses.get(ORDERS, body=page([by_ebay, vault], 2))

    result = make_client(records).get_orders(modified_from=START, modified_to=END)

    first, second = (o.lines[0] for o in result.orders)
    assert first.fulfilled_by_ebay and not first.in_vault
    # REST names no warehouse: the Fulfillment Ref ID is unknown, not empty.
    assert not first.fulfillment_ref_id_known
    assert second.fulfilled_by_ebay and second.in_vault and second.fulfillment_ref_id_known
    assert {o.fulfilment for o in result.orders} == {"ebay"}


@responses.activate
def test_a_malformed_order_is_named_and_the_rest_of_the_page_kept(
    records: list[CallRecord],
) -> None:
    broken = order("BROKEN-1")
    broken["lineItems"][0]["quantity"] = "one"
    responses.get(ORDERS, body=page([broken, order("GOOD-1"), {"lineItems": []}], 3))

    result = make_client(records).get_orders(modified_from=START, modified_to=END)

    assert [o.order_id for o in result.orders] == ["GOOD-1"]
    assert result.problems[0].order_id == "BROKEN-1"
    assert "quantity" in result.problems[0].message
    assert result.problems[1].order_id == "" and "orderId" in result.problems[1].message


@responses.activate
def test_paging_follows_total_and_next(records: list[CallRecord]) -> None:
    responses.get(ORDERS, body=page([order("X")], 401, offset=200, more=True))

    result = make_client(records).get_orders(modified_from=START, modified_to=END, offset=200)

    assert result.has_more_orders and result.next_offset == 400 and result.total_entries == 401
    assert result.page_number == 2 and result.total_pages == 3


@pytest.mark.parametrize(
    "body", ["<html>gateway</html>", json.dumps({"orders": "none"}), json.dumps([1, 2])]
)
@responses.activate
def test_an_unreadable_page_is_a_typed_error(records: list[CallRecord], body: str) -> None:
    responses.get(ORDERS, body=body)

    with pytest.raises(EbayMalformedResponse):
        make_client(records).get_orders(modified_from=START, modified_to=END)


@responses.activate
def test_http_401_renews_the_token_once_and_retries_once(records: list[CallRecord]) -> None:
    tokens = Renewing()
    responses.get(ORDERS, status=401, json={"errors": [{"errorId": 1001}]})
    responses.get(ORDERS, body=page([], 0))

    make_client(records, tokens).get_orders(modified_from=START, modified_to=END)

    assert tokens.renewals == 1 and len(responses.calls) == 2
    assert responses.calls[1].request.headers["Authorization"].endswith("BBBB2222")
    assert [r.outcome for r in records] == [Outcome.TOKEN_REJECTED, Outcome.SUCCESS]


@responses.activate
def test_a_token_that_cannot_be_renewed_says_so(records: list[CallRecord]) -> None:
    responses.get(ORDERS, status=401, json={"errors": [{"errorId": 1001}]})

    with pytest.raises(EbayTokenNotRenewed, match="no way to renew"):
        make_client(records).get_orders(modified_from=START, modified_to=END)
    assert len(responses.calls) == 1


@responses.activate
def test_errors_are_typed(records: list[CallRecord]) -> None:
    client = make_client(records)
    responses.get(ORDERS, status=503, body="busy")
    with pytest.raises(EbayHttpError) as server:
        client.get_orders(modified_from=START, modified_to=END)
    assert server.value.status == 503
    responses.replace(
        responses.GET, ORDERS, status=400, json={"errors": [{"errorId": 30700, "message": "Bad"}]}
    )
    with pytest.raises(EbayApiError) as refused:
        client.get_orders(modified_from=START, modified_to=END)
    assert refused.value.codes == ["30700"]
    responses.replace(responses.GET, ORDERS, body=requests.Timeout("slow"))
    with pytest.raises(EbayTimeoutError):
        client.get_orders(modified_from=START, modified_to=END)
    assert [r.outcome for r in records] == [
        Outcome.HTTP_ERROR,
        Outcome.BUSINESS_ERROR,
        Outcome.TRANSPORT_ERROR,
    ]


@responses.activate
def test_create_shipping_fulfillment_sends_the_lines_and_returns_the_id(
    records: list[CallRecord],
) -> None:
    url = f"{ORDERS}/03-10001-07919/shipping_fulfillment"
    responses.post(url, status=201, json={}, headers={"Location": f"{url}/FUL-9"})

    fulfillment_id = make_client(records).create_shipping_fulfillment(
        order_id="03-10001-07919",
        line_items=[("2900000010000", 2)],
        carrier="Royal Mail",
        tracking_number="RM1GB",
        shipped_date=datetime(2026, 11, 3, 10, tzinfo=UTC),
    )

    assert fulfillment_id == "FUL-9"
    body = json.loads(responses.calls[0].request.body or "")
    assert body == {
        "lineItems": [{"lineItemId": "2900000010000", "quantity": 2}],
        "shippingCarrierCode": "Royal Mail",
        "trackingNumber": "RM1GB",
        "shippedDate": "2026-11-03T10:00:00.000Z",
    }
    assert records[0].operation == "createShippingFulfillment"


@responses.activate
def test_shipping_fulfillments_are_listed_with_their_tracking(records: list[CallRecord]) -> None:
    url = f"{ORDERS}/03-1/shipping_fulfillment"
    responses.get(
        url,
        json={
            "fulfillments": [
                {
                    "fulfillmentId": "F1",
                    "shipmentTrackingNumber": "RM1GB",
                    "shippingCarrierCode": "Royal Mail",
                    "shippedDate": "2026-11-03T10:00:00.000Z",
                    "lineItems": [{"lineItemId": "29"}],
                }
            ],
            "total": 1,
        },
    )

    [found] = make_client(records).get_shipping_fulfillments("03-1")

    assert found.tracking_number == "RM1GB" and found.line_item_ids == ("29",)
