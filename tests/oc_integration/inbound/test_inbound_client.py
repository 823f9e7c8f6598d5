"""The inbound client: requests as OC's reference spells them, answers read leniently,
OC's limits enforced before sending (HTTP mocked with responses)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import responses

from oc_integration.client import OCApiClient, OCMalformedResponse
from oc_integration.client.inbound import (
    CLEARANCE_MAX_BYTES,
    ClearanceFile,
    InboundCarton,
    InboundDraft,
    InboundLine,
    OCNoInboundLabel,
    TrackingNumber,
    clearance_problems,
    clearance_request,
    creation_request,
    draft_problems,
    fetch_label,
    format_eta,
    meaning_of,
    parse_state,
    place_inbound,
    query_details,
    query_windows,
    tracking_request,
)
from tests.oc_integration.client_fakes import envelope, sent_data, unit_client

API = "https://oc.test/openapi"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def client() -> OCApiClient:
    return unit_client(API)


def sent(call_index: int = 0) -> Any:
    return sent_data(responses.calls[call_index])


DRAFT = InboundDraft(
    seller_inbound_number="IN-1",
    region="DE",
    shipping_from="CN",
    shipping_method="TK",
    transport_method="OF",
    eta=date(2030, 11, 28),
    eta_offset="+0800",
    vat="DE123",
    cartons=(InboundCarton("C001", (InboundLine("OC0000250380015", 10),)),),
)


def test_the_creation_request_uses_oc_s_schema_spelling() -> None:
    assert creation_request(DRAFT) == {
        "sellerInboundNumber": "IN-1",
        "serviceRegion": "DE",
        "shippingFrom": "CN",
        "shippingMethod": "TK",
        "eta": "2030-11-28+0800",
        "transportMethod": "OF",
        "vat": "DE123",
        "cartonList": [
            {
                "sellerCartonNumber": "C001",
                "cartonNumber": "C001",
                "cartonOriginCountry": "CN",
                "productList": [{"mfskuid": "OC0000250380015", "quantity": 10}],
            }
        ],
    }


def test_every_broken_rule_is_named_by_its_field() -> None:
    bad = InboundDraft(
        seller_inbound_number="",
        region="",
        shipping_from="cn",
        shipping_method="SEA",
        transport_method="XX",
        eta=date(2020, 1, 1),
        cartons=(
            InboundCarton("C1", ()),
            InboundCarton("C1", (InboundLine("OC1", 0),)),
        ),
    )
    fields = {name for name, _ in draft_problems(bad, today=date(2025, 1, 1))}
    assert fields == {
        "seller_inbound_number",
        "region",
        "shipping_from",
        "shipping_method",
        "transport_method",
        "eta",
        "cartons",
    }
    assert draft_problems(DRAFT, today=date(2025, 1, 1)) == []


def test_eta_is_a_date_with_a_colon_less_offset() -> None:
    assert format_eta(date(2018, 11, 28), "+0800") == "2018-11-28+0800"
    with pytest.raises(ValueError):
        format_eta(date(2018, 11, 28), "+08:00")


@responses.activate
@pytest.mark.parametrize(
    "data",
    [
        {"inboundNumber": "OCI4DE06746410"},
        [{"inboundOrderNumber": "OCI4DE06746410"}],
        "OCI4DE06746410",
    ],
)
def test_the_creation_answer_is_read_in_each_likely_shape(client: OCApiClient, data: Any) -> None:
    responses.post(f"{API}/3pp/inbound/v1/creation", json=envelope(data))
    assert place_inbound(client, DRAFT) == "OCI4DE06746410"


@responses.activate
def test_an_answer_without_an_inbound_number_is_malformed(client: OCApiClient) -> None:
    responses.post(f"{API}/3pp/inbound/v1/creation", json=envelope({}))
    with pytest.raises(OCMalformedResponse):
        place_inbound(client, DRAFT)


def test_a_detail_row_is_read_with_oc_s_spellings_and_per_carton_skus_summed() -> None:
    state = parse_state(
        {
            "inboundNumber": "OCI4DE06746410",
            "sellerinboundNumber": "IN-1",
            "status": "Receiving",
            "statusTime": "2023-04-21T20:09:57+0800",
            "asnList": [{"asnNumber": "A1"}],
            "batchList": [{"arrivalTime": 0, "asnnumber": "A1", "inboundBatchNumber": "B1"}],
            "fileList": [{"fileName": "PL.PDF", "fileType": "PL", "verifyStatus": "PASSED"}],
            "skuList": [
                {"mfskuid": "OC1", "quantity": "10", "receivedQuantity": 4},
                {"MFSKUID": "OC1", "quantity": 5, "receivedQuantity": 5},
            ],
            "somethingNew": True,
        }
    )
    assert state.meaning == "receiving" and state.seller_inbound_number == "IN-1"
    assert [(s.oc_sku, s.sent, s.received) for s in state.skus] == [("OC1", 15, 9)]
    assert state.asn_numbers == ("A1",) and state.files[0].verify_status == "PASSED"
    assert state.changed_at == datetime(2023, 4, 21, 12, 9, 57, tzinfo=UTC)
    with pytest.raises(OCMalformedResponse):
        parse_state({"inboundNumber": "X", "skuList": [{"mfskuid": "OC1", "quantity": "ten"}]})


def test_unknown_status_words_mean_unknown() -> None:
    assert meaning_of("COMPLETED") == "received" and meaning_of("whatever") == "unknown"
    assert meaning_of("") == "unknown"


@responses.activate
def test_detail_query_sends_oc_s_lower_case_i_and_refuses_long_windows(
    client: OCApiClient,
) -> None:
    responses.post(f"{API}/3pp/inbound/v1/detail", json=envelope({"inboundOrderList": []}))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    query_details(client, start=start, end=start + timedelta(days=6), seller_numbers=["IN-1"])
    assert sent() == {
        "startTime": "2026-01-01T00:00:00+0000",
        "endTime": "2026-01-07T00:00:00+0000",
        "sellerinboundNumberList": ["IN-1"],
    }
    with pytest.raises(ValueError, match="under 7 days"):
        query_details(client, start=start, end=start + timedelta(days=7))
    assert len(responses.calls) == 1


def test_a_long_span_is_cut_into_windows_of_under_7_days() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    windows = query_windows(start, start + timedelta(days=20))
    assert (
        len(windows) == 3
        and windows[0][0] == start
        and windows[-1][1] == start + timedelta(days=20)
    )
    assert all(end - begin < timedelta(days=7) for begin, end in windows)
    assert all(a[1] == b[0] for a, b in pairwise(windows))


@responses.activate
def test_a_label_comes_as_a_pdf_or_base64_and_anything_else_is_no_label(
    client: OCApiClient,
) -> None:
    path = f"{API}/3pp/inbound/v1/query/labels"
    responses.post(path, body=PDF, content_type="application/pdf")
    assert fetch_label(client, "OCI4AU05251270") == PDF
    assert sent() == {"inboundOrderList": [{"inboundOrder": "OCI4AU05251270"}]}
    responses.replace(
        responses.POST,
        path,
        json=envelope([{"inboundOrder": "X", "labelFile": base64.b64encode(PDF).decode()}]),
    )
    assert fetch_label(client, "OCI4AU05251270") == PDF
    responses.replace(responses.POST, path, json=envelope([]))
    with pytest.raises(OCNoInboundLabel):
        fetch_label(client, "OCI4AU05251270")


def test_tracking_limits_are_checked_before_sending() -> None:
    assert tracking_request("OCI4", "IN-1", [TrackingNumber("DHL", "123", "C1")]) == {
        "inboundNumber": "OCI4",
        "referenceNumber": "IN-1",
        "trackingList": [{"cartonNumber": "C1", "carrier": "DHL", "trackingNumber": "123"}],
    }
    with pytest.raises(ValueError, match="tracking number"):
        tracking_request("OCI4", "IN-1", [TrackingNumber("DHL", " ")])
    with pytest.raises(ValueError, match="reference"):
        tracking_request("OCI4", "R" * 51, [TrackingNumber("DHL", "1")])


def test_clearance_files_are_checked_for_type_name_and_size() -> None:
    assert clearance_problems(ClearanceFile("invoice.pdf", "IN", PDF)) == []
    assert [f for f, _ in clearance_problems(ClearanceFile("x.pdf", "ZZ", PDF))] == ["file_type"]
    too_big = ClearanceFile("x.pdf", "PL", b"%PDF-" + b"0" * CLEARANCE_MAX_BYTES)
    assert "larger than 10 MB" in clearance_problems(too_big)[0][1]
    assert "not one of" in clearance_problems(ClearanceFile("x.exe", "PL", b"MZ"))[0][1]
    assert "not a PDF" in clearance_problems(ClearanceFile("x.pdf", "PL", b"hello"))[0][1]
    request = clearance_request("OCI4", [ClearanceFile("invoice.pdf", "IN", PDF)])
    assert base64.b64decode(request["fileList"][0]["file"]) == PDF
