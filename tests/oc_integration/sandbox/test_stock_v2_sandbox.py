"""StockSnapshot v2 end to end: the project's client against the sandbox over real HTTP
(every page of every region, faults on a page, the explicit-SKU fallback)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from oc_integration.client import (
    ConnectionSettings,
    OCApiClient,
    OCBusinessError,
    OCMalformedResponse,
    OCServerError,
)
from oc_integration.client.stock import SnapshotRow
from oc_integration.client.stock_v2 import (
    fetch_stock_snapshot_v2,
    needs_sku_list,
    stream_stock_snapshot_v2,
)
from oc_integration.sandbox import RunningSandbox

from .helpers import KEY, SECRET, api, control

V2 = "/openapi/3pp/inventory/v2/snapshot"
EVERY_REGION = ["UK", "DE", "AU", "AU-MEL", "US-East", "US-South", "US-West"]
V1_OF_CATALOG = ("INTRAN", "AVL", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF")


class _Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def access_token(self) -> str:
        return self.token

    def renew_after_rejection(self, rejected_token: str) -> str:
        return self.token


@pytest.fixture
def client(oc: RunningSandbox, token: str) -> OCApiClient:
    settings = ConnectionSettings(None, "OC sandbox", f"{oc.url}/openapi", oc.url, KEY, SECRET)
    return OCApiClient(settings, _Token(token))


def _generate(oc: RunningSandbox, count: int, **options: Any) -> None:
    control(oc.url, "POST", "catalog/generate", {"count": count, **options})


def _v2_calls(oc: RunningSandbox) -> int:
    return oc.sandbox.journal.count("POST", V2)


def _as_catalog(rows: list[SnapshotRow]) -> dict[tuple[str, str], dict[str, int]]:
    found: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        (region,) = row.regions
        found[(row.oc_sku, region.region)] = region.counts
    return found


def _expected(oc: RunningSandbox, regions: list[str] | None = None) -> dict[tuple[str, str], Any]:
    return {
        (row.mfskuid, region): {status: row.count(region, status) for status in V1_OF_CATALOG}
        for row in oc.sandbox.catalog.rows.values()
        for region in row.regions
        if regions is None or region in regions
    }


def _v1_part(found: dict[tuple[str, str], dict[str, int]]) -> dict[tuple[str, str], Any]:
    return {key: {s: counts[s] for s in V1_OF_CATALOG} for key, counts in found.items()}


def test_every_page_of_every_region_arrives_with_the_catalogs_counts(
    oc: RunningSandbox, client: OCApiClient
) -> None:
    _generate(oc, 230, all_regions=True)
    pages: list[int] = []
    handed: list[SnapshotRow] = []
    count = stream_stock_snapshot_v2(
        client, handed.extend, progress=lambda page, pages_in_all: pages.append(page)
    )
    assert count == len(handed) == 230 * 7
    # 1,610 rows: eight full pages of 200 and a short ninth.
    assert _v2_calls(oc) == 9 and pages == list(range(1, 10))
    found = _as_catalog(handed)
    assert len(found) == count  # one row per SKU and region, none twice
    assert _v1_part(found) == _expected(oc)
    assert {region for _, region in found} == set(EVERY_REGION)
    assert all(counts["SUSPEND"] == 0 for counts in found.values())


def test_regions_beyond_uk_and_de_are_paged_one_region_at_a_time(
    oc: RunningSandbox, client: OCApiClient
) -> None:
    _generate(oc, 230, all_regions=True)
    asked = ["au", "AU-Melbourne", "US-East", "UE-South", "us-west"]
    rows = fetch_stock_snapshot_v2(client, regions=asked)
    stored = ["AU", "AU-MEL", "US-East", "US-South", "US-West"]
    assert _v1_part(_as_catalog(rows)) == _expected(oc, stored)
    assert len(rows) == 230 * 5
    assert _v2_calls(oc) == 5 * 2  # 230 rows: a full page and a short one per region


def test_ocs_own_ue_south_spelling_lands_as_us_south(
    oc: RunningSandbox, client: OCApiClient
) -> None:
    inventory = [{"inventoryStatus": "AVL", "actualCount": 7}]
    row = {
        "MFSKUID": "OC0000250380015",
        "sellerSkuId": "TX-1",
        "serviceRegionList": [
            {"serviceRegion": "UE-South", "inventoryList": inventory},
            {"serviceRegion": "US-East", "inventoryList": inventory},
        ],
    }
    control(oc.url, "PUT", "catalog", {"rows": [row]})
    (south,) = fetch_stock_snapshot_v2(client, regions=["US-South"])
    assert south.regions[0].region == "US-South" and south.regions[0].counts["AVL"] == 7
    every = fetch_stock_snapshot_v2(client)
    assert sorted(r.regions[0].region for r in every) == ["US-East", "US-South"]


def test_the_default_generated_catalog_keeps_uk_and_de_only(oc: RunningSandbox) -> None:
    _generate(oc, 10)
    assert set(control(oc.url, "GET", "catalog/summary")["regions"]) == {"UK", "DE"}


@pytest.mark.parametrize(
    ("kind", "error"), [("http500", OCServerError), ("malformed", OCMalformedResponse)]
)
def test_a_fault_on_page_3_of_5_fails_the_whole_snapshot(
    oc: RunningSandbox, client: OCApiClient, kind: str, error: type[Exception]
) -> None:
    _generate(oc, 900, regions=["UK"])  # five pages: four full, one of 100
    control(oc.url, "POST", "faults", {"endpoint": V2, "kind": kind, "after": 2})
    handed: list[SnapshotRow] = []
    with pytest.raises(error, match=r"Stock snapshot v2 \(UK\), page 3"):
        stream_stock_snapshot_v2(client, handed.extend, regions=["UK"])
    # Pages 1 and 2 reached the sink; the caller discards them (the run raised).
    assert len(handed) == 400 and _v2_calls(oc) == 3
    # The fault is spent: the next run reads all five pages.
    assert len(fetch_stock_snapshot_v2(client, regions=["UK"])) == 900
    assert _v2_calls(oc) == 3 + 5


def test_a_required_sku_list_refuses_the_empty_list_and_explicit_skus_still_work(
    oc: RunningSandbox, client: OCApiClient
) -> None:
    _generate(oc, 450, regions=["UK", "US-West"])
    everything = _as_catalog(fetch_stock_snapshot_v2(client))
    control(oc.url, "POST", "config", {"v2_requires_sku_list": True})
    with pytest.raises(OCBusinessError, match="skuList requires at least one SKU") as caught:
        fetch_stock_snapshot_v2(client)
    assert caught.value.code == "400200" and needs_sku_list(caught.value)
    before = _v2_calls(oc)
    skus = list(oc.sandbox.catalog.rows)
    rows = fetch_stock_snapshot_v2(client, oc_skus=skus)
    assert _as_catalog(rows) == everything and len(rows) == 900
    # 450 SKUs in batches of 200 (200, 200, 50); each batch pages its 2 regions' rows.
    assert _v2_calls(oc) - before == 3 + 3 + 1


def test_a_page_size_above_the_limit_gets_ocs_error(oc: RunningSandbox, token: str) -> None:
    data = {"pageNumber": 1, "pageSize": 500, "serviceRegionList": [], "skuList": []}
    answer = api(oc.url, V2, data, token).json()
    assert answer["success"] is False and answer["code"] == 400202
    assert "pageSize must be 1 to 200" in answer["message"]


def test_the_sandbox_pages_by_number_and_filters_by_sku_case_insensitively(
    oc: RunningSandbox, token: str
) -> None:
    _generate(oc, 5, regions=["UK", "DE"])
    skus = list(oc.sandbox.catalog.rows)
    data = {"PAGENUMBER": 2, "pagesize": 3, "skuList": [{"MFSKUID": s} for s in skus[:3]]}
    answer = api(oc.url, V2, data, token).json()
    assert answer["code"] == 0 and answer["data"]["pageNumber"] == 2
    rows = answer["data"]["SKUList"]
    # SKU order then region order: (s0 UK, s0 DE, s1 UK) on page 1, the rest on page 2.
    assert [(r["MFSKUID"], r["serviceRegion"]) for r in rows] == [
        (skus[1], "DE"),
        (skus[2], "UK"),
        (skus[2], "DE"),
    ]
    assert set(rows[0]) >= {"available", "inTransit", "suspend", "unfulfillable"}


def test_a_fault_rule_lets_its_first_after_calls_through(oc: RunningSandbox, token: str) -> None:
    data = {"pageNumber": 1, "pageSize": 10}
    rule = control(oc.url, "POST", "faults", {"endpoint": V2, "kind": "http500", "after": 2})
    assert rule["after"] == 2
    statuses = [api(oc.url, V2, data, token).status_code for _ in range(4)]
    assert statuses == [200, 200, 500, 200]
    bad = _control_error(oc, {"endpoint": V2, "kind": "http500", "after": -1})
    assert "after must be a whole number" in bad


def _control_error(oc: RunningSandbox, payload: dict[str, Any]) -> str:
    response = requests.post(f"{oc.url}/_sandbox/faults", json=payload, timeout=10)
    assert response.status_code == 400
    return str(response.json()["error"])
