"""StockSnapshot v2 client: each page's request as the reference says, rows read
leniently, every page or nothing (HTTP mocked with responses)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from hemi_fulfilment.apilog.records import CallRecord, discard
from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCMalformedResponse,
    OCServerError,
    stock_v2,
)
from oc_integration.client.stock import SnapshotRow
from oc_integration.client.stock_v2 import (
    SNAPSHOT_V2_PATH,
    fetch_stock_snapshot_v2,
    needs_sku_list,
    normalise_region,
    stream_stock_snapshot_v2,
)
from oc_integration.client.transport import LOG_CAPTURE_BYTES
from tests.oc_integration.client_fakes import FixedTokens, unit_client

API = "https://oc.test/openapi"
URL = f"{API}{SNAPSHOT_V2_PATH}"
V1_CODES = ("AVL", "INTRAN", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF", "SUSPEND")


def _client(recorder: Callable[[CallRecord], None] | None = None) -> OCApiClient:
    tokens = FixedTokens("t", "t2")
    return unit_client(
        API, account_id=None, account_label="OC", tokens=tokens, recorder=recorder or discard
    )


def _row(sku: str, region: str = "UK", **counts: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "MFSKUID": sku,
        "serviceRegion": region,
        "available": 5,
        "inTransit": 1,
        "received": 0,
        "reservedAllocated": 2,
        "reservedHold": 0,
        "reservedVAS": 0,
        "suspend": 0,
        "unfulfillable": 1,
    }
    row.update(counts)
    return row


def _page(rows: list[dict[str, Any]], code: Any = 0, **data: Any) -> dict[str, Any]:
    return {
        "code": code,
        "message": "Interface call succeeded.",
        "messageId": "m",
        "success": True,
        "data": {"SKUList": rows, **data},
    }


def _pages(*answers: dict[str, Any] | tuple[int, str]) -> list[dict[str, Any]]:
    """Serve ``answers`` in order (a tuple is (HTTP status, body)); returns the request
    bodies as they arrive."""
    sent: list[dict[str, Any]] = []
    queue = list(answers)

    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        sent.append(json.loads(request.body))
        answer = queue.pop(0)
        if isinstance(answer, tuple):
            return answer[0], {}, answer[1]
        return 200, {"Content-Type": "application/json"}, json.dumps(answer)

    responses.add_callback(responses.POST, URL, callback=reply)
    return sent


def _skus(prefix: str, count: int, region: str = "UK") -> list[dict[str, Any]]:
    return [_row(f"OC{prefix}{i:04d}", region) for i in range(count)]


# --- requests ---------------------------------------------------------------------------


@responses.activate
def test_each_page_is_requested_in_the_documented_envelope_with_its_page_number() -> None:
    sent = _pages(_page(_skus("A", 2)), _page(_skus("B", 1)))
    count = stream_stock_snapshot_v2(_client(), lambda rows: None, regions=["UK"], page_size=2)
    assert count == 3
    assert [body["data"] for body in sent] == [
        {
            "pageNumber": number,
            "pageSize": 2,
            "serviceRegionList": [{"serviceRegion": "UK"}],
            "skuList": [],
        }
        for number in (1, 2)
    ]
    for body in sent:
        assert set(body) == {"messageId", "timestamp", "data"}
        assert isinstance(body["timestamp"], int) and body["messageId"]
    call = responses.calls[0].request
    assert call.headers["clientKey"] == "ck" and call.headers["vAuthorization"]
    assert call.headers["Access-Token"] == "Bearer t"


@responses.activate
def test_without_regions_one_run_asks_for_every_region_and_new_regions_land() -> None:
    sent = _pages(_page([_row("OC1", "UK"), _row("OC1", "US-North"), _row("OC2", "AU-MEL")]))
    rows = fetch_stock_snapshot_v2(_client())
    assert [body["data"]["serviceRegionList"] for body in sent] == [[]]
    assert [(r.oc_sku, r.regions[0].region) for r in rows] == [
        ("OC1", "UK"),
        ("OC1", "US-North"),
        ("OC2", "AU-MEL"),
    ]


@responses.activate
def test_asked_regions_are_paged_one_region_at_a_time_in_their_stored_spelling() -> None:
    sent = _pages(_page([_row("OC1", "US-East")]), _page([_row("OC1", "UE-South")]))
    rows = fetch_stock_snapshot_v2(_client(), regions=["us-east", "UE-South", "US-EAST"])
    assert [body["data"]["serviceRegionList"] for body in sent] == [
        [{"serviceRegion": "US-East"}],
        [{"serviceRegion": "US-South"}],
    ]
    assert [r.regions[0].region for r in rows] == ["US-East", "US-South"]


@pytest.mark.parametrize(
    ("spelled", "stored"),
    [
        ("UE-South", "US-South"),
        ("ue-south", "US-South"),
        ("AU-Sydney", "AU"),
        ("au", "AU"),
        ("AU-Melbourne", "AU-MEL"),
        ("au-mel", "AU-MEL"),
        (" uk ", "UK"),
        ("us-west", "US-West"),
        ("US-North", "US-North"),
    ],
)
def test_region_spellings_are_normalised_and_unknown_regions_kept(
    spelled: str, stored: str
) -> None:
    assert normalise_region(spelled) == stored


def test_a_blank_region_or_an_empty_region_list_is_refused_before_any_call() -> None:
    with pytest.raises(ValueError, match="blank"):
        normalise_region("  ")
    with pytest.raises(ValueError, match="No service region"):
        stream_stock_snapshot_v2(_client(), lambda rows: None, regions=[])
    with pytest.raises(ValueError, match="page size"):
        stream_stock_snapshot_v2(_client(), lambda rows: None, page_size=201)


# --- rows -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows_key", ["SKUList", "skuList"])
@pytest.mark.parametrize("code", [0, "0"])
@responses.activate
def test_rows_become_v1_rows_with_v1_codes_extra_fields_ignored_missing_counts_zero(
    rows_key: str, code: Any
) -> None:
    full = _row("OC0000250380015", "DE", available="7", newHold=3, note="x", flag=True)
    partial = {"MFSKUID": " OC2 ", "serviceRegion": "uk", "available": 4, "colour": "red"}
    _pages({"code": code, "success": True, "data": {rows_key: [full, partial], "other": 1}})
    # "other" is an unknown key next to the rows: ignored.
    (first, second) = fetch_stock_snapshot_v2(_client())
    assert first.oc_sku == "OC0000250380015" and first.seller_sku == ""
    (region,) = first.regions
    assert region.region == "DE"
    assert region.counts == {
        "AVL": 7,
        "INTRAN": 1,
        "RCVD": 0,
        "RSVALOC": 2,
        "RSVHO": 0,
        "RSVAS": 0,
        "UNF": 1,
        "SUSPEND": 0,
        "NEWHOLD": 3,
    }
    assert second.oc_sku == "OC2" and second.regions[0].region == "UK"
    assert second.regions[0].counts == {**dict.fromkeys(V1_CODES, 0), "AVL": 4}


@responses.activate
def test_a_bare_list_as_data_and_an_empty_data_are_read_as_pages() -> None:
    _pages({"code": 0, "data": [_row("OC1")]})
    assert [r.oc_sku for r in fetch_stock_snapshot_v2(_client())] == ["OC1"]
    responses.reset()
    _pages({"code": 0, "data": None})
    assert fetch_stock_snapshot_v2(_client()) == []


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ({"serviceRegion": "UK", "available": 1}, "MFSKUID is missing"),
        ({"MFSKUID": "OC1", "available": 1}, "serviceRegion of OC1 is missing"),
        (_row("OC1", available="many"), "available of OC1 is 'many'"),
        (_row("OC1", inTransit=1.5), "inTransit of OC1 is 1.5"),
        ("OC1", "not an object"),
    ],
)
@responses.activate
def test_a_bad_row_fails_the_snapshot_naming_page_and_row(row: Any, why: str) -> None:
    _pages(_page(_skus("A", 2)), _page([_row("OC9"), row]))
    with pytest.raises(OCMalformedResponse, match=r"page 2.*row 2") as caught:
        fetch_stock_snapshot_v2(_client(), page_size=2)
    assert why in str(caught.value)


@responses.activate
def test_data_without_a_row_list_is_malformed_not_an_empty_last_page() -> None:
    _pages(_page(_skus("A", 2)), {"code": 0, "data": {"records": [_row("OC9")]}})
    with pytest.raises(OCMalformedResponse, match=r"page 2.*no SKUList"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_every_row_carries_the_answers_own_time_when_oc_gives_one() -> None:
    moment = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
    first = {**_page(_skus("A", 2)), "timestamp": int(moment.timestamp() * 1000)}
    second = {**_page(_skus("B", 1)), "timestamp": int(moment.timestamp() * 1000) + 5000}
    _pages(first, second)
    rows = fetch_stock_snapshot_v2(_client(), page_size=2)
    assert {r.snapshot_time for r in rows} == {moment}


@responses.activate
def test_without_a_time_in_the_answer_rows_carry_the_time_the_first_page_was_asked() -> None:
    _pages(_page(_skus("A", 2)), _page(_skus("B", 1)))
    before = datetime.now(UTC)
    rows = fetch_stock_snapshot_v2(_client(), page_size=2)
    after = datetime.now(UTC)
    (moment,) = {r.snapshot_time for r in rows}
    assert before <= moment <= after and moment.tzinfo is UTC


# --- paging -----------------------------------------------------------------------------


@responses.activate
def test_the_first_short_page_is_the_last_and_an_empty_page_after_full_ones_ends_it() -> None:
    _pages(_page(_skus("A", 2)), _page(_skus("B", 2)), _page([]))
    handed: list[list[SnapshotRow]] = []
    assert stream_stock_snapshot_v2(_client(), handed.append, page_size=2) == 4
    assert [len(rows) for rows in handed] == [2, 2]  # an empty page hands nothing over
    assert len(responses.calls) == 3


@responses.activate
def test_a_reported_total_ends_paging_without_an_extra_call_and_drives_progress() -> None:
    _pages(_page(_skus("A", 2), total=4), _page(_skus("B", 2), total=4))
    progress: list[tuple[int, int | None]] = []
    count = stream_stock_snapshot_v2(
        _client(), lambda rows: None, page_size=2, progress=lambda k, n: progress.append((k, n))
    )
    assert count == 4 and len(responses.calls) == 2
    assert progress == [(1, 2), (2, 2)]


@responses.activate
def test_an_empty_answer_reporting_no_rows_and_no_pages_is_an_empty_snapshot() -> None:
    _pages(_page([], total=0, totalPage=0))
    assert fetch_stock_snapshot_v2(_client()) == []
    assert len(responses.calls) == 1


@responses.activate
def test_a_failure_on_page_3_of_5_raises_naming_the_page_and_the_rows_so_far_are_void() -> None:
    # The sink has received pages 1 and 2 when page 3 fails: the caller (the stock sync)
    # must discard them, as the function's contract says; nothing is returned.
    _pages(
        _page(_skus("A", 2), total=10),
        _page(_skus("B", 2), total=10),
        (500, "<html>busy</html>"),
    )
    handed: list[SnapshotRow] = []
    with pytest.raises(OCServerError, match="page 3 of 5") as caught:
        stream_stock_snapshot_v2(_client(), handed.extend, page_size=2)
    assert caught.value.status == 500 and caught.value.retryable
    assert len(handed) == 4 and len(responses.calls) == 3


@responses.activate
def test_a_business_error_on_a_later_page_keeps_ocs_code_and_names_the_page() -> None:
    failed = {"code": 4, "success": False, "message": "system busy", "errors": []}
    _pages(_page(_skus("A", 2, "DE")), failed)
    with pytest.raises(OCBusinessError, match="page 2: OC answered code 4") as caught:
        fetch_stock_snapshot_v2(_client(), regions=["DE"], page_size=2)
    assert caught.value.code == "4"
    assert "(DE)" in str(caught.value)


@responses.activate
def test_fewer_rows_than_the_reported_total_fail_the_snapshot() -> None:
    _pages(_page(_skus("A", 2), total=5), _page(_skus("B", 2), total=5), _page([], total=5))
    with pytest.raises(OCMalformedResponse, match=r"page 3 of 3: 4 rows arrived in all.*5"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_a_short_page_before_the_reported_last_page_fails_the_snapshot() -> None:
    _pages(_page(_skus("A", 2), total=6), _page(_skus("B", 1), total=6))
    with pytest.raises(OCMalformedResponse, match="page 2 of 3: the page is short"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_a_total_that_changes_while_paging_fails_the_snapshot() -> None:
    _pages(_page(_skus("A", 2), total=6), _page(_skus("B", 2), total=7))
    with pytest.raises(OCMalformedResponse, match="total changed from 6 to 7"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_a_row_seen_twice_means_oc_moved_while_paging_and_fails_the_snapshot() -> None:
    _pages(_page(_skus("A", 2)), _page([_row("OCA0001"), _row("OCZ")]))
    with pytest.raises(OCMalformedResponse, match="OCA0001 in UK came back twice"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_a_row_of_a_region_not_asked_for_fails_the_snapshot() -> None:
    _pages(_page([_row("OC1", "DE")]))
    with pytest.raises(OCMalformedResponse, match="in DE, which was not asked for"):
        fetch_stock_snapshot_v2(_client(), regions=["UK"])


@responses.activate
def test_an_answer_for_another_page_fails_the_snapshot() -> None:
    _pages(_page(_skus("A", 2), pageNumber=1), _page(_skus("B", 1), pageNumber=1))
    with pytest.raises(OCMalformedResponse, match="page 2: OC answered page 1 instead"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_more_rows_than_the_page_size_fail_the_snapshot() -> None:
    _pages(_page(_skus("A", 3)))
    with pytest.raises(OCMalformedResponse, match="3 rows came back, more than the 2"):
        fetch_stock_snapshot_v2(_client(), page_size=2)


@responses.activate
def test_a_runaway_of_full_pages_is_stopped_at_the_page_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stock_v2, "MAX_PAGES_PER_RUN", 3)
    _pages(*[_page(_skus(str(k), 2)) for k in range(3)])
    with pytest.raises(OCMalformedResponse, match="full pages after 3 pages"):
        fetch_stock_snapshot_v2(_client(), page_size=2)
    assert len(responses.calls) == 3


# --- the explicit-SKU fallback ----------------------------------------------------------


@responses.activate
def test_explicit_skus_are_sent_in_batches_each_paged_per_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stock_v2, "SKU_BATCH_SIZE", 2)
    sent = _pages(
        _page([_row("OC1", "UK"), _row("OC2", "UK")]),  # UK batch 1, page 1 (full)
        _page([]),  # UK batch 1, page 2
        _page([_row("OC3", "UK")]),  # UK batch 2
        _page([_row("OC5", "UK")]),  # UK batch 3
        _page([_row("OC2", "US-South")]),  # US-South batch 1
        _page([]),  # US-South batch 2
        _page([]),  # US-South batch 3
    )
    rows = fetch_stock_snapshot_v2(
        _client(),
        regions=["UK", "UE-South"],
        oc_skus=["OC1", "OC2", "OC3", "OC1", " OC4 ", "OC5"],
        page_size=2,
    )
    assert len(rows) == 5
    asked = [
        (
            body["data"]["serviceRegionList"][0]["serviceRegion"],
            [item["mfSkuId"] for item in body["data"]["skuList"]],
            body["data"]["pageNumber"],
        )
        for body in sent
    ]
    assert asked == [
        ("UK", ["OC1", "OC2"], 1),
        ("UK", ["OC1", "OC2"], 2),
        ("UK", ["OC3", "OC4"], 1),
        ("UK", ["OC5"], 1),
        ("US-South", ["OC1", "OC2"], 1),
        ("US-South", ["OC3", "OC4"], 1),
        ("US-South", ["OC5"], 1),
    ]


@responses.activate
def test_a_row_of_a_sku_outside_the_batch_fails_the_snapshot() -> None:
    _pages(_page([_row("OC1"), _row("OC7")]))
    with pytest.raises(OCMalformedResponse, match="OC7 came back, which was not asked for"):
        fetch_stock_snapshot_v2(_client(), oc_skus=["OC1", "OC2"])


@pytest.mark.parametrize(
    ("answer", "wants_skus"),
    [
        ({"code": 400200, "success": False, "message": "skuList requires at least one SKU"}, True),
        ({"code": 4, "errors": [{"code": "400200", "message": "required"}]}, True),
        ({"code": "1", "success": False, "message": "SKU List can not be empty"}, True),
        ({"code": 4, "success": False, "message": "system busy"}, False),
    ],
)
@responses.activate
def test_ocs_refusal_of_an_empty_sku_list_is_recognised_for_the_fallback(
    answer: dict[str, Any], wants_skus: bool
) -> None:
    _pages(answer)
    with pytest.raises(OCBusinessError) as caught:
        fetch_stock_snapshot_v2(_client())
    assert needs_sku_list(caught.value) is wants_skus


def test_an_empty_explicit_sku_list_reads_nothing_and_a_blank_sku_is_refused() -> None:
    # No HTTP is mocked: any call would fail the test.
    assert fetch_stock_snapshot_v2(_client(), oc_skus=[]) == []
    with pytest.raises(ValueError, match="blank"):
        fetch_stock_snapshot_v2(_client(), oc_skus=["OC1", " "])


# --- the call log -----------------------------------------------------------------------


@responses.activate
def test_a_large_page_is_logged_by_its_first_bytes_only() -> None:
    padded = [_row(f"OC{i:013d}", note="n" * 500) for i in range(200)]
    responses.post(URL, json=_page(padded[:150]))
    records: list[CallRecord] = []
    rows = fetch_stock_snapshot_v2(_client(records.append))
    assert len(rows) == 150
    (record,) = records
    assert record.operation == "stock snapshot v2"
    assert len(record.response_body) < LOG_CAPTURE_BYTES + 100
    assert "more bytes not captured" in record.response_body
