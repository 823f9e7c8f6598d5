"""The Trading API client against canned answers (``responses``): headers, Ack, errors, log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests
import responses

from ebay_orders.client import (
    EbayApiError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayPartialFailure,
    EbayTimeoutError,
    EbayTokenRejected,
    EbayTransportError,
    TradingClient,
    TradingConfig,
)
from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.apilog.recorder import record_call
from hemi_fulfilment.apilog.records import CallRecord, Outcome
from hemi_fulfilment.apilog.redaction import REDACTED

URL = "https://ebay.invalid/ws/api.dll"
TOKEN = "v^1.1#i^1#p^3#r^1#I^3#f^0#t^Ul4xMF8yOjQ2secret-user-token"
START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)


def envelope(call: str, ack: str, errors: str = "", content: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{call}Response xmlns="urn:ebay:apis:eBLBaseComponents">
<Timestamp>2026-11-20T10:00:00.000Z</Timestamp><Ack>{ack}</Ack>{errors}
<Version>1349</Version>{content}</{call}Response>"""


def error(code: str, message: str, severity: str = "Error") -> str:
    return (
        f"<Errors><ShortMessage>{message}</ShortMessage><LongMessage>{message}.</LongMessage>"
        f"<ErrorCode>{code}</ErrorCode><SeverityCode>{severity}</SeverityCode></Errors>"
    )


EMPTY_PAGE = (
    "<PaginationResult><TotalNumberOfPages>0</TotalNumberOfPages></PaginationResult>"
    "<HasMoreOrders>false</HasMoreOrders><OrderArray/><PageNumber>1</PageNumber>"
)


@pytest.fixture
def records() -> list[CallRecord]:
    return []


@pytest.fixture
def client(records: list[CallRecord]) -> TradingClient:
    config = TradingConfig(
        api_url=URL, site_id=77, compatibility_level=1349, connect_timeout=3, read_timeout=7
    )
    return TradingClient(
        config=config, token=TOKEN, recorder=records.append, account_id=5, account_label="eBay DE"
    )


def get_orders(client: TradingClient) -> object:
    return client.get_orders(mod_time_from=START, mod_time_to=END, page_number=1)


@responses.activate
def test_headers_identify_the_call_site_level_and_token(client: TradingClient) -> None:
    responses.post(URL, body=envelope("GetOrders", "Success", content=EMPTY_PAGE))
    get_orders(client)
    sent = responses.calls[0].request
    assert sent.headers["X-EBAY-API-CALL-NAME"] == "GetOrders"
    assert sent.headers["X-EBAY-API-SITEID"] == "77"
    assert sent.headers["X-EBAY-API-COMPATIBILITY-LEVEL"] == "1349"
    assert sent.headers["X-EBAY-API-IAF-TOKEN"] == TOKEN
    assert sent.headers["Content-Type"].startswith("text/xml")
    assert sent.headers["User-Agent"].startswith("hemi-fulfilment/")
    assert b"<GetOrdersRequest" in sent.body  # type: ignore[operator]


def test_both_timeouts_are_passed_to_requests(client: TradingClient) -> None:
    seen = {}

    def fake_request(method: str, url: str, **kwargs: object) -> requests.Response:
        seen.update(kwargs)
        raise requests.ConnectionError("refused")

    client._session.request = fake_request  # type: ignore[method-assign,assignment]
    with pytest.raises(EbayTransportError):
        get_orders(client)
    assert seen["timeout"] == (3, 7)


@responses.activate
def test_ack_warning_succeeds_and_returns_the_warnings(client: TradingClient) -> None:
    responses.post(
        URL,
        body=envelope(
            "GetOrders", "Warning", error("21917092", "Deprecated field", "Warning"), EMPTY_PAGE
        ),
    )
    page = client.get_orders(mod_time_from=START, mod_time_to=END, page_number=1)
    assert [w.code for w in page.warnings] == ["21917092"]
    assert page.orders == [] and not page.has_more_orders


