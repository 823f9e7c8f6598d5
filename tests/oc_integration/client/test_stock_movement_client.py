"""GetStockMovement and GetStockAge clients: windows, batches, parsing (HTTP mocked)."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses

from oc_integration.client import OCApiClient, OCMalformedResponse
from oc_integration.client.stock_age import fetch_age_pages, parse_age_page
from oc_integration.client.stock_movement import (
    MAX_LOOKBACK,
    MAX_SKUS_PER_CALL,
    MAX_WINDOW,
    Window,
    fetch_movements,
    movement_windows,
    parse_movements,
)
from tests.oc_integration.client_fakes import FixedTokens, envelope, sent_data, unit_client

API = "https://oc.test/openapi"
MOVEMENT = f"{API}/3pp/inventory/v1/movement"
AGE = f"{API}/3pp/inventory/v1/snapshotAge"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _client() -> OCApiClient:
    return unit_client(API, tokens=FixedTokens("token"), signature_mode="path_and_body")


def _ok(data: Any) -> dict[str, Any]:
    return envelope(data, message="success")


def _sent(call: Any) -> dict[str, Any]:
    return dict(sent_data(call))


# --- windows -------------------------------------------------------------------------------
def _periods() -> list[tuple[datetime, datetime]]:
    rng = random.Random(12)
    periods = [
        (NOW - timedelta(days=7), NOW),  # just over one window
        (NOW - MAX_WINDOW, NOW),  # exactly one window
        (NOW - timedelta(seconds=1), NOW),
        (NOW - timedelta(days=364), NOW - timedelta(days=300)),
        (NOW, NOW),  # nothing to ask
    ]
    for _ in range(40):
        start = NOW - timedelta(seconds=rng.randrange(1, int(MAX_LOOKBACK.total_seconds())))
        end = start + timedelta(seconds=rng.randrange(0, int((NOW - start).total_seconds()) + 1))
        periods.append((start, end))
    return periods


@pytest.mark.parametrize("since,until", _periods())
def test_windows_cover_the_period_with_no_gap_or_overlap(since: datetime, until: datetime) -> None:
    windows = movement_windows(since, until, now=NOW)
    if since == until:
        assert windows == []
        return
    assert windows[0].start == since and windows[-1].end == until
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start  # no gap, no overlap
    assert all(timedelta(0) < w.end - w.start <= MAX_WINDOW for w in windows)
    # OC's rule: end - start under 7 days, every window.
    assert all(w.end - w.start < timedelta(days=7) for w in windows)
    # As few windows as the limit allows.
    assert len(windows) == -(-(until - since) // MAX_WINDOW)


def test_a_period_more_than_a_year_back_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="365 days only"):
        movement_windows(NOW - timedelta(days=366), NOW, now=NOW)


def test_a_period_that_ends_before_it_starts_or_in_the_future_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        movement_windows(NOW - timedelta(days=1), NOW - timedelta(days=2), now=NOW)
    with pytest.raises(ValueError, match="future"):
        movement_windows(NOW - timedelta(days=1), NOW + timedelta(hours=1), now=NOW)


# --- GetStockMovement answer ---------------------------------------------------------------
THIRD_PARTY_EXAMPLE = [
    {
        "MFSKUID": "OC0000000400371",
        "sellerSkuId": "GY0005886",
        "serviceRegionList": [
            {
                "serviceRegion": "DE",
                "inventoryList": [
                    {
                        "inventoryStatus": "AVL",
                        "movementList": [
                            {
                                "moventmentID": "M-1",
                                "quantity": -260,
                                "actualCount": 40,
                                "reason": "OEH",
                                "orderNumber": "OCO2000009385032DE",
                                "updateTime": "2026-11-29T09:56:41+0800",
                            },
                            {
                                "movementID": "M-2",
                                "quantity": "5",
                                "actualCount": 45,
                                "reason": "INB",
                                "orderNumber": "",
                                "updateTime": "2026-11-29T10:00:00:123+0800",
                            },
                        ],
                    }
                ],
            }
        ],
    }
]


def test_movements_are_read_in_the_shape_seen_including_ocs_spelling_of_the_id() -> None:
    first, second = parse_movements(THIRD_PARTY_EXAMPLE)
    assert (first.movement_id, first.quantity, first.count_after) == ("M-1", -260, 40)
    assert (first.oc_sku, first.seller_sku, first.region, first.inventory_status) == (
        "OC0000000400371",
        "GY0005886",
        "DE",
        "AVL",
    )
    assert (first.reason, first.order_number) == ("OEH", "OCO2000009385032DE")
    assert first.moved_at == datetime(2026, 11, 29, 1, 56, 41, tzinfo=UTC)
    assert (second.movement_id, second.quantity) == ("M-2", 5)


def test_a_movement_without_an_id_gets_the_same_id_every_time() -> None:
    rows = json.loads(json.dumps(THIRD_PARTY_EXAMPLE))
    entry = rows[0]["serviceRegionList"][0]["inventoryList"][0]["movementList"][0]
    del entry["moventmentID"]
    once, again = parse_movements(rows)[0], parse_movements(json.loads(json.dumps(rows)))[0]
    assert once.movement_id.startswith("h:") and once.movement_id == again.movement_id


@pytest.mark.parametrize(
    "data,problem",
    [
        ([{"serviceRegionList": []}], "no MFSKUID"),
        ([{"MFSKUID": "OC1", "serviceRegionList": "DE"}], "serviceRegionList"),
        (
            [
                {
                    "MFSKUID": "OC1",
                    "serviceRegionList": [
                        {
                            "serviceRegion": "DE",
                            "inventoryList": [
                                {
                                    "inventoryStatus": "AVL",
                                    "movementList": [
                                        {"quantity": "many", "updateTime": "2026-11-29T09:56:41Z"}
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
            "not a whole number",
        ),
    ],
)
def test_a_malformed_movement_answer_is_refused_saying_why(data: Any, problem: str) -> None:
    with pytest.raises(OCMalformedResponse, match=problem):
        parse_movements(data)


@responses.activate
def test_a_time_slot_query_sends_ocs_time_format_and_no_sku_list() -> None:
    responses.post(MOVEMENT, json=_ok(THIRD_PARTY_EXAMPLE))
    window = Window(NOW - timedelta(days=2), NOW)
    assert len(fetch_movements(_client(), window)) == 2
    sent = _sent(responses.calls[0])
    assert sent == {"startTime": "2026-11-28T12:00:00+0000", "endTime": "2026-11-30T12:00:00+0000"}


@responses.activate
def test_a_sku_list_is_sent_in_batches_of_the_named_size() -> None:
    responses.post(MOVEMENT, json=_ok([]))
    skus = [f"OC{n:013d}" for n in range(MAX_SKUS_PER_CALL * 2 + 1)]
    fetch_movements(_client(), Window(NOW - timedelta(days=1), NOW), skus + skus[:3])
    sizes = [len(_sent(call)["mfSkuList"]) for call in responses.calls]
    assert sizes == [MAX_SKUS_PER_CALL, MAX_SKUS_PER_CALL, 1]
    assert _sent(responses.calls[0])["mfSkuList"][0] == {"mfSkuId": skus[0]}


# --- GetStockAge (inferred shape, variants) -------------------------------------------------
@pytest.mark.parametrize(
    "row",
    [
        {
            "MFSKUID": "OC1",
            "sellerSkuId": "S1",
            "serviceRegion": "UK",
            "inventoryAgeList": [
                {"ageRange": "0-30", "quantity": 5},
                {"ageRange": "91-180", "quantity": 3},
                {"ageRange": "365+", "quantity": 2},
            ],
        },
        {
            "MFSKUID": "OC1",
            "sellerSkuId": "S1",
            "serviceRegionList": [
                {
                    "serviceRegion": "UK",
                    "ageList": [
                        {"range": "0~30 days", "qty": "5"},
                        {"minDays": 91, "maxDays": 180, "qty": 3},
                        {"range": ">365", "qty": 2},
                    ],
                }
            ],
        },
        {
            "MFSKUID": "OC1",
            "sellerSkuId": "S1",
            "serviceRegion": "UK",
            "age0To30": 5,
            "age91To180": 3,
            "over365": 2,
        },
    ],
    ids=["bucket list", "per region, other keys", "flat keys"],
)
def test_stock_age_rows_are_read_in_every_inferred_variant(row: dict[str, Any]) -> None:
    page = parse_age_page({"SKUList": [row]}, page=1, page_size=200)
    (parsed,) = page.rows
    assert (parsed.oc_sku, parsed.seller_sku, parsed.region) == ("OC1", "S1", "UK")
    assert [(b.from_days, b.to_days, b.quantity) for b in parsed.buckets] == [
        (0, 30, 5),
        (91, 180, 3),
        (365, None, 2),
    ]
    assert page.last


def test_a_bucket_that_names_no_days_is_refused() -> None:
    row = {"MFSKUID": "OC1", "serviceRegion": "UK", "ageList": [{"range": "old", "qty": 1}]}
    with pytest.raises(OCMalformedResponse, match="names no days"):
        parse_age_page([row], page=1, page_size=200)


@responses.activate
def test_stock_age_is_read_page_by_page_until_a_short_page() -> None:
    def rows(start: int, count: int) -> list[dict[str, Any]]:
        return [
            {"MFSKUID": f"OC{n}", "serviceRegion": "UK", "inventoryAgeList": []}
            for n in range(start, start + count)
        ]

    responses.post(AGE, json=_ok({"SKUList": rows(0, 2)}))
    responses.post(AGE, json=_ok({"SKUList": rows(2, 2)}))
    responses.post(AGE, json=_ok({"SKUList": rows(4, 1)}))
    pages = list(fetch_age_pages(_client(), page_size=2))
    assert [len(p.rows) for p in pages] == [2, 2, 1]
    assert [_sent(c)["pageNumber"] for c in responses.calls] == [1, 2, 3]
    assert _sent(responses.calls[0]) == {"pageNumber": 1, "pageSize": 2, "skuList": []}


@responses.activate
def test_an_answer_that_ignores_the_page_number_stops_instead_of_looping() -> None:
    same = {"SKUList": [{"MFSKUID": f"OC{n}", "serviceRegion": "UK"} for n in range(2)]}
    responses.post(AGE, json=_ok(same))
    with pytest.raises(OCMalformedResponse, match="repeats"):
        list(fetch_age_pages(_client(), page_size=2))
