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


def test_rows_of_any_layout_render_as_the_json_oc_writes_in_chunks_that_join() -> None:
    import json

    from oc_integration.sandbox.catalog import StockRow, render_rows

    odd = StockRow(
        'OC1%d"quoted"',
        "sk\u00fc 100%\\",
        {"UK": [1, 2], 'D"E%s': [3, 4]},
        statuses=("AVL", "50%"),
        snapshot_time="2021-10-22T09:56:41+0800",
    )
    plain = StockRow("OC2", "SKU-2", {"UK": [5, 6, 7, 8, 9, 10, 11]}, millis_time=True)
    bare = StockRow("OC3", "SKU-3", {})
    rows = [odd, plain, bare, odd, plain]
    now = time.time()

    chunks = list(render_rows(rows, now, chunk_rows=2))

    assert len(chunks) == 3
    rendered = json.loads(b"[" + b"".join(chunks) + b"]")
    assert rendered[0] == {
        "MFSKUID": 'OC1%d"quoted"',
        "serviceRegionList": [
            {
                "serviceRegion": "UK",
                "inventoryList": [
                    {"actualCount": 1, "inventoryStatus": "AVL"},
                    {"actualCount": 2, "inventoryStatus": "50%"},
                ],
            },
            {
                "serviceRegion": 'D"E%s',
                "inventoryList": [
                    {"actualCount": 3, "inventoryStatus": "AVL"},
                    {"actualCount": 4, "inventoryStatus": "50%"},
                ],
            },
        ],
        "snapshotTime": "2021-10-22T09:56:41+0800",
        "sellerSkuId": "sk\u00fc 100%\\",
    }
    assert rendered[1]["serviceRegionList"][0]["inventoryList"][6] == {
        "actualCount": 11,
        "inventoryStatus": "UNF",
    }
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d:\d{3}[+-]\d{4}", rendered[1]["snapshotTime"]
    )
    assert rendered[2]["serviceRegionList"] == []
    assert rendered[3:] == rendered[:2]
    # As json.dumps writes it: ASCII only.
    assert b"\\u00fc" in chunks[0]