@responses.activate
def test_ack_failure_raises_with_ebays_error_codes(
    client: TradingClient, records: list[CallRecord]
) -> None:
    responses.post(URL, body=envelope("GetOrders", "Failure", error("10007", "Internal error")))
    with pytest.raises(EbayApiError) as raised:
        get_orders(client)
    assert raised.value.codes == ["10007"] and not isinstance(raised.value, EbayTokenRejected)
    assert "10007" in str(raised.value)
    assert records[0].outcome == Outcome.BUSINESS_ERROR


@pytest.mark.parametrize("code", ["931", "932", "21916984"])
@responses.activate
def test_token_errors_raise_token_rejected(
    client: TradingClient, records: list[CallRecord], code: str
) -> None:
    responses.post(URL, body=envelope("GetOrders", "Failure", error(code, "Auth token is invalid")))
    with pytest.raises(EbayTokenRejected):
        get_orders(client)
    assert records[0].outcome == Outcome.TOKEN_REJECTED


@responses.activate
def test_partial_failure_is_its_own_error(client: TradingClient) -> None:
    responses.post(URL, body=envelope("CompleteSale", "PartialFailure", error("55", "Half done")))
    with pytest.raises(EbayPartialFailure):
        client.complete_sale(order_id="02-1", carrier="DHL", tracking_number="1")


@responses.activate
def test_http_5xx_raises_http_error(client: TradingClient, records: list[CallRecord]) -> None:
    responses.post(URL, status=503, body="Service Unavailable")
    with pytest.raises(EbayHttpError) as raised:
        get_orders(client)
    assert raised.value.status == 503
    assert records[0].outcome == Outcome.HTTP_ERROR and records[0].http_status == 503


