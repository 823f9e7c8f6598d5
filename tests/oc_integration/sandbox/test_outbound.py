"""Outbound orders: creation rules, query v2 through the life cycle, cancellation."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from oc_integration.sandbox import OcSandbox, RunningSandbox, SandboxConfig, running_sandbox
from oc_integration.sandbox.timefmt import format_oc_time

from .helpers import CANCEL, CREATE, QUERY, api, control, order, stock, tokens

SEED_SKU = "OC0000000400371"


def _create(oc: RunningSandbox, token: str, *orders: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = api(oc.url, CREATE, list(orders), token).json()
    return body


def _query(oc: RunningSandbox, token: str, data: dict[str, Any]) -> dict[str, Any]:
    response = api(oc.url, QUERY, data, token)
    body: dict[str, Any] = response.json()
    assert body["success"] is True, body
    result: dict[str, Any] = body["data"]
    return result


def test_valid_orders_are_created_with_oc_order_numbers(oc: RunningSandbox, token: str) -> None:
    body = _create(oc, token, order("R-1"), order("R-2"))
    assert body["code"] == 0 and body["success"] is True
    assert [row["referenceNumber"] for row in body["data"]] == ["R-1", "R-2"]
    numbers = [row["orderNumber"] for row in body["data"]]
    assert all(re.fullmatch(r"OCO\d{13}DE", n) for n in numbers)
    assert len(set(numbers)) == 2


def test_a_uk_order_number_ends_in_gb(oc: RunningSandbox, token: str) -> None:
    uk = order(
        "R-UK",
        serviceRegion="UK",
        shippingServiceCode="GBDomStd_RMOnly",
        consigneeCountryCode="GB",
        productList=[{"MFSKUID": "OC0000000400301", "SKUQuantity": 1}],
    )
    assert _create(oc, token, uk)["data"][0]["orderNumber"].endswith("GB")


def test_more_than_50_orders_are_refused_and_none_is_created(
    oc: RunningSandbox, token: str
) -> None:
    body = _create(oc, token, *[order(f"R-{n}") for n in range(51)])
    assert body["code"] == 400100 and body["success"] is False
    assert body["message"] == "At most 50 orders per request"
    assert control(oc.url, "GET", "outbound")["orders"] == []


@pytest.mark.parametrize(
    ("overrides", "code", "fragment"),
    [
        ({"referenceNumber": ""}, "400200", "referenceNumber is required"),
        ({"consigneeName": None}, "400200", "consigneeName is required"),
        ({"consigneeAddress1": " "}, "400200", "consigneeAddress1 is required"),
        ({"productList": []}, "400200", "productList is required"),
        ({"consigneeCountryCode": "DEU"}, "400202", "2-letter"),
        ({"orderPlatform": "Amazon"}, "400202", "orderPlatform"),
        ({"shippingServiceCode": "GBDomesticStandard"}, "400202", "not offered in DE"),
        ({"houseNumber": "12345678901"}, "400201", "houseNumber must be at most 10"),
        ({"consigneeZipCode": "12345678901"}, "400201", "consigneeZipCode"),
        ({"companyName": "x" * 101}, "400201", "companyName must be at most 100"),
        ({"consigneeAddress1": "x" * 201}, "400201", "consigneeAddress1 must be at most 200"),
        ({"consigneeAddress2": "x" * 201}, "400201", "consigneeAddress2 must be at most 200"),
        ({"consigneeCity": "x" * 101}, "400201", "consigneeCity must be at most 100"),
        ({"consigneeProvinceOrState": "x" * 101}, "400201", "consigneeProvinceOrState"),
        ({"consigneePhone": "1" * 101}, "400201", "consigneePhone must be at most 100"),
        ({"consigneeEmail": "x" * 101}, "400201", "consigneeEmail must be at most 100"),
        ({"ebayId": "x" * 101}, "400201", "ebayId must be at most 100"),
        ({"orderPlatform": "eBay", "ebayId": "buyer-1"}, "400200", "ebayOrderId is required"),
        (
            {"orderPlatform": "eBay", "ebayOrderId": "02-05696-00555"},
            "400200",
            "ebayId is required",
        ),
        (
            {"orderPlatform": "eBay", "ebayId": "buyer-1", "ebayOrderId": "2-5696-555"},
            "400202",
            "02-05696-00555",
        ),
        ({"productList": [{"MFSKUID": SEED_SKU, "SKUQuantity": 0}]}, "400202", "SKUQuantity"),
        ({"productList": [{"MFSKUID": "OC0000000000000", "SKUQuantity": 1}]}, "400404", ""),
    ],
)
def test_invalid_orders_are_refused_one_by_one_while_valid_ones_are_created(
    oc: RunningSandbox, token: str, overrides: dict[str, Any], code: str, fragment: str
) -> None:
    body = _create(oc, token, order("GOOD"), order("BAD", **overrides))
    assert body["code"] == 4 and body["success"] is False
    assert [row["referenceNumber"] for row in body["data"]] == ["GOOD"]
    (error,) = body["errors"]
    assert error["code"] == code and fragment in error["message"]
    expected_id = overrides.get("referenceNumber", "BAD") or None
    assert error["id"] == error["referenceNumber"] == expected_id
    references = [o["referenceNumber"] for o in control(oc.url, "GET", "outbound")["orders"]]
    assert references == ["GOOD"]


def test_an_ebay_order_with_an_ebay_order_id_is_accepted(oc: RunningSandbox, token: str) -> None:
    ebay = order("R-E", orderPlatform="eBay", ebayOrderId="02-05696-00555", ebayId="buyer-1")
    assert _create(oc, token, ebay)["success"] is True


def test_insufficient_stock_is_error_400448_as_in_ocs_example(
    oc: RunningSandbox, token: str
) -> None:
    too_many = order("R-big", productList=[{"MFSKUID": SEED_SKU, "SKUQuantity": 301}])
    body = _create(oc, token, too_many)
    assert body == {
        "code": 4,
        "data": [],
        "errors": [
            {
                "code": "400448",
                "id": "R-big",
                "message": f"商品:{SEED_SKU} 库存不足",
                "referenceNumber": "R-big",
            }
        ],
        "messageId": "m-1",
        "success": False,
    }


def test_stock_is_checked_across_the_orders_of_one_request(oc: RunningSandbox, token: str) -> None:
    half = [{"MFSKUID": SEED_SKU, "SKUQuantity": 200}]
    body = _create(oc, token, order("A", productList=half), order("B", productList=half))
    assert [row["referenceNumber"] for row in body["data"]] == ["A"]
    assert body["errors"][0]["code"] == "400448"


def test_a_duplicate_reference_is_refused_and_only_one_order_exists(
    oc: RunningSandbox, token: str
) -> None:
    assert _create(oc, token, order("R-dup"))["success"] is True
    body = _create(oc, token, order("R-dup"))
    assert body["errors"][0]["code"] == "400409"
    assert body["errors"][0]["message"] == "Duplicate referenceNumber R-dup"
    assert len(control(oc.url, "GET", "outbound")["orders"]) == 1


def test_creation_reserves_stock_and_cancellation_releases_it(
    oc: RunningSandbox, token: str
) -> None:
    before = stock(oc.url, token, SEED_SKU, "DE")
    number = _create(
        oc, token, order("R-c", productList=[{"MFSKUID": SEED_SKU, "SKUQuantity": 4}])
    )["data"][0]["orderNumber"]
    reserved = stock(oc.url, token, SEED_SKU, "DE")
    assert reserved["AVL"] == before["AVL"] - 4
    assert reserved["RSVALOC"] == before["RSVALOC"] + 4
    cancel = api(
        oc.url, CANCEL, {"orderNumber": number, "cancelTime": "", "cancelReason": "x"}, token
    )
    assert cancel.json()["data"] == {"orderNumber": number, "status": "Cancelled"}
    assert stock(oc.url, token, SEED_SKU, "DE") == before


def test_query_v2_follows_an_order_to_delivery_with_its_tracking(
    oc: RunningSandbox, token: str
) -> None:
    number = _create(
        oc, token, order("R-q", productList=[{"MFSKUID": SEED_SKU, "SKUQuantity": 2}])
    )["data"][0]["orderNumber"]
    by_number = {"orderNumberList": [{"orderNumber": number}]}
    (row,) = _query(oc, token, by_number)["orderList"]
    assert row["status"] == "Submitted" and row["trackingNumberList"] == []
    assert row["referenceNumber"] == "R-q" and row["serviceRegion"] == "DE"
    assert row["autoFulfillmentEF"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0800", row["orderCreationTime"])
    for status in ("Picked", "Packed"):
        control(oc.url, "POST", "outbound/advance", {"orderNumber": number, "to": status})
        assert _query(oc, token, by_number)["orderList"][0]["status"] == status
    control(oc.url, "POST", "outbound/advance", {"referenceNumber": "R-q", "to": "Outbound"})
    (row,) = _query(oc, token, {"referenceNumberList": [{"referenceNumber": "R-q"}]})["orderList"]
    assert row["status"] == "Outbound"
    (tracking,) = row["trackingNumberList"]
    assert set(tracking) == {
        "trackingNumber",
        "LMCarrierCode",
        "LMCarrierName",
        "chargeableWeight",
        "chargeableWeightUnit",
        "feeAmount",
        "feeAmountCurrency",
        "SKUList",
    }
    (sku,) = tracking["SKUList"]
    assert (sku["MFSKUID"], sku["SKUQuantity"], sku["quantity"]) == (SEED_SKU, 2, 2)
    assert len(sku["SN"].split(",")) == 2
    control(oc.url, "POST", "outbound/advance", {"all": True})
    assert _query(oc, token, by_number)["orderList"][0]["status"] == "Delivered"


def test_a_uk_order_ships_with_a_royal_mail_tracking_number(oc: RunningSandbox, token: str) -> None:
    uk = order(
        "R-rm",
        serviceRegion="UK",
        shippingServiceCode="GBDomesticStandard",
        consigneeCountryCode="GB",
        productList=[{"MFSKUID": "OC0000000400301", "SKUQuantity": 1}],
    )
    number = _create(oc, token, uk)["data"][0]["orderNumber"]
    control(oc.url, "POST", "outbound/advance", {"orderNumber": number, "to": "Outbound"})
    row = _query(oc, token, {"orderNumberList": [{"orderNumber": number}]})["orderList"][0]
    tracking = row["trackingNumberList"][0]
    assert re.fullmatch(r"RM\d{9}GB", tracking["trackingNumber"])
    assert (tracking["LMCarrierCode"], tracking["LMCarrierName"]) == ("RM", "Royal Mail")
    assert (tracking["chargeableWeight"], tracking["feeAmount"]) == (0.5, 3.2)
    assert tracking["feeAmountCurrency"] == "GBP"


def test_query_by_time_window_uses_ocs_time_format(oc: RunningSandbox, token: str) -> None:
    _create(oc, token, order("R-t1"), order("R-t2"))
    now = time.time()
    window = {"startTime": format_oc_time(now - 60), "endTime": format_oc_time(now + 60)}
    result = _query(oc, token, window)
    assert [r["referenceNumber"] for r in result["orderList"]] == ["R-t1", "R-t2"]
    assert result["total"] == 2 and result["hasMore"] is False
    past = {"startTime": "2022-10-31T00:00:00+0800", "endTime": "2022-11-01T00:00:00+0800"}
    assert _query(oc, token, past)["orderList"] == []
    bad = api(oc.url, QUERY, {"startTime": "yesterday", "endTime": "today"}, token).json()
    assert bad["success"] is False


def test_query_returns_at_most_the_limit_and_says_there_is_more() -> None:
    with running_sandbox(OcSandbox(SandboxConfig(max_query_results=3))) as oc:
        token = tokens(oc.url)["access_token"]
        _create(oc, token, *[order(f"R-{n}") for n in range(5)])
        now = time.time()
        window = {"startTime": format_oc_time(now - 60), "endTime": format_oc_time(now + 60)}
        result = _query(oc, token, window)
    assert len(result["orderList"]) == 3
    assert result["total"] == 5 and result["hasMore"] is True


def test_cancelling_after_picking_is_refused(oc: RunningSandbox, token: str) -> None:
    number = _create(oc, token, order("R-p"))["data"][0]["orderNumber"]
    control(oc.url, "POST", "outbound/advance", {"orderNumber": number, "to": "Picked"})
    body = api(oc.url, CANCEL, {"orderNumber": number, "cancelReason": "late"}, token).json()
    assert body == {
        "code": 400520,
        "success": False,
        "message": f"Order {number} cannot be cancelled: already picked",
        "messageId": "m-1",
    }


def test_cancelling_an_unknown_order_is_refused(oc: RunningSandbox, token: str) -> None:
    body = api(oc.url, CANCEL, {"orderNumber": "OCO1GB"}, token).json()
    assert body["code"] == 400404 and body["success"] is False


def test_orders_oc_created_itself_are_flagged_auto_fulfilment(
    oc: RunningSandbox, token: str
) -> None:
    created = control(
        oc.url, "POST", "outbound/auto", {"ebayOrderId": "12-34567-89012", "serviceRegion": "UK"}
    )["order"]
    assert created["autoFulfillmentEF"] is True
    assert created["referenceNumber"] == "12-34567-89012"
    (row,) = _query(oc, token, {"referenceNumberList": [{"referenceNumber": "12-34567-89012"}]})[
        "orderList"
    ]
    assert row["autoFulfillmentEF"] is True and row["ebayOrderId"] == "12-34567-89012"


def test_concurrent_creations_each_get_one_unique_order_and_stock_adds_up(
    oc: RunningSandbox, token: str
) -> None:
    before = stock(oc.url, token, SEED_SKU, "DE")
    with ThreadPoolExecutor(max_workers=16) as pool:
        bodies = list(pool.map(lambda n: _create(oc, token, order(f"R-par-{n}")), range(40)))
    assert all(body["success"] for body in bodies)
    numbers = {body["data"][0]["orderNumber"] for body in bodies}
    assert len(numbers) == 40
    after = stock(oc.url, token, SEED_SKU, "DE")
    assert (after["AVL"], after["RSVALOC"]) == (before["AVL"] - 40, before["RSVALOC"] + 40)
