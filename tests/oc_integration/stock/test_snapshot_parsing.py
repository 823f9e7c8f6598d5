"""Parsing OC's stock snapshot: both time formats, every row checked, nothing half-read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from hemi_fulfilment.apilog.redaction import REDACTED, redact_body
from oc_integration.client import OCApiClient, OCMalformedResponse
from oc_integration.client.stock import fetch_stock_snapshot, parse_oc_time
from tests.oc_integration.client_fakes import FixedTokens, unit_client

API = "https://oc.test/openapi"


def _client() -> OCApiClient:
    return unit_client(API, account_id=None, account_label="OC", tokens=FixedTokens("t", "t2"))


def _row(sku: str, when: str, avl: Any = 3) -> dict[str, Any]:
    return {
        "MFSKUID": f"OC{sku}",
        "sellerSkuId": sku,
        "snapshotTime": when,
        "serviceRegionList": [
            {
                "serviceRegion": "UK",
                "inventoryList": [
                    {"inventoryStatus": "AVL", "actualCount": avl},
                    {"inventoryStatus": "INTRAN", "actualCount": 1},
                    {"inventoryStatus": "NEWSTATUS", "actualCount": 9},
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-22T09:56:41+0800", datetime(2021, 10, 22, 1, 56, 41, tzinfo=UTC)),
        ("2018-11-28T20:09:57:001+0800", datetime(2018, 11, 28, 12, 9, 57, 1000, tzinfo=UTC)),
        ("2018-11-28T20:09:57.250Z", datetime(2018, 11, 28, 20, 9, 57, 250000, tzinfo=UTC)),
        ("2018-11-28T20:09:57+08:00", datetime(2018, 11, 28, 12, 9, 57, tzinfo=UTC)),
    ],
)
def test_both_of_ocs_time_formats_become_aware_datetimes(text: str, expected: datetime) -> None:
    assert parse_oc_time(text) == expected


@responses.activate
def test_rows_are_parsed_into_compact_objects_keeping_unknown_statuses() -> None:
    responses.post(
        f"{API}/3pp/inventory/v1/snapshot",
        json={
            "code": 0,
            "data": [
                _row("A1", "2021-10-22T09:56:41+0800"),
                _row("B2", "2018-11-28T20:09:57:001+0800"),
            ],
        },
    )
    rows = fetch_stock_snapshot(_client())
    assert [r.seller_sku for r in rows] == ["A1", "B2"]
    assert rows[0].regions[0].region == "UK"
    assert rows[0].regions[0].counts == {"AVL": 3, "INTRAN": 1, "NEWSTATUS": 9}


@responses.activate
@pytest.mark.parametrize(
    "bad",
    [
        _row("C3", "yesterday"),
        _row("C3", "2021-10-22T09:56:41+0800", avl="three"),
        {**_row("C3", "2021-10-22T09:56:41+0800"), "MFSKUID": "X" * 16},
        {**_row("C3", "2021-10-22T09:56:41+0800"), "sellerSkuId": ""},
        {**_row("C3", "2021-10-22T09:56:41+0800"), "serviceRegionList": None},
    ],
    ids=["bad-time", "bad-count", "long-mfskuid", "no-seller-sku", "no-regions"],
)
def test_one_malformed_row_rejects_the_whole_snapshot(bad: dict[str, Any]) -> None:
    good = _row("A1", "2021-10-22T09:56:41+0800")
    responses.post(f"{API}/3pp/inventory/v1/snapshot", json={"code": 0, "data": [good, good, bad]})
    with pytest.raises(OCMalformedResponse, match="row 3"):
        fetch_stock_snapshot(_client())


@responses.activate
def test_data_that_is_not_a_list_of_rows_is_malformed() -> None:
    responses.post(f"{API}/3pp/inventory/v1/snapshot", json={"code": 0, "data": {"rows": []}})
    with pytest.raises(OCMalformedResponse):
        fetch_stock_snapshot(_client())


def test_a_cut_off_json_body_still_has_its_secrets_redacted() -> None:
    body = json.dumps({"access_token": "abc", "refresh_token": "def", "data": ["x" * 50]})[:70]
    redacted = redact_body(body)
    assert "abc" not in redacted and "def" not in redacted and REDACTED in redacted


def _body(rows: list[dict[str, Any]], *, indent: int | None = None) -> bytes:
    # OC's other keys on both sides of the data array, as a streamed read meets them.
    envelope = {"code": 0, "message": "ok", "data": rows, "success": True, "messageId": "m1"}
    return json.dumps(envelope, indent=indent).encode()


def _recording_client(records: list[Any]) -> OCApiClient:
    return unit_client(
        API,
        account_id=None,
        account_label="OC",
        tokens=FixedTokens("t", "t2"),
        recorder=records.append,
    )


@responses.activate
@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "pretty"])
def test_a_snapshot_read_in_small_pieces_gives_the_same_rows_as_read_whole(
    monkeypatch: pytest.MonkeyPatch, indent: int | None
) -> None:
    rows = [_row(f"S{i}", "2021-10-22T09:56:41+0800", avl=i) for i in range(300)]
    rows[7] = {"sellerSkuId": "S7", **rows[7]}  # another key order
    responses.post(f"{API}/3pp/inventory/v1/snapshot", body=_body(rows, indent=indent))
    monkeypatch.setattr("oc_integration.client.stock.READ_CHUNK", 97)
    parsed = fetch_stock_snapshot(_client())
    assert [r.seller_sku for r in parsed] == [f"S{i}" for i in range(300)]
    assert [r.regions[0].counts["AVL"] for r in parsed] == list(range(300))


@responses.activate
def test_a_bad_row_deep_in_a_streamed_snapshot_is_named_by_its_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [_row(f"S{i}", "2021-10-22T09:56:41+0800") for i in range(500)]
    rows[411] = _row("S411", "2021-10-22T09:56:41+0800", avl=True)
    responses.post(f"{API}/3pp/inventory/v1/snapshot", body=_body(rows))
    monkeypatch.setattr("oc_integration.client.stock.READ_CHUNK", 512)
    with pytest.raises(OCMalformedResponse, match="row 412: an inventory count"):
        fetch_stock_snapshot(_client())


@responses.activate
def test_a_streamed_snapshot_cut_off_after_many_rows_returns_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [_row(f"S{i}", "2021-10-22T09:56:41+0800") for i in range(500)]
    body = _body(rows)
    responses.post(f"{API}/3pp/inventory/v1/snapshot", body=body[: len(body) - 40])
    monkeypatch.setattr("oc_integration.client.stock.READ_CHUNK", 512)
    with pytest.raises(OCMalformedResponse, match="not valid JSON"):
        fetch_stock_snapshot(_client())


@responses.activate
def test_the_call_log_keeps_only_a_bounded_prefix_of_a_streamed_snapshot() -> None:
    from oc_integration.client.transport import LOG_CAPTURE_BYTES

    rows = [_row(f"S{i}", "2021-10-22T09:56:41+0800") for i in range(3000)]
    body = _body(rows)
    responses.post(f"{API}/3pp/inventory/v1/snapshot", body=body)
    records: list[Any] = []
    assert len(fetch_stock_snapshot(_recording_client(records))) == 3000
    (record,) = records
    assert record.response_body.startswith(body[:100].decode())
    assert f"[{len(body) - LOG_CAPTURE_BYTES} more bytes not captured]" in record.response_body
    assert len(record.response_body) < LOG_CAPTURE_BYTES + 100


@responses.activate
def test_an_error_envelope_is_still_raised_as_ocs_error_when_streamed() -> None:
    from oc_integration.client import OCBusinessError

    responses.post(
        f"{API}/3pp/inventory/v1/snapshot",
        json={"code": 1, "message": "busy", "errors": [{"code": 500001}], "success": False},
    )
    with pytest.raises(OCBusinessError, match="code 1: busy"):
        fetch_stock_snapshot(_client())
