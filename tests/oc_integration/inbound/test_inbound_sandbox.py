"""The sandbox's six inbound endpoints through the real client over HTTP: OC's rules,
windows, labels as real PDFs, uploads, the control API and the clock."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient, OCBusinessError
from oc_integration.client.inbound import (
    ClearanceFile,
    InboundCarton,
    InboundDraft,
    InboundLine,
    TrackingNumber,
    fetch_label,
    list_orders,
    place_inbound,
    query_details,
    upload_clearance,
    upload_tracking,
)
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.inbound.helpers import FIRST, SECOND

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def client(authorized_account: AccountOrangeConnex) -> OCApiClient:
    return api_client(authorized_account)


def draft(number: str = "IN-TEST-1", **changes: object) -> InboundDraft:
    values: dict = {
        "seller_inbound_number": number,
        "region": "UK",
        "shipping_from": "CN",
        "shipping_method": "EX",
        "eta": timezone.localdate() + timedelta(days=5),
        "cartons": (
            InboundCarton("C1", (InboundLine(FIRST, 10), InboundLine(SECOND, 2))),
            InboundCarton("C2", (InboundLine(FIRST, 5),)),
        ),
        **changes,
    }
    return InboundDraft(**values)


def today_window() -> dict[str, Any]:  # start and end, for **
    now = datetime.now(UTC)
    return {"start": now - timedelta(hours=1), "end": now + timedelta(minutes=1)}


def test_an_order_is_created_found_by_both_numbers_and_listed(client: OCApiClient) -> None:
    number = place_inbound(client, draft())
    assert number.startswith("OCI4UK")
    [by_number] = query_details(client, **today_window(), inbound_numbers=[number])
    [by_seller] = query_details(client, **today_window(), seller_numbers=["IN-TEST-1"])
    assert by_number == by_seller
    assert by_number.status == "CREATED" and by_number.meaning == "created"
    assert {(s.oc_sku, s.sent, s.received) for s in by_number.skus} == {
        (FIRST, 15, 0),
        (SECOND, 2, 0),
    }
    [listed] = list_orders(client, **today_window())
    assert (listed.inbound_number, listed.seller_inbound_number) == (number, "IN-TEST-1")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"shipping_method": "SEA"}, "shippingMethod must be TK or EX"),
        ({"region": "XX"}, "serviceRegion XX is not a fulfilment centre"),
        ({"cartons": ()}, "cartonList requires at least one carton"),
        ({"cartons": (InboundCarton("C1", ()),)}, "productList requires at least one SKU"),
        ({"cartons": (InboundCarton("C1", (InboundLine(FIRST, 0),)),)}, "must be more than 0"),
        (
            {"cartons": (InboundCarton("C1", (InboundLine("OC9999999999999", 1),)),)},
            "does not exist",
        ),
        ({"region": "AU"}, "not approved for serviceRegion AU"),
        ({"eta": timezone.localdate() - timedelta(days=3)}, "is in the past"),
    ],
)
def test_oc_s_rules_refuse_a_bad_order_and_create_nothing(
    client: OCApiClient, oc_sandbox: Sandbox, changes: dict, words: str
) -> None:
    with pytest.raises(OCBusinessError) as refused:
        place_inbound(client, draft(**changes))
    assert any(words in e.message for e in refused.value.errors), refused.value.errors
    assert oc_sandbox.control("GET", "inbound")["orders"] == []


def test_a_seller_inbound_number_is_taken_once(client: OCApiClient) -> None:
    place_inbound(client, draft())
    with pytest.raises(OCBusinessError) as refused:
        place_inbound(client, draft())
    assert [e.code for e in refused.value.errors] == ["400409"]


def test_windows_of_7_days_or_more_are_refused_by_both_sides(client: OCApiClient) -> None:
    now = datetime.now(UTC)
    with pytest.raises(ValueError, match="under 7 days"):
        query_details(client, start=now - timedelta(days=7), end=now)
    with pytest.raises(OCBusinessError, match="less than 7 days"):
        client.call(
            "inbound detail query",
            "/3pp/inbound/v1/detail",
            {"startTime": "2026-01-01T00:00:00+0000", "endTime": "2026-01-08T00:00:00+0000"},
        )


def test_an_unknown_inbound_number_is_oc_s_error_3a0529(client: OCApiClient) -> None:
    with pytest.raises(OCBusinessError, match="doesnt exists") as unknown:
        query_details(client, **today_window(), inbound_numbers=["OCI4UK99999999"])
    assert unknown.value.code == "3"


def test_labels_are_a_real_pdf_with_a_page_per_carton_and_sku(client: OCApiClient) -> None:
    number = place_inbound(client, draft())
    pdf = fetch_label(client, number)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 5" in pdf  # 2 cartons + 3 SKU lines
    assert number.encode() in pdf and b"Carton: C2" in pdf


def test_tracking_is_taken_per_carton_or_for_the_order_and_checked(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    number = place_inbound(client, draft())
    upload_tracking(client, number, "IN-TEST-1", [TrackingNumber("DHL", "JD0001", "C1")])
    upload_tracking(client, number, "IN-TEST-1", [TrackingNumber("DHL", "JD0002")])
    [row] = oc_sandbox.control("GET", "inbound")["orders"]
    assert row["tracking"] == [{"cartonNumber": "", "carrier": "DHL", "trackingNumber": "JD0002"}]
    with pytest.raises(OCBusinessError, match="not a carton"):
        upload_tracking(client, number, "IN-TEST-1", [TrackingNumber("DHL", "X", "C9")])
    truck = place_inbound(client, draft("IN-TRUCK", shipping_method="TK"))
    with pytest.raises(OCBusinessError, match="express"):
        upload_tracking(client, truck, "IN-TRUCK", [TrackingNumber("DHL", "X")])


def test_clearance_files_are_checked_and_reported_in_the_detail(client: OCApiClient) -> None:
    number = place_inbound(client, draft())
    upload_clearance(client, number, [ClearanceFile("invoice.pdf", "IN", PDF)])
    [state] = query_details(client, **today_window(), inbound_numbers=[number])
    [checked] = state.files
    assert (checked.file_name, checked.file_type, checked.verify_status) == (
        "invoice.pdf",
        "IN",
        "PASSED",
    )
    with pytest.raises(OCBusinessError, match="fileType"):
        client.call(
            "inbound clearance upload",
            "/3pp/inbound/v1/upload/customs-clearance-file",
            {
                "inboundNumber": number,
                "fileList": [
                    {"file": base64.b64encode(PDF).decode(), "fileName": "x.pdf", "fileType": "ZZ"}
                ],
            },
        )


def test_the_control_api_and_the_clock_move_orders_and_fewer_units_may_arrive(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    number = place_inbound(client, draft())
    before = oc_sandbox.control("GET", "catalog/summary")["regions"]["UK"]
    oc_sandbox.control("POST", "clock", advance_seconds=2 * 24 * 3600 + 5)
    [row] = oc_sandbox.control("GET", "inbound")["orders"]
    assert row["status"] == "ARRIVED"
    assert [h["status"] for h in row["history"]] == ["CREATED", "SHIPPED", "ARRIVED"]
    in_transit = oc_sandbox.control("GET", "catalog/summary")["regions"]["UK"]
    assert in_transit["INTRAN"] == before["INTRAN"] + 17
    [row] = oc_sandbox.control(
        "POST", "inbound/advance", inboundNumber=number, to="RECEIVED", short={FIRST: 3}
    )["orders"]
    assert {s["mfskuid"]: s["receivedQuantity"] for s in row["skuList"]} == {FIRST: 12, SECOND: 2}
    after = oc_sandbox.control("GET", "catalog/summary")["regions"]["UK"]
    assert after["AVL"] == before["AVL"] + 14 and after["INTRAN"] == before["INTRAN"]


def test_faults_apply_to_the_inbound_endpoints_like_any_other(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault("/openapi/3pp/inbound/*", "malformed")
    from oc_integration.client import OCMalformedResponse

    with pytest.raises(OCMalformedResponse):
        list_orders(client, **today_window())
