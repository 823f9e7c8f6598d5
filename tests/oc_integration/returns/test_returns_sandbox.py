"""The sandbox's Returns 2.0 over HTTP: GETs with a body, its control API, its checks,
consistent data tied to outbound orders, a real PDF label, faults by path."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCBusinessError, OCServerError, OCTimeout
from oc_integration.client.returns import (
    cancel_rma,
    fetch_label,
    find_returns,
    query_returns,
    returned_stock,
    update_tracking,
)
from oc_integration.models import AccountOrangeConnex, OutboundOrder
from oc_integration.outbound.shipping_services import refresh_shipping_services
from oc_integration.sandbox.api import signature
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.returns.helpers import (
    advance_return,
    control,
    oc_return,
    shipped_orders,
)

pytestmark = pytest.mark.django_db

LABEL = "/openapi/3pp/returns/v1/query/label"
CANCEL = "/openapi/3pp/returns/v1/cancel/rma"


@pytest.fixture
def shipped(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> OutboundOrder:
    return shipped_orders(oc_sandbox, demo_account, 1)[0]


def test_a_return_carries_its_outbound_orders_references_and_items(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    created = oc_return(oc_sandbox, shipped)
    line = shipped.lines.get()
    assert created["outboundOrderNumber"] == shipped.oc_order_number
    assert created["referenceNumber"] == shipped.reference_number
    assert created["serviceRegion"] == shipped.service_region
    assert created["itemList"] == [
        {
            "MFSKUID": line.oc_sku,
            "sellerSKUID": "",
            "quantity": 2,
            "receivedQuantity": 0,
            "condition": "",
        }
    ]
    assert created["orderNumber"].startswith("OCR") and created["orderNumber"].endswith("GB")
    [state] = find_returns(api_client(shipped.account), [created["orderNumber"]])
    assert state.status == "CREATED" and state.tracking_number == created["trackingNumber"]


def test_only_a_shipped_order_can_come_back_and_never_more_than_was_sent(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    order = oc_sandbox.control("POST", "outbound/auto", referenceNumber="NOT-YET")["order"]
    refused = requests.post(
        f"{oc_sandbox.url}/_sandbox/returns",
        json={"outboundOrderNumber": order["orderNumber"]},
        timeout=10,
    )
    assert refused.status_code == 400 and "has not shipped yet" in refused.json()["error"]
    oc_sandbox.control("POST", "outbound/advance", orderNumber=order["orderNumber"], to="Outbound")
    sku = order["productList"][0]["MFSKUID"]
    too_many = requests.post(
        f"{oc_sandbox.url}/_sandbox/returns",
        json={
            "outboundOrderNumber": order["orderNumber"],
            "items": [{"MFSKUID": sku, "quantity": 99}],
        },
        timeout=10,
    )
    assert too_many.status_code == 400 and "quantity of" in too_many.json()["error"]


def test_the_window_and_paging_are_checked_like_ocs_other_queries(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    oc_return(oc_sandbox, shipped)
    api = api_client(shipped.account)
    now = timezone.now() + timedelta(minutes=1)
    assert len(query_returns(api, start=now - timedelta(days=1), end=now)) == 1
    assert query_returns(api, start=now - timedelta(days=3), end=now - timedelta(days=2)) == []
    with pytest.raises(OCBusinessError, match="7 days"):
        api.call(
            "return order query",
            "/3pp/returns/v1/query/orders",
            {"startTime": "2026-01-01T00:00:00+0000", "endTime": "2026-02-01T00:00:00+0000"},
            method="GET",
            body_on_get=True,
        )


def test_the_label_is_a_real_pdf_naming_the_return_and_its_tracking(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    created = oc_return(oc_sandbox, shipped)
    pdf = fetch_label(api_client(shipped.account), created["orderNumber"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # A reader finds the cross-reference table at the offset the trailer gives.
    offset = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[offset:].startswith(b"xref")
    assert b"/Count 2" in pdf  # the address page and the items page
    assert f"(RETURN {created['orderNumber']}) Tj".encode() in pdf
    assert created["trackingNumber"].encode() in pdf


def test_cancel_only_before_the_parcel_travels_and_tracking_until_processed(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    api = api_client(shipped.account)
    first = oc_return(
        oc_sandbox, shipped, items=[{"MFSKUID": shipped.lines.get().oc_sku, "quantity": 1}]
    )
    second = oc_return(oc_sandbox, shipped)
    now = timezone.now()
    assert cancel_rma(api, first["orderNumber"], "Buyer kept it", at=now).status == "CANCELLED"
    with pytest.raises(OCBusinessError, match="already cancelled"):
        cancel_rma(api, first["orderNumber"], "Again", at=now)
    with pytest.raises(OCBusinessError, match="no label"):
        fetch_label(api, first["orderNumber"])
    advance_return(oc_sandbox, second["orderNumber"], "IN_TRANSIT")
    with pytest.raises(OCBusinessError, match="cannot be cancelled"):
        cancel_rma(api, second["orderNumber"], "Too late", at=now)
    change = update_tracking(api, second["orderNumber"], "JD000123", "DPD", "DPD UK")
    assert change.tracking_number == "JD000123"
    [state] = find_returns(api, [second["orderNumber"]])
    assert (state.tracking_number, state.carrier_name) == ("JD000123", "DPD UK")
    with pytest.raises(OCBusinessError, match="does not exist"):
        update_tracking(api, "OCR0000000000000GB", "JD1", "DPD")


def test_received_units_build_the_returned_stock_per_sku_and_region(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    api = api_client(shipped.account)
    sku = shipped.lines.get().oc_sku
    first = oc_return(oc_sandbox, shipped, items=[{"MFSKUID": sku, "quantity": 1}])
    second = oc_return(oc_sandbox, shipped)
    advance_return(oc_sandbox, first["orderNumber"], "RECEIVED")
    advance_return(oc_sandbox, second["orderNumber"], "PROCESSED", damaged=True)
    [row] = returned_stock(api, [sku, "OC9999999999999"])
    assert (row.oc_sku, row.region, row.returned) == (sku, shipped.service_region, 3)
    assert row.counts == {"returned": 3, "sellable": 1, "unsellable": 2}
    moved = control(oc_sandbox, "GET", "returns")["returns"]
    assert [r["status"] for r in moved] == ["RECEIVED", "PROCESSED"]


def test_faults_apply_by_path_and_a_cancel_whose_answer_is_lost_was_made(
    shipped: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    api = api_client(shipped.account)
    created = oc_return(oc_sandbox, shipped)
    oc_sandbox.fault(LABEL, "http500")
    with pytest.raises(OCServerError):
        fetch_label(api, created["orderNumber"])
    oc_sandbox.fault(CANCEL, "accept_then_timeout")
    with pytest.raises(OCTimeout):
        cancel_rma(api, created["orderNumber"], "Buyer kept it", at=timezone.now())
    [state] = find_returns(api, [created["orderNumber"]])
    assert state.status == "CANCELLED"
    assert oc_sandbox.count("GET", LABEL) == 1 and oc_sandbox.count("POST", CANCEL) == 1


def test_gets_without_a_body_still_work_and_a_body_must_be_json(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    assert refresh_shipping_services() > 0  # GetServiceList: a GET without a body
    path, body = "/openapi/3pp/returns/v1/query/orders", b"{not json"
    mode = oc_sandbox.control("GET", "config")["clients"][demo_account.client_key]
    signed = body if mode["signature_mode"] == "path_and_body" else b""
    tokens = api_client(demo_account).tokens
    assert tokens is not None
    headers = {
        "clientKey": demo_account.client_key,
        "Access-Token": f"Bearer {tokens.access_token()}",
        "Content-Type": "application/json",
        "TimeStamp": "1764500000000",
        "vAuthorization": signature(
            path, signed, demo_account.client_key, DEMO_OC_ACCOUNT.secret_key
        ),
    }
    answer = requests.get(f"{oc_sandbox.url}{path}", data=body, headers=headers, timeout=10)
    assert answer.json()["code"] == 400001  # the body is read and checked like a POST's
    headers["vAuthorization"] = "0" * 32
    answer = requests.get(f"{oc_sandbox.url}{path}", data=body, headers=headers, timeout=10)
    assert answer.json()["code"] == 401003  # and signed like one