@responses.activate
def test_a_timeout_is_a_transport_error_of_its_own_kind(
    client: TradingClient, records: list[CallRecord]
) -> None:
    responses.post(URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(EbayTimeoutError):
        get_orders(client)
    assert records[0].outcome == Outcome.TRANSPORT_ERROR


@pytest.mark.parametrize(
    "body",
    [
        "<html>gateway error</html",
        "",
        envelope("GetOrders", "").replace("<Ack></Ack>", ""),
        envelope("GetOrders", "Sometimes"),
    ],
    ids=["not-xml", "empty", "no-ack", "unknown-ack"],
)
@responses.activate
def test_malformed_answers_raise_malformed_response(
    client: TradingClient, records: list[CallRecord], body: str
) -> None:
    responses.post(URL, body=body)
    with pytest.raises(EbayMalformedResponse):
        get_orders(client)
    assert records[0].outcome == Outcome.MALFORMED


@responses.activate
def test_complete_sale_returns_warnings(client: TradingClient) -> None:
    responses.post(
        URL, body=envelope("CompleteSale", "Warning", error("20400", "Duplicate", "Warning"))
    )
    result = client.complete_sale(order_id="02-1", carrier="DHL", tracking_number="1")
    assert result.order_id == "02-1" and [w.code for w in result.warnings] == ["20400"]
    assert responses.calls[0].request.headers["X-EBAY-API-CALL-NAME"] == "CompleteSale"


@responses.activate
def test_every_call_is_recorded_once_without_the_token(
    client: TradingClient, records: list[CallRecord]
) -> None:
    responses.post(URL, body=envelope("GetOrders", "Success", content=EMPTY_PAGE))
    responses.post(URL, status=500)
    get_orders(client)
    with pytest.raises(EbayHttpError):
        get_orders(client)
    assert [r.outcome for r in records] == [Outcome.SUCCESS, Outcome.HTTP_ERROR]
    first = records[0]
    assert (first.provider, first.operation, first.account_id) == ("ebay", "GetOrders", 5)
    assert first.request_headers["X-EBAY-API-IAF-TOKEN"] == REDACTED
    assert TOKEN not in json.dumps(first.__dict__)
    assert "<HasMoreOrders>" in first.response_body


@pytest.mark.django_db
@responses.activate
def test_the_api_call_log_row_is_redacted() -> None:
    config = TradingConfig(
        api_url=URL, site_id=3, compatibility_level=1349, connect_timeout=1, read_timeout=1
    )
    client = TradingClient(config=config, token=TOKEN, recorder=record_call, account_id=424242)
    # A response that echoes the token in an eBayAuthToken element must not leak it either.
    echoed = f"<RequesterCredentials><eBayAuthToken>{TOKEN}</eBayAuthToken></RequesterCredentials>"
    responses.post(URL, body=envelope("GetOrders", "Failure", error("931", "Invalid"), echoed))
    with pytest.raises(EbayTokenRejected):
        get_orders(client)
    row = ApiCallLog.objects.get(account_id=424242)
    stored = json.dumps(
        [row.request_headers, row.request_body, row.response_body, row.error_message, row.url]
    )
    assert row.provider == "ebay" and row.outcome == Outcome.TOKEN_REJECTED
    assert TOKEN not in stored and "secret-user-token" not in stored
    assert row.request_headers["X-EBAY-API-IAF-TOKEN"] == REDACTED


@responses.activate
def test_get_orders_by_id_sends_the_ids_and_reads_shipment_and_tracking(
    client: TradingClient,
) -> None:
    order = (
        "<OrderArray><Order><OrderID>03-1</OrderID><TransactionArray><Transaction>"
        "<ShippingDetails><ShipmentTrackingDetails><ShippingCarrierUsed>Royal Mail"
        "</ShippingCarrierUsed><ShipmentTrackingNumber>RM1GB</ShipmentTrackingNumber>"
        "</ShipmentTrackingDetails></ShippingDetails><Item><ItemID>1</ItemID></Item>"
        "<TransactionID>2</TransactionID></Transaction></TransactionArray>"
        "<ShippedTime>2026-11-20T10:00:00.000Z</ShippedTime></Order></OrderArray>"
    )
    responses.post(URL, body=envelope("GetOrders", "Success", content=order))

    page = client.get_orders_by_id(order_ids=["03-1", "03-2"])

    [found] = page.orders
    assert found.tracking_numbers == ("RM1GB",)
    assert found.shipped_time == datetime(2026, 11, 20, 10, tzinfo=UTC)
    body = responses.calls[0].request.body
    assert isinstance(body, bytes)
    assert b"<OrderID>03-1</OrderID><OrderID>03-2</OrderID>" in body
    assert b"ModTimeFrom" not in body
    with pytest.raises(ValueError):
        client.get_orders_by_id(order_ids=[str(n) for n in range(101)])


LONG_TOKEN = "Ul4xMF8yOjQ2QkNFMjVGNzlFRUM2RUQ1OTgxQjQ4MzFDRjRFNzJGXzFfMSNFXjI2MA"


@pytest.mark.django_db
@responses.activate
def test_a_long_token_in_ebays_error_message_reaches_neither_the_error_nor_the_log_row() -> None:
    config = TradingConfig(
        api_url=URL, site_id=3, compatibility_level=1349, connect_timeout=1, read_timeout=1
    )
    client = TradingClient(config=config, token=TOKEN, recorder=record_call, account_id=434343)
    responses.post(
        URL,
        body=envelope("GetOrders", "Failure", error("10007", f"Internal error for {LONG_TOKEN}")),
    )
    with pytest.raises(EbayApiError) as raised:
        get_orders(client)
    assert LONG_TOKEN not in str(raised.value)
    assert raised.value.codes == ["10007"] and REDACTED in str(raised.value)
    assert all(LONG_TOKEN not in str(m) for m in raised.value.errors)
    row = ApiCallLog.objects.get(account_id=434343)
    assert LONG_TOKEN not in row.error_message and "10007" in row.error_message
