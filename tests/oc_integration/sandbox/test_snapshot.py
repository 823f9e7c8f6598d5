"""StockSnapshot (v1): OC's row shape, both time formats, the demo catalog, volume."""

from __future__ import annotations

import re
import time

import pytest

from hemi_fulfilment.demo.data import DEMO_SKUS, SKUS_UNKNOWN_TO_HEMI, demo_oc_sku
from oc_integration.sandbox import RunningSandbox

from .helpers import SNAPSHOT, api, control, tokens

# The technical scope's example, copied here by hand (not imported from the sandbox).
SEED_ROW = {
    "MFSKUID": "OC0000000400371",
    "serviceRegionList": [
        {
            "serviceRegion": "DE",
            "inventoryList": [
                {"actualCount": 3, "inventoryStatus": "INTRAN"},
                {"actualCount": 300, "inventoryStatus": "AVL"},
                {"actualCount": 0, "inventoryStatus": "RCVD"},
                {"actualCount": 5, "inventoryStatus": "RSVALOC"},
                {"actualCount": 0, "inventoryStatus": "RSVHO"},
                {"actualCount": 0, "inventoryStatus": "RSVAS"},
                {"actualCount": 0, "inventoryStatus": "UNF"},
            ],
        },
        {
            "serviceRegion": "UK",
            "inventoryList": [
                {"actualCount": 0, "inventoryStatus": "INTRAN"},
                {"actualCount": 0, "inventoryStatus": "AVL"},
                {"actualCount": 0, "inventoryStatus": "RCVD"},
                {"actualCount": 0, "inventoryStatus": "RSVALOC"},
                {"actualCount": 0, "inventoryStatus": "RSVHO"},
                {"actualCount": 0, "inventoryStatus": "RSVAS"},
                {"actualCount": 0, "inventoryStatus": "UNF"},
            ],
        },
    ],
    "snapshotTime": "2021-10-22T09:56:41+0800",
    "sellerSkuId": "GY0005886",
}
PLAIN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0800$")
MILLIS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}:\d{3}\+0800$")


def test_the_seed_example_row_is_returned_verbatim_for_gy0005886(
    oc: RunningSandbox, token: str
) -> None:
    rows = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token).json()["data"]
    (row,) = [r for r in rows if r["sellerSkuId"] == "GY0005886"]
    assert row == SEED_ROW
    assert list(row) == list(SEED_ROW)  # same field order too


def test_every_row_has_oc_shape_and_both_time_formats_occur(oc: RunningSandbox, token: str) -> None:
    rows = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token).json()["data"]
    statuses = ["INTRAN", "AVL", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF"]
    for row in rows:
        assert set(row) == {"MFSKUID", "sellerSkuId", "snapshotTime", "serviceRegionList"}
        assert len(row["MFSKUID"]) == 15
        assert {r["serviceRegion"] for r in row["serviceRegionList"]} == {"UK", "DE"}
        for region in row["serviceRegionList"]:
            assert [i["inventoryStatus"] for i in region["inventoryList"]] == statuses
            assert all(i["actualCount"] >= 0 for i in region["inventoryList"])
    times = [row["snapshotTime"] for row in rows]
    assert any(MILLIS_TIME.match(t) for t in times)
    assert sum(bool(PLAIN_TIME.match(t)) for t in times) > len(times) / 2
    assert all(PLAIN_TIME.match(t) or MILLIS_TIME.match(t) for t in times)


def test_the_demo_catalog_matches_the_demo_data_set(oc: RunningSandbox, token: str) -> None:
    rows = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token).json()["data"]
    by_seller = {row["sellerSkuId"]: row["MFSKUID"] for row in rows}
    for i, sku in enumerate(DEMO_SKUS):
        if i % 10 == 9:
            assert sku not in by_seller, "not created in OC"
        elif sku != "GY0005886":
            assert by_seller[sku] == demo_oc_sku(i)
    assert set(SKUS_UNKNOWN_TO_HEMI) <= set(by_seller)
    assert any(
        i["inventoryStatus"] == "AVL" and i["actualCount"] == 0
        for row in rows
        for region in row["serviceRegionList"]
        for i in region["inventoryList"]
    )


def test_asking_for_one_mfskuid_returns_only_that_sku(oc: RunningSandbox, token: str) -> None:
    rows = api(oc.url, SNAPSHOT, [{"MFSKUID": demo_oc_sku(3)}], token).json()["data"]
    assert [row["MFSKUID"] for row in rows] == [demo_oc_sku(3)]
    assert api(oc.url, SNAPSHOT, [{"MFSKUID": "OC0000000000000"}], token).json()["data"] == []


def test_a_replaced_catalog_is_served_and_summarised(oc: RunningSandbox, token: str) -> None:
    row = {**SEED_ROW, "MFSKUID": "OC0000000000001", "sellerSkuId": "X-1"}
    assert control(oc.url, "PUT", "catalog", {"rows": [row]}) == {"skus": 1}
    assert api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token).json()["data"] == [row]
    summary = control(oc.url, "GET", "catalog/summary")
    assert summary["skus"] == 1
    assert summary["regions"]["DE"]["AVL"] == 300


@pytest.mark.timeout(60)
def test_a_generated_catalog_of_100000_skus_is_served_in_reasonable_time(
    oc: RunningSandbox,
) -> None:
    started = time.perf_counter()
    assert control(oc.url, "POST", "catalog/generate", {"count": 100_000}) == {"skus": 100_000}
    generated = time.perf_counter()
    token = tokens(oc.url)["access_token"]
    response = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token, timeout=60)
    fetched = time.perf_counter()
    rows = response.json()["data"]
    parsed = time.perf_counter()
    print(
        f"\n100,000 SKUs: generate {generated - started:.2f}s, fetch {fetched - generated:.2f}s "
        f"({len(response.content) / 1e6:.0f} MB), parse {parsed - fetched:.2f}s"
    )
    assert len(rows) == 100_000
    assert {r["serviceRegion"] for r in rows[-1]["serviceRegionList"]} == {"UK", "DE"}
    assert len({row["MFSKUID"] for row in rows}) == 100_000
