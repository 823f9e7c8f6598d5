"""The Returns 2.0 client: request shapes, lenient parsing, paging, labels (HTTP mocked)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses

from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCMalformedResponse,
)
from oc_integration.client.returns import (
    CANCELLED,
    COMPLETED,
    CREATED,
    IN_TRANSIT,
    MAX_SKUS_PER_STOCK_QUERY,
    UNKNOWN,
    OCNoReturnLabel,
    cancel_problems,
    cancel_rma,
    fetch_label,
    find_returns,
    meaning_of,
    parse_return,
    query_request,
    query_returns,
    query_windows,
    returned_stock,
    tracking_problems,
    update_tracking,
)
from tests.oc_integration.client_fakes import FixedTokens, envelope, sent_data, unit_client

API = "https://oc.test/openapi"
ORDERS = f"{API}/3pp/returns/v1/query/orders"
LABEL = f"{API}/3pp/returns/v1/query/label"
CANCEL = f"{API}/3pp/returns/v1/cancel/rma"
STOCK = f"{API}/3pp/returns/v1/query/stock"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n%%EOF\n"


def _client() -> OCApiClient:
    return unit_client(API, tokens=FixedTokens("token"), signature_mode="path_and_body")


def _ok(data: Any) -> dict[str, Any]:
    return envelope(data, message="success")


def _sent(call: Any) -> dict[str, Any]:
    return dict(sent_data(call))


def _row(number: str, **changes: Any) -> dict[str, Any]:
    return {
        "orderNumber": number,
        "outboundOrderNumber": "OCO2000011360056GB",
        "referenceNumber": "WEB-00001",
        "status": "IN_TRANSIT",
        "returnReason": "Arrived damaged",
        "updateTime": "2026-11-30T10:00:00+0800",
        "itemList": [{"MFSKUID": "OC0000250380015", "quantity": "2", "receivedQuantity": 0}],
        **changes,
    }


def test_status_words_are_read_loosely_and_new_ones_are_unknown() -> None:
    assert meaning_of("CREATED") == meaning_of("Label created") == CREATED
    assert meaning_of("in-transit") == meaning_of("In_Transit") == IN_TRANSIT
    assert meaning_of("Processed") == COMPLETED and meaning_of("Canceled") == CANCELLED
    assert meaning_of("Awaiting inspection by robot") == UNKNOWN


def test_a_row_is_parsed_with_its_other_spellings_and_bad_ones_are_refused() -> None:
    state = parse_return(
        {
            "rmaNumber": "RMA-1",
            "originalOrderNumber": "OCO1",
            "returnStatus": "Received",
            "skuList": [{"mfSkuId": "OC1", "returnQuantity": 3, "actualQuantity": "3"}],
            "createTime": "2026-11-28T20:09:57+0800",
        }
    )
    assert (state.return_number, state.outbound_number, state.meaning) == (
        "RMA-1",
        "OCO1",
        "received",
    )
    assert state.items[0].quantity == state.items[0].received_quantity == 3
    assert state.created_at == datetime(2026, 11, 28, 12, 9, 57, tzinfo=UTC)
    with pytest.raises(OCMalformedResponse, match="number"):
        parse_return({"status": "CREATED"})
    with pytest.raises(OCMalformedResponse, match="whole number"):
        parse_return(_row("R1", itemList=[{"MFSKUID": "OC1", "quantity": "two"}]))
    with pytest.raises(OCMalformedResponse, match="OC's times"):
        parse_return(_row("R1", updateTime="yesterday"))


def test_windows_are_under_7_days_and_a_query_needs_a_window_or_numbers() -> None:
    windows = query_windows(NOW - timedelta(days=15), NOW)
    assert len(windows) == 3 and windows[0][0] == NOW - timedelta(days=15)
    assert all(end - start <= timedelta(days=7) for start, end in windows)
    assert windows[-1][1] == NOW
    with pytest.raises(ValueError, match="under 7 days"):
        query_request(page=1, start=NOW - timedelta(days=8), end=NOW)
    with pytest.raises(ValueError, match="window or return order numbers"):
        query_request(page=1)
    assert query_request(page=2, return_numbers=["R1"]) == {
        "pageNumber": 2,
        "pageSize": 100,
        "orderNumberList": ["R1"],
    }


@responses.activate
def test_the_query_is_a_get_with_a_signed_json_body_and_pages_until_the_total() -> None:
    first = [_row(f"R{n}") for n in range(100)]
    responses.get(ORDERS, json=_ok({"returnOrderList": first, "total": 101}))
    responses.get(ORDERS, json=_ok({"returnOrderList": [_row("R100")], "total": 101}))
    states = query_returns(_client(), start=NOW - timedelta(days=1), end=NOW)
    assert len(states) == 101 and states[-1].return_number == "R100"
    sent = [_sent(call) for call in responses.calls]
    assert [s["pageNumber"] for s in sent] == [1, 2]
    assert sent[0]["startTime"] == "2026-11-29T12:00:00+0000"
    request = responses.calls[0].request
    assert request.method == "GET" and request.headers["vAuthorization"]


@responses.activate
def test_a_page_repeated_by_oc_is_refused_rather_than_looping() -> None:
    rows = [_row(f"R{n}") for n in range(100)]
    responses.get(ORDERS, json=_ok({"returnOrderList": rows, "total": 500}))
    responses.get(ORDERS, json=_ok({"returnOrderList": rows, "total": 500}))
    with pytest.raises(OCMalformedResponse, match="rows of page 1"):
        query_returns(_client(), start=NOW - timedelta(days=1), end=NOW)


@responses.activate
def test_finding_by_number_sends_the_numbers_and_reads_a_bare_list() -> None:
    responses.get(ORDERS, json=_ok([_row("R1")]))
    assert [s.return_number for s in find_returns(_client(), ["R1", "R1", ""])] == ["R1"]
    assert _sent(responses.calls[0])["orderNumberList"] == ["R1"]


@responses.activate
def test_a_label_arrives_as_a_pdf_or_as_base64_and_anything_else_is_no_label() -> None:
    responses.get(LABEL, body=PDF, content_type="application/pdf")
    assert fetch_label(_client(), "R1") == PDF
    assert _sent(responses.calls[0]) == {"orderNumber": "R1"}
    responses.replace(responses.GET, LABEL, json=_ok({"labelFile": base64.b64encode(PDF).decode()}))
    assert fetch_label(_client(), "R1") == PDF
    responses.replace(responses.GET, LABEL, json=_ok({"labelFile": "not base64!"}))
    with pytest.raises(OCNoReturnLabel, match="neither a PDF nor base64"):
        fetch_label(_client(), "R1")
    responses.replace(responses.GET, LABEL, json=_ok({}))
    with pytest.raises(OCNoReturnLabel, match="no label for return R1"):
        fetch_label(_client(), "R1")
    responses.replace(responses.GET, LABEL, body=b"<html>", content_type="application/pdf")
    with pytest.raises(OCNoReturnLabel, match="not a PDF"):
        fetch_label(_client(), "R1")


@responses.activate
def test_cancel_and_tracking_send_the_operation_and_refusals_are_typed() -> None:
    responses.post(CANCEL, json=_ok({"orderNumber": "R1", "status": "CANCELLED"}))
    change = cancel_rma(_client(), "R1", "Buyer kept it", at=NOW)
    assert change.status == "CANCELLED"
    assert _sent(responses.calls[0]) == {
        "orderNumber": "R1",
        "operationType": "CANCEL",
        "cancelReason": "Buyer kept it",
        "cancelTime": "2026-11-30T12:00:00+0000",
    }
    responses.replace(
        responses.POST,
        CANCEL,
        json={"code": 500520, "success": False, "message": "cannot be cancelled"},
    )
    with pytest.raises(OCBusinessError, match="cannot be cancelled"):
        update_tracking(_client(), "R1", "JD0001", "DPD")
    assert _sent(responses.calls[1]) == {
        "orderNumber": "R1",
        "operationType": "UPDATE_TRACKING",
        "trackingNumber": "JD0001",
        "carrierCode": "DPD",
    }


def test_bad_input_is_named_by_field_and_never_sent() -> None:
    assert cancel_problems(" ") == [("reason", "Give a reason: OC keeps it with the cancellation.")]
    assert [name for name, _ in tracking_problems("", "")] == ["tracking_number", "carrier_code"]
    assert tracking_problems("AB 12", "RM") == [
        ("tracking_number", "Only letters, digits and hyphens.")
    ]
    assert tracking_problems("A" * 51, "RM", "x" * 51) == [
        ("tracking_number", "At most 50 characters."),
        ("carrier_name", "At most 50 characters."),
    ]
    with pytest.raises(ValueError, match="tracking number"):
        update_tracking(_client(), "R1", "", "RM")  # raises before any HTTP (none mocked)


@responses.activate
def test_the_returned_stock_is_asked_in_batches_and_read_with_its_counts() -> None:
    skus = [f"OC{n:013d}" for n in range(MAX_SKUS_PER_STOCK_QUERY + 1)]
    responses.post(
        STOCK,
        json=_ok(
            {
                "list": [
                    {
                        "uniqueId": skus[0],
                        "serviceRegion": "UK",
                        "sellableQuantity": 2,
                        "unsellableQuantity": "1",
                    }
                ],
                "total": 1,
            }
        ),
    )
    rows = returned_stock(_client(), skus)
    assert len(responses.calls) == 2  # 201 SKUs: two batches
    first = _sent(responses.calls[0])
    assert first["serviceType"] == "SKU" and len(first["uniqueIdList"]) == 200
    assert rows[0].returned == 3 and rows[0].counts == {"sellable": 2, "unsellable": 1}
    responses.replace(responses.POST, STOCK, json=_ok({"list": [{"uniqueId": "OC1"}]}))
    with pytest.raises(OCMalformedResponse, match="region"):
        returned_stock(_client(), ["OC1"])
